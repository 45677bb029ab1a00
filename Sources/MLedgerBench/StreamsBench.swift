import DevStack
import Foundation
import Kafka
import MLedgerTesting
import MQTT
import OnlineLearning
import Primitives
import StreamSources

/// `mledger-bench ol` (ingest part): readings per second from mosquitto (QoS 0 and 1) and from
/// tansu, received by MLedger's clients and each message handed to a real
/// `OnlineLearningService.ingest` (decoding, P = Σ V·I·pf, hourly aggregation, state), beside an
/// independent receiver of the same messages in the same run (mosquitto_sub and paho-mqtt for
/// MQTT, confluent-kafka for Kafka) and the service's ingest alone with no broker.
///
/// Payloads are simulator readings, `readingsPerMessage` to a message (a JSON array). A rate
/// is readings delivered to the receiver divided by the time from the first publish to the
/// last message received (MQTT: subscriber ready first, then the publisher starts) or from
/// the consumer's start to its last record (Kafka: the topic is filled beforehand).
func runStreamsBenchmarks() {
    let done = DispatchSemaphore(value: 0)
    Task {
        do {
            try await StreamsBench(arguments: Array(CommandLine.arguments.dropFirst(2))).run()
        } catch {
            FileHandle.standardError.write("ol: \(error)\n".data(using: .utf8)!)
            exit(1)
        }
        done.signal()
    }
    done.wait()
}

struct StreamsBench {
    var messages = 20_000
    var readingsPerMessage = 10
    /// `--latency-only`: just the publish → forecast round (the ingest rounds take minutes).
    var latencyOnly = false
    let root = BrokerProcess.repositoryRoot(from: #filePath)

    static let usage = "usage: mledger-bench ol [--messages N] [--readings-per-message N] [--latency-only]"

    init(arguments: [String]) throws {
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            if flag == "--latency-only" { latencyOnly = true; continue }
            guard let value = rest.popFirst(), let number = Int(value), number > 0 else {
                throw BrokerProcess.Failure.missing("\(flag) needs a positive number; \(Self.usage)")
            }
            switch flag {
            case "--messages": messages = number
            case "--readings-per-message": readingsPerMessage = number
            default: throw BrokerProcess.Failure.missing("unknown flag \(flag); \(Self.usage)")
            }
        }
    }

    /// Simulator payloads: `messages` × `readingsPerMessage` one-second readings.
    func payloads() -> [[UInt8]] {
        var synthesizer = ReadingSynthesizer(seed: 11)
        var readings: [ThreePhaseReading] = []
        var hour: Int64 = 0
        while readings.count < messages * readingsPerMessage {
            readings += synthesizer.hour(meanPower: 2500, start: 1_704_067_200 + hour * 3600)
            hour += 1
        }
        return (0..<messages).map { ThreePhaseReading.payload(readings[$0 * readingsPerMessage..<($0 + 1) * readingsPerMessage]) }
    }

    var python: String { root.appendingPathComponent("Tests/interop/.venv/bin/python").path }

    func run() async throws {
        if latencyOnly {
            let stack = try DevSharingStack.bench("ol-latency", genesisPath: root.appendingPathComponent("genesis/dev.json").path)
            defer { stack.close() }
            return try await forecastLatencyRound(stack: stack)
        }
        let payloads = payloads()
        let bytes = payloads.reduce(0) { $0 + $1.count }
        print("ol ingest: \(messages) messages × \(readingsPerMessage) readings (\(bytes / messages) bytes a message), loopback")
        let stack = try DevSharingStack.bench("ol-ingest", genesisPath: root.appendingPathComponent("genesis/dev.json").path)
        defer { stack.close() }
        let hub = OnlineLearningHub(dataDirectory: stack.directory, sharing: stack.service, logger: benchLogger)
        let alone = try await service(hub, "alone")
        let started = Date()
        for payload in payloads { await alone.ingest(payload: payload, source: "bench", position: nil) }
        try await expectAll(alone, payloads.count)
        report("service ingest alone (no broker)", Double(payloads.count * readingsPerMessage) / Date().timeIntervalSince(started), "readings/s")
        for qos in [MQTTQoS.atMostOnce, .atLeastOnce] {
            try await mqttRound(qos: qos, payloads: payloads, service: try await service(hub, "mqtt-qos\(qos.rawValue)"))
        }
        try await kafkaRound(payloads: payloads, service: try await service(hub, "kafka"))
        try await forecastLatencyRound(stack: stack)
    }

    /// A fresh service per round (the payloads repeat the same hours); no training during the
    /// run (its batch policy is never met), so the figure is ingestion alone.
    func service(_ hub: OnlineLearningHub, _ name: String) async throws -> OnlineLearningService {
        let text = #"{"name": "\#(name)", "organization_id": "bench", "batch": {"hours": 100000}, "transformer": {"lateness_seconds": 0}}"#
        return try await hub.declare(try OnlineServiceSpec(json: JSONValue.parse(Array(text.utf8))!))
    }

    /// Every reading of every message accepted: a rate over lost or refused readings would lie.
    func expectAll(_ service: OnlineLearningService, _ messages: Int) async throws {
        let accepted = await service.currentState.acceptedReadings
        guard accepted == Int64(messages * readingsPerMessage) else {
            throw BrokerProcess.Failure.didNotStart("service \(service.spec.name) accepted \(accepted) of \(messages * readingsPerMessage) readings")
        }
    }

    // MARK: - MQTT

    /// Publishes every payload with MLedger's client as fast as libmosquitto takes them.
    func publishAll(_ payloads: [[UInt8]], port: Int, qos: MQTTQoS) async throws -> Double {
        let publisher = try MQTTClient(options: MQTTOptions(port: port, maxInflightMessages: 0))
        try await publisher.connect()
        let started = Date().timeIntervalSince1970
        for payload in payloads { try publisher.enqueue("bench/readings", payload: payload, qos: qos) }
        Task.detached {
            try await Task.sleep(nanoseconds: 30_000_000_000)
            publisher.close()
        }
        return started
    }

    func mqttRound(qos: MQTTQoS, payloads: [[UInt8]], service: OnlineLearningService) async throws {
        // max_inflight_messages 0: the broker does not hold QoS 1 deliveries at 20 in flight.
        let broker = try TestBrokers.mosquitto(extraConfig: "max_inflight_messages 0\nmax_queued_messages 0\n")
        let label = "QoS \(qos.rawValue)"

        // MLedger's client.
        let subscriber = try MQTTClient(options: MQTTOptions(port: broker.port, maxInflightMessages: 0))
        try await subscriber.connect()
        try subscriber.subscribe("bench/readings", qos: qos)
        try await Task.sleep(nanoseconds: 300_000_000)
        let started = try await publishAll(payloads, port: broker.port, qos: qos)
        var received = 0
        var last = started
        let collector = Task { () -> (Int, Double) in
            var count = 0
            for await message in subscriber.messages {
                await service.ingest(payload: message.payload, source: "bench", position: nil)
                count += 1
                if count == payloads.count { break }
            }
            return (count, Date().timeIntervalSince1970)
        }
        let timeout = Task { try await Task.sleep(nanoseconds: 60_000_000_000); collector.cancel(); subscriber.close() }
        (received, last) = await collector.value
        timeout.cancel()
        subscriber.close()
        let ours = Double(received * readingsPerMessage) / (last - started)

        // References: mosquitto_sub (C, libmosquitto) and paho-mqtt (Python) on the same broker.
        let mosquittoSub = try await referenceRun(payloads: payloads, port: broker.port, qos: qos, command: [
            try BrokerProcess.locate(["mosquitto_sub"]), "-h", "127.0.0.1", "-p", "\(broker.port)", "-t", "bench/readings",
            "-q", "\(qos.rawValue)", "-C", "\(payloads.count)", "-W", "60",
        ], readyAfter: 0.5)
        let paho = try await referenceRun(payloads: payloads, port: broker.port, qos: qos, command: [
            python, "-c", Self.pahoSubscriber, "\(broker.port)", "\(qos.rawValue)", "\(payloads.count)",
        ], readyAfter: 1.5)
        let lossNote = received < payloads.count ? " (\(payloads.count - received) messages not received)" : ""
        if received == payloads.count { try await expectAll(service, received) }
        report("mosquitto \(label) → MQTTClient → ingest", ours, "readings/s",
               reference: String(format: "mosquitto_sub %.0f, paho-mqtt %.0f readings/s%@", mosquittoSub, paho, lossNote))
    }

    /// Starts `command` as a subscriber, waits for it to subscribe, publishes, and rates its
    /// run from the first publish to its exit (it exits after the last message).
    func referenceRun(payloads: [[UInt8]], port: Int, qos: MQTTQoS, command: [String], readyAfter: Double) async throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        try await Task.sleep(nanoseconds: UInt64(readyAfter * 1e9))
        let started = try await publishAll(payloads, port: port, qos: qos)
        while process.isRunning { try await Task.sleep(nanoseconds: 1_000_000) }
        let finished = Date().timeIntervalSince1970
        guard process.terminationStatus == 0 else {
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw BrokerProcess.Failure.didNotStart("\(command[0]) exited \(process.terminationStatus): \(text)")
        }
        return Double(payloads.count * readingsPerMessage) / (finished - started)
    }

    static let pahoSubscriber = """
    import sys, paho.mqtt.client as mqtt
    port, qos, expected = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    count = 0
    def on_connect(client, userdata, flags, reason, properties=None):
        client.subscribe("bench/readings", qos)
    def on_message(client, userdata, message):
        global count
        count += 1
        if count == expected:
            client.disconnect()
    try:
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    except AttributeError:
        client = mqtt.Client()
    client.max_inflight_messages_set(0) if hasattr(client, "max_inflight_messages_set") else None
    client.on_connect = on_connect
    client.on_message = on_message
    client.connect("127.0.0.1", port)
    client.loop_forever()
    """

    // MARK: - Kafka

    func kafkaRound(payloads: [[UInt8]], service: OnlineLearningService) async throws {
        let broker = try TestBrokers.tansu(repositoryRoot: root)
        try TestBrokers.createTopic("bench", on: broker)
        let client = KafkaClient(host: "127.0.0.1", port: broker.port)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let fillStarted = Date()
        for start in stride(from: 0, to: payloads.count, by: 500) {
            let slice = payloads[start..<min(start + 500, payloads.count)]
            try await client.produce(topic: "bench", records: slice.map { KafkaProducerRecord(value: $0, timestamp: now) })
        }
        let fillSeconds = Date().timeIntervalSince(fillStarted)

        let consumeStarted = Date()
        var count = 0
        for try await record in client.records(topic: "bench", from: .offset(0)) {
            await service.ingest(payload: record.value ?? [], source: "bench", position: record.offset)
            count += 1
            if count == payloads.count { break }
        }
        let ours = Double(count * readingsPerMessage) / Date().timeIntervalSince(consumeStarted)
        await client.close()

        let output = try runReference([python, "-c", Self.confluentConsumer, "\(broker.port)", "\(payloads.count)"])
        guard let seconds = Double(output.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw BrokerProcess.Failure.didNotStart("confluent-kafka reference printed '\(output)'")
        }
        try await expectAll(service, count)
        report("tansu → Kafka consumer → ingest", ours, "readings/s",
               reference: String(format: "confluent-kafka %.0f readings/s", Double(payloads.count * readingsPerMessage) / seconds))
        report("MLedger Kafka produce (500-record batches)", Double(payloads.count * readingsPerMessage) / fillSeconds, "readings/s")
    }

    /// confluent-kafka reading the partition from offset 0; prints the seconds it took.
    static let confluentConsumer = """
    import sys, time
    from confluent_kafka import Consumer, TopicPartition
    port, expected = sys.argv[1], int(sys.argv[2])
    consumer = Consumer({"bootstrap.servers": f"127.0.0.1:{port}", "group.id": "bench", "enable.auto.commit": False})
    started = time.time()
    consumer.assign([TopicPartition("bench", 0, 0)])
    count = 0
    while count < expected and time.time() - started < 120:
        batch = consumer.consume(1000, 0.5)
        count += sum(1 for m in batch if m.error() is None)
    print(time.time() - started)
    """

    func runReference(_ command: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
