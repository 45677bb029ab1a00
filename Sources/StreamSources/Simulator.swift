import AsyncHTTPClient
import Foundation
import Kafka
import MQTT
import NIOCore

/// Where the simulator sends its messages.
public protocol StreamPublisher: Sendable {
    func publish(_ payloads: [[UInt8]]) async throws
    func close() async
}

/// MQTT: each message a PUBLISH at the QoS of the URL (`?qos=`, default 1; QoS 1 waits for PUBACK).
public final class MQTTStreamPublisher: StreamPublisher {
    let client: MQTTClient
    let topic: String
    let qos: MQTTQoS

    public init(url: String) async throws {
        guard case .mqtt(let subscription) = try StreamSourceURL(url) else {
            throw StreamSourceURL.ParseError.invalid(url, why: "not an mqtt:// URL")
        }
        var options = StreamSourceURL.options(for: subscription)
        options.maxInflightMessages = 0
        client = try MQTTClient(options: options)
        topic = subscription.topic
        qos = subscription.qos
        try await client.connect()
    }

    public func publish(_ payloads: [[UInt8]]) async throws {
        if qos == .atMostOnce {
            for payload in payloads { try client.enqueue(topic, payload: payload, qos: qos) }
        } else {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for payload in payloads { group.addTask { try await self.client.publish(self.topic, payload: payload, qos: self.qos) } }
                try await group.waitForAll()
            }
        }
    }

    public func close() async {
        // Let libmosquitto write what it has queued before the disconnect.
        try? await Task.sleep(nanoseconds: 200_000_000)
        client.close()
    }
}

/// Kafka: the messages of one call form one record batch (acks from all replicas).
public final class KafkaStreamPublisher: StreamPublisher {
    let client: KafkaClient
    let topic: String
    let partition: Int32
    let compression: KafkaCompression

    public init(url: String, compression: KafkaCompression = .none) throws {
        guard case .kafka(let host, let port, let topic, let partition) = try StreamSourceURL(url) else {
            throw StreamSourceURL.ParseError.invalid(url, why: "not a kafka:// URL")
        }
        client = KafkaClient(host: host, port: port, clientID: "mledger-simulate")
        self.topic = topic
        self.partition = partition
        self.compression = compression
    }

    public func publish(_ payloads: [[UInt8]]) async throws {
        guard !payloads.isEmpty else { return }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        try await client.produce(topic: topic, partition: partition,
                                 records: payloads.map { KafkaProducerRecord(value: $0, timestamp: now) }, compression: compression)
    }

    public func close() async { await client.close() }
}

/// HTTP: each message a `POST` of its JSON to the URL (the service's `/ol/{name}/data`).
public final class HTTPStreamPublisher: StreamPublisher {
    let url: String
    let http = HTTPClient(eventLoopGroupProvider: .singleton)

    public init(url: String) throws {
        guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? "") else {
            throw StreamSourceURL.ParseError.invalid(url, why: "not an http(s):// URL")
        }
        self.url = url
    }

    public func publish(_ payloads: [[UInt8]]) async throws {
        for payload in payloads {
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: payload))
            let response = try await http.execute(request, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 64 << 10)
            guard (200..<300).contains(response.status.code) else {
                throw SimulatorError.rejected("POST \(url) answered \(response.status.code): \(String(buffer: body))")
            }
        }
    }

    public func close() async { try? await http.shutdown() }
}

public enum SimulatorError: Error, CustomStringConvertible {
    case rejected(String)
    case invalid(String)
    public var description: String {
        switch self {
        case .rejected(let why): return why
        case .invalid(let why): return why
        }
    }
}

/// Replays an hourly series as one-second readings at `speedup` × real time.
public struct Simulator: Sendable {
    public var series: [Double]
    /// Unix seconds of the first hour (aligned to a UTC hour by the caller).
    public var start: Int64
    public var speedup: Double
    public var seed: UInt64
    /// Readings per message (1: one JSON object per message; more: a JSON array).
    public var readingsPerMessage: Int

    public init(series: [Double], start: Int64, speedup: Double, seed: UInt64, readingsPerMessage: Int) throws {
        guard !series.isEmpty else { throw SimulatorError.invalid("the series has no hours") }
        guard speedup > 0, speedup.isFinite else { throw SimulatorError.invalid("speedup must be a positive number") }
        guard readingsPerMessage >= 1 else { throw SimulatorError.invalid("readings per message must be at least 1") }
        self.series = series
        self.start = start
        self.speedup = speedup
        self.seed = seed
        self.readingsPerMessage = readingsPerMessage
    }

    /// Publishes every reading, pacing by the wall clock; `progress(readingsSent, total)` is
    /// called after each send. Returns the number of readings sent.
    @discardableResult
    public func run(to publisher: any StreamPublisher, progress: (Int, Int) -> Void = { _, _ in }) async throws -> Int {
        var synthesizer = ReadingSynthesizer(seed: seed)
        let total = series.count * 3600
        let began = Date()
        var sent = 0
        for (hour, meanPower) in series.enumerated() {
            let readings = synthesizer.hour(meanPower: meanPower, start: start + Int64(hour) * 3600)
            var index = 0
            while index < readings.count {
                // Readings due by now at this speed (at least one message's worth).
                let due = Int(Date().timeIntervalSince(began) * speedup) - sent
                if due < readingsPerMessage && due < readings.count - index {
                    let wait = Double(readingsPerMessage - max(due, 0)) / speedup
                    try await Task.sleep(nanoseconds: UInt64(min(wait, 0.05) * 1e9))
                    continue
                }
                // Whole messages only (the hour's last may be shorter): a consumer counting
                // messages, or resuming at a message position, finds `readingsPerMessage` in each.
                let count = min(max(due / readingsPerMessage * readingsPerMessage, readingsPerMessage), readings.count - index)
                let messages = stride(from: index, to: index + count, by: readingsPerMessage).map {
                    ThreePhaseReading.payload(readings[$0..<min($0 + readingsPerMessage, index + count)])
                }
                try await publisher.publish(messages)
                index += count
                sent += count
                progress(sent, total)
            }
        }
        return sent
    }
}
