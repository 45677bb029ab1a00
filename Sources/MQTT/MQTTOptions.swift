import Foundation

/// MQTT protocol level spoken on the wire.
public enum MQTTProtocolVersion: String, Sendable, CaseIterable {
    case v311 = "3.1.1"
    case v5 = "5"
}

/// Delivery guarantee of a subscription or a publish (QoS 2 is not offered).
public enum MQTTQoS: Int32, Sendable {
    case atMostOnce = 0
    case atLeastOnce = 1
}

/// TLS settings handed to libmosquitto (OpenSSL underneath).
public struct MQTTTLSOptions: Sendable, Equatable {
    /// PEM file of the certificate authorities that may sign the broker's certificate.
    public var caFile: String?
    /// Directory of hashed CA certificates, as an alternative to `caFile`.
    public var caPath: String?
    /// Client certificate and key for mutual TLS; both or neither.
    public var certificateFile: String?
    public var keyFile: String?
    /// Skips the host-name check of the broker certificate (test brokers only).
    public var allowInsecureHostname: Bool

    public init(caFile: String? = nil, caPath: String? = nil, certificateFile: String? = nil,
                keyFile: String? = nil, allowInsecureHostname: Bool = false) {
        self.caFile = caFile
        self.caPath = caPath
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.allowInsecureHostname = allowInsecureHostname
    }
}

/// Everything a client needs to reach a broker and to keep its session.
public struct MQTTOptions: Sendable {
    public var host: String
    public var port: Int
    public var protocolVersion: MQTTProtocolVersion
    /// Fixed client id. A persistent session (`cleanSession == false`) needs one so the broker
    /// can recognise the client after a reconnect; nil lets libmosquitto pick a random id.
    public var clientID: String?
    /// false: the broker keeps subscriptions and queues QoS 1 messages while the client is away.
    public var cleanSession: Bool
    /// MQTT 5 only: how long the broker keeps a persistent session after a disconnect.
    public var sessionExpirySeconds: UInt32
    public var keepAliveSeconds: Int
    public var username: String?
    public var password: String?
    public var tls: MQTTTLSOptions?
    /// Reconnect delays: the first wait, doubled after each failure up to the maximum.
    public var reconnectDelaySeconds: UInt32
    public var reconnectDelayMaxSeconds: UInt32
    /// QoS 1 messages in flight at once (0: no limit). libmosquitto's default is 20.
    public var maxInflightMessages: UInt32
    /// How long `connect()` waits for the first CONNACK.
    public var connectTimeoutSeconds: Double

    public init(host: String = "127.0.0.1", port: Int = 1883, protocolVersion: MQTTProtocolVersion = .v311,
                clientID: String? = nil, cleanSession: Bool = true, sessionExpirySeconds: UInt32 = 86_400,
                keepAliveSeconds: Int = 30, username: String? = nil, password: String? = nil,
                tls: MQTTTLSOptions? = nil, reconnectDelaySeconds: UInt32 = 1, reconnectDelayMaxSeconds: UInt32 = 30,
                maxInflightMessages: UInt32 = 20, connectTimeoutSeconds: Double = 10) {
        self.host = host
        self.port = port
        self.protocolVersion = protocolVersion
        self.clientID = clientID
        self.cleanSession = cleanSession
        self.sessionExpirySeconds = sessionExpirySeconds
        self.keepAliveSeconds = keepAliveSeconds
        self.username = username
        self.password = password
        self.tls = tls
        self.reconnectDelaySeconds = reconnectDelaySeconds
        self.reconnectDelayMaxSeconds = reconnectDelayMaxSeconds
        self.maxInflightMessages = maxInflightMessages
        self.connectTimeoutSeconds = connectTimeoutSeconds
    }

    /// The checks libmosquitto would otherwise answer with a bare error number.
    func validate() throws {
        if !cleanSession && (clientID ?? "").isEmpty {
            throw MQTTError.invalidOptions("a persistent session (clean session off) needs a fixed client id")
        }
        if !(1...65_535).contains(port) { throw MQTTError.invalidOptions("port \(port) is outside 1…65535") }
        if password != nil && username == nil { throw MQTTError.invalidOptions("a password needs a username") }
        if let tls, (tls.certificateFile == nil) != (tls.keyFile == nil) {
            throw MQTTError.invalidOptions("TLS client certificate and key go together")
        }
        if let tls, tls.caFile == nil && tls.caPath == nil {
            throw MQTTError.invalidOptions("TLS needs a CA file or a CA directory")
        }
    }
}

/// One message as it arrived from the broker.
public struct MQTTMessage: Sendable, Equatable {
    public var topic: String
    public var payload: [UInt8]
    public var qos: MQTTQoS
    public var retained: Bool
    /// Position of this message among those this client object has received (0, 1, 2 …).
    /// MQTT has no broker-side offsets; QoS 1 redeliveries after a reconnect get new numbers.
    public var sequence: UInt64
}

public enum MQTTError: Error, CustomStringConvertible, Equatable {
    case invalidOptions(String)
    /// A libmosquitto call failed: the call and libmosquitto's own explanation.
    case library(call: String, code: Int32, message: String)
    /// The broker answered CONNACK with a refusal (reason code).
    case connectionRefused(code: Int32, message: String)
    case connectTimedOut(seconds: Double)
    case closed

    public var description: String {
        switch self {
        case .invalidOptions(let why): return "MQTT options: \(why)"
        case .library(let call, let code, let message): return "\(call) failed (\(code)): \(message)"
        case .connectionRefused(let code, let message): return "broker refused the connection (\(code)): \(message)"
        case .connectTimedOut(let seconds): return "no CONNACK from the broker within \(seconds) s"
        case .closed: return "the MQTT client was closed"
        }
    }
}
