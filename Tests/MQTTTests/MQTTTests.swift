import Foundation
import MLedgerTesting
import MQTT
import Testing

/// Collects `count` messages from `client`, or fails after `seconds`.
func receive(_ count: Int, from client: MQTTClient, within seconds: Double = 20) async throws -> [MQTTMessage] {
    try await withThrowingTaskGroup(of: [MQTTMessage]?.self) { group in
        group.addTask {
            var received: [MQTTMessage] = []
            for await message in client.messages {
                received.append(message)
                if received.count == count { break }
            }
            return received
        }
        group.addTask {
            try await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
            return nil
        }
        let first = try await group.next()!
        group.cancelAll()
        guard let messages = first else {
            Issue.record("received fewer than \(count) messages within \(seconds) s")
            return []
        }
        return messages
    }
}

@Suite("MQTT client against a real mosquitto", .serialized)
struct MQTTTests {
    @Test("QoS 0 and 1 round trips, MQTT 3.1.1 and 5", arguments: MQTTProtocolVersion.allCases)
    func roundTrip(version: MQTTProtocolVersion) async throws {
        let broker = try TestBrokers.mosquitto()
        let subscriber = try MQTTClient(options: MQTTOptions(port: broker.port, protocolVersion: version))
        let publisher = try MQTTClient(options: MQTTOptions(port: broker.port, protocolVersion: version))
        try await subscriber.connect()
        try subscriber.subscribe("meters/+/readings", qos: .atLeastOnce)
        try await publisher.connect()
        try await Task.sleep(nanoseconds: 200_000_000)  // SUBACK before the first publish
        let payloads: [[UInt8]] = (0..<50).map { Array("reading \($0)".utf8) } + [[], [0, 255, 0]]
        for (index, payload) in payloads.enumerated() {
            try await publisher.publish("meters/m\(index % 3)/readings", payload: payload, qos: index % 2 == 0 ? .atLeastOnce : .atMostOnce)
        }
        let received = try await receive(payloads.count, from: subscriber)
        #expect(received.map(\.payload) == payloads)
        #expect(received.map(\.sequence) == (0..<UInt64(payloads.count)).map { $0 })
        #expect(received.first?.topic == "meters/m0/readings")
        #expect(received.dropFirst().first?.qos == .atMostOnce)
        #expect(received.first?.qos == .atLeastOnce)
        subscriber.close()
        publisher.close()
    }

    @Test("username and password: accepted when right, refused with the broker's reason when wrong")
    func authentication() async throws {
        let passwords = FileManager.default.temporaryDirectory.appendingPathComponent("mosquitto-pw-\(UUID().uuidString)")
        try "meter:secret-1\n".write(to: passwords, atomically: true, encoding: .utf8)
        let passwdTool = try BrokerProcess.locate(["mosquitto_passwd"])
        let hash = Process()
        hash.executableURL = URL(fileURLWithPath: passwdTool)
        hash.arguments = ["-U", passwords.path]
        try hash.run()
        hash.waitUntilExit()
        #expect(hash.terminationStatus == 0)
        let broker = try TestBrokers.mosquitto(extraConfig: "password_file \(passwords.path)\n")
        // allow_anonymous stays true in the listener block above it; a password file still
        // refuses a known user with a wrong password.
        let good = try MQTTClient(options: MQTTOptions(port: broker.port, username: "meter", password: "secret-1"))
        try await good.connect()
        #expect(good.isConnected)
        good.close()
        let bad = try MQTTClient(options: MQTTOptions(port: broker.port, username: "meter", password: "wrong",
                                                      reconnectDelaySeconds: 5, connectTimeoutSeconds: 5))
        await #expect(throws: MQTTError.self) { try await bad.connect() }
        bad.close()
    }

    @Test("bad options are refused before any connection")
    func optionChecks() throws {
        #expect(throws: MQTTError.invalidOptions("a persistent session (clean session off) needs a fixed client id")) {
            try MQTTClient(options: MQTTOptions(cleanSession: false))
        }
        #expect(throws: MQTTError.self) { try MQTTClient(options: MQTTOptions(port: 70_000)) }
        #expect(throws: MQTTError.self) { try MQTTClient(options: MQTTOptions(password: "x")) }
        #expect(throws: MQTTError.self) { try MQTTClient(options: MQTTOptions(tls: MQTTTLSOptions())) }
    }

    @Test("no broker: connect fails after its timeout instead of hanging")
    func unreachableBroker() async throws {
        let port = try BrokerProcess.freePort()
        let client = try MQTTClient(options: MQTTOptions(port: port, connectTimeoutSeconds: 1.5))
        let started = Date()
        await #expect(throws: MQTTError.connectTimedOut(seconds: 1.5)) { try await client.connect() }
        #expect(Date().timeIntervalSince(started) < 10)
        client.close()
    }

    /// The reliability case: the broker restarts while a publisher sends QoS 1 messages one
    /// by one; both clients reconnect on their own and the persistent subscriber ends up with
    /// every message (duplicates are allowed at QoS 1, gaps are not).
    @Test("broker restart mid-stream: reconnect, nothing lost at QoS 1 with a persistent session",
          arguments: MQTTProtocolVersion.allCases)
    func restartMidStream(version: MQTTProtocolVersion) async throws {
        let broker = try TestBrokers.mosquitto(persistent: true)
        let subscriberOptions = MQTTOptions(port: broker.port, protocolVersion: version, clientID: "ol-sub-\(version.rawValue)",
                                            cleanSession: false, reconnectDelaySeconds: 1, reconnectDelayMaxSeconds: 2)
        let subscriber = try MQTTClient(options: subscriberOptions)
        try await subscriber.connect()
        try subscriber.subscribe("plant/readings", qos: .atLeastOnce)
        let publisher = try MQTTClient(options: MQTTOptions(port: broker.port, protocolVersion: version, clientID: "ol-pub-\(version.rawValue)",
                                                            cleanSession: false, reconnectDelaySeconds: 1, reconnectDelayMaxSeconds: 2))
        try await publisher.connect()
        try await Task.sleep(nanoseconds: 300_000_000)
        let total = 300
        let sender = Task {
            for index in 0..<total {
                try await publisher.publish("plant/readings", payload: Array("\(index)".utf8), qos: .atLeastOnce)
                if index % 20 == 0 { try await Task.sleep(nanoseconds: 20_000_000) }
            }
        }
        var seen = Set<Int>()
        var duplicates = 0
        var restarted = false
        let deadline = Date().addingTimeInterval(60)
        for await message in subscriber.messages {
            let index = Int(String(decoding: message.payload, as: UTF8.self))!
            if !seen.insert(index).inserted { duplicates += 1 }
            if seen.count == 100 && !restarted {
                restarted = true
                broker.stop()
                try await Task.sleep(nanoseconds: 1_500_000_000)
                try broker.start()
            }
            if seen.count == total || Date() > deadline { break }
        }
        try await sender.value
        #expect(restarted)
        #expect(seen.count == total, "missing: \(Set(0..<total).subtracting(seen).sorted().prefix(20))")
        #expect(subscriber.connectionCount >= 2)
        #expect(publisher.connectionCount >= 2)
        subscriber.close()
        publisher.close()
    }
}
