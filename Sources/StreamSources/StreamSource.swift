import Foundation
import Kafka
import MQTT

/// One message from any stream, as the online-learning service ingests it.
public struct StreamMessage: Sendable, Equatable {
    public var payload: [UInt8]
    /// The source URL it came from (`mqtt://…`, `kafka://…`).
    public var source: String
    /// Kafka: the record's offset (resume from position + 1). MQTT: nil, the broker keeps
    /// a persistent session's place instead.
    public var position: UInt64?

    public init(payload: [UInt8], source: String, position: UInt64?) {
        self.payload = payload
        self.source = source
        self.position = position
    }
}

/// A parsed source URL: `mqtt://[user:password@]host[:port]/topic[?qos=1&client_id=…&version=5&clean=false]`,
/// `mqtts://…` (TLS; `ca=/path.pem`, for mutual TLS also `cert=/client.pem&key=/client.key`), `kafka://host[:port]/topic[?partition=N]`.
public enum StreamSourceURL: Sendable, Equatable {
    case mqtt(MQTTSubscription)
    case kafka(host: String, port: Int, topic: String, partition: Int32)

    public struct MQTTSubscription: Sendable, Equatable {
        public var host: String
        public var port: Int
        public var topic: String
        public var qos: MQTTQoS
        public var clientID: String?
        public var cleanSession: Bool
        public var version: MQTTProtocolVersion
        public var username: String?
        public var password: String?
        public var caFile: String?
        /// Client certificate and key (PEM) for brokers that require one; both or neither.
        public var certificateFile: String?
        public var keyFile: String?
    }

    public enum ParseError: Error, CustomStringConvertible, Equatable {
        case invalid(String, why: String)
        public var description: String {
            switch self { case .invalid(let url, let why): return "stream source '\(url)': \(why)" }
        }
    }

    public init(_ text: String) throws {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            throw ParseError.invalid(text, why: "not a URL")
        }
        guard let host = components.host, !host.isEmpty else { throw ParseError.invalid(text, why: "no host") }
        let topic = String(components.path.drop(while: { $0 == "/" }))
        guard !topic.isEmpty else { throw ParseError.invalid(text, why: "no topic in the path") }
        var query: [String: String] = [:]
        for item in components.queryItems ?? [] { query[item.name] = item.value ?? "" }
        func flag(_ name: String, _ fallback: Bool) throws -> Bool {
            guard let value = query[name] else { return fallback }
            switch value { case "true", "1": return true; case "false", "0": return false
            default: throw ParseError.invalid(text, why: "\(name)=\(value) is not true/false") }
        }
        switch scheme {
        case "mqtt", "mqtts":
            let qos: MQTTQoS
            switch query["qos"] ?? "1" {
            case "0": qos = .atMostOnce
            case "1": qos = .atLeastOnce
            case let other: throw ParseError.invalid(text, why: "qos=\(other) (0 or 1)")
            }
            let version: MQTTProtocolVersion
            switch query["version"] ?? "3.1.1" {
            case "3.1.1", "4", "311": version = .v311
            case "5": version = .v5
            case let other: throw ParseError.invalid(text, why: "version=\(other) (3.1.1 or 5)")
            }
            let clientID = query["client_id"]
            let clean = try flag("clean", clientID == nil)
            if !clean && clientID == nil { throw ParseError.invalid(text, why: "clean=false needs client_id") }
            if scheme == "mqtts" && query["ca"] == nil { throw ParseError.invalid(text, why: "mqtts needs ca=/path/to/ca.pem") }
            if scheme == "mqtt" && (query["ca"] != nil || query["cert"] != nil || query["key"] != nil) {
                throw ParseError.invalid(text, why: "ca=, cert= and key= need mqtts://")
            }
            if (query["cert"] == nil) != (query["key"] == nil) { throw ParseError.invalid(text, why: "cert= and key= go together") }
            self = .mqtt(MQTTSubscription(host: host, port: components.port ?? (scheme == "mqtts" ? 8883 : 1883), topic: topic, qos: qos,
                                          clientID: clientID, cleanSession: clean, version: version,
                                          username: components.user, password: components.password, caFile: query["ca"],
                                          certificateFile: query["cert"], keyFile: query["key"]))
        case "kafka":
            let partition = Int32(query["partition"] ?? "0")
            guard let partition, partition >= 0 else { throw ParseError.invalid(text, why: "partition must be a non-negative integer") }
            self = .kafka(host: host, port: components.port ?? 9092, topic: topic, partition: partition)
        default:
            throw ParseError.invalid(text, why: "scheme \(scheme) (mqtt, mqtts or kafka)")
        }
    }

    /// Client options for an MQTT source.
    public static func options(for subscription: MQTTSubscription) -> MQTTOptions {
        MQTTOptions(host: subscription.host, port: subscription.port, protocolVersion: subscription.version,
                    clientID: subscription.clientID, cleanSession: subscription.cleanSession,
                    username: subscription.username, password: subscription.password,
                    tls: subscription.caFile.map {
                        MQTTTLSOptions(caFile: $0, certificateFile: subscription.certificateFile, keyFile: subscription.keyFile)
                    })
    }
}

/// Opens sources as streams of `StreamMessage`.
public enum StreamSources {
    /// Messages of `url` from `resumeAfter` on: for Kafka the next offset after it (nil:
    /// from the earliest kept); MQTT ignores it (a persistent session resumes by itself).
    /// The stream ends with an error when the source fails for good; cancelling the
    /// consuming task closes the connection.
    public static func messages(from url: String, resumeAfter: UInt64? = nil) throws -> AsyncThrowingStream<StreamMessage, any Error> {
        switch try StreamSourceURL(url) {
        case .mqtt(let subscription):
            let client = try MQTTClient(options: StreamSourceURL.options(for: subscription))
            return AsyncThrowingStream { continuation in
                let task = Task {
                    do {
                        try await client.connect()
                        try client.subscribe(subscription.topic, qos: subscription.qos)
                        for await message in client.messages {
                            continuation.yield(StreamMessage(payload: message.payload, source: url, position: nil))
                        }
                        continuation.finish()
                    } catch {
                        continuation.finish(throwing: error)
                    }
                }
                continuation.onTermination = { _ in
                    task.cancel()
                    client.close()
                }
            }
        case .kafka(let host, let port, let topic, let partition):
            let client = KafkaClient(host: host, port: port)
            let start: KafkaStartOffset = resumeAfter.map { .offset(Int64($0) + 1) } ?? .earliest
            return AsyncThrowingStream { continuation in
                let task = Task {
                    do {
                        for try await record in client.records(topic: topic, partition: partition, from: start) {
                            continuation.yield(StreamMessage(payload: record.value ?? [], source: url, position: UInt64(record.offset)))
                        }
                        continuation.finish()
                    } catch {
                        continuation.finish(throwing: error)
                    }
                    await client.close()
                }
                continuation.onTermination = { _ in task.cancel() }
            }
        }
    }
}
