import Foundation
import MLedgerTesting
import MQTT
import Testing

/// The TLS options against a real mosquitto TLS listener whose certificates `openssl` made for
/// this run: server verification by CA, refusal of an unknown CA and of plain TCP, and mutual TLS.
@Suite("MQTT over TLS against a real mosquitto", .serialized)
struct MQTTTLSTests {
    func roundTrip(port: Int, tls: MQTTTLSOptions) async throws {
        let subscriber = try MQTTClient(options: MQTTOptions(port: port, tls: tls))
        let publisher = try MQTTClient(options: MQTTOptions(port: port, tls: tls))
        defer { subscriber.close(); publisher.close() }
        try await subscriber.connect()
        try subscriber.subscribe("meters/tls", qos: .atLeastOnce)
        try await publisher.connect()
        try await Task.sleep(nanoseconds: 200_000_000)  // SUBACK before the first publish
        let payloads = (0..<20).map { Array("tls reading \($0)".utf8) }
        for payload in payloads { try await publisher.publish("meters/tls", payload: payload, qos: .atLeastOnce) }
        #expect(try await receive(payloads.count, from: subscriber).map(\.payload) == payloads)
    }

    /// A client that must not get through: `connect()` fails within its timeout.
    func expectRefused(port: Int, tls: MQTTTLSOptions?, _ why: Comment) async throws {
        let client = try MQTTClient(options: MQTTOptions(port: port, tls: tls, reconnectDelaySeconds: 5, connectTimeoutSeconds: 4))
        defer { client.close() }
        await #expect(throws: MQTTError.self, why) { try await client.connect() }
        #expect(!client.isConnected, why)
    }

    @Test("server-verified TLS: messages flow; another CA and plain TCP are refused")
    func serverVerified() async throws {
        let certificates = try TestCertificates()
        let stranger = try TestCertificates(name: "Some other CA")
        defer { certificates.remove(); stranger.remove() }
        let broker = try TestBrokers.mosquitto(extraConfig: certificates.mosquittoConfig())
        try await roundTrip(port: broker.port, tls: MQTTTLSOptions(caFile: certificates.caFile))
        try await expectRefused(port: broker.port, tls: MQTTTLSOptions(caFile: stranger.caFile), "a broker certificate from an untrusted CA")
        try await expectRefused(port: broker.port, tls: nil, "plain MQTT to a TLS listener")
    }

    @Test("mutual TLS: the client's certificate is required and accepted")
    func mutual() async throws {
        let certificates = try TestCertificates()
        let stranger = try TestCertificates(name: "Some other CA")
        defer { certificates.remove(); stranger.remove() }
        let broker = try TestBrokers.mosquitto(extraConfig: certificates.mosquittoConfig(requireClientCertificate: true))
        try await roundTrip(port: broker.port, tls: MQTTTLSOptions(caFile: certificates.caFile, certificateFile: certificates.clientCertificate,
                                                                   keyFile: certificates.clientKey))
        try await expectRefused(port: broker.port, tls: MQTTTLSOptions(caFile: certificates.caFile), "no client certificate")
        try await expectRefused(port: broker.port, tls: MQTTTLSOptions(caFile: certificates.caFile, certificateFile: stranger.clientCertificate,
                                                                       keyFile: stranger.clientKey), "a client certificate from another CA")
    }
}
