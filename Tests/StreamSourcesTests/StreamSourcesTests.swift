import Foundation
import Kafka
import MLedgerTesting
import MQTT
import StreamSources
import Testing

let repositoryRoot = BrokerProcess.repositoryRoot(from: #filePath)

/// Parses a payload (one reading object or an array of them) with Foundation's JSON reader,
/// independent of the code that wrote it.
func parseReadings(_ payload: [UInt8]) throws -> [(timestamp: Int64, power: Double)] {
    let object = try JSONSerialization.jsonObject(with: Data(payload))
    let list = (object as? [[String: Any]]) ?? [(object as! [String: Any])]
    return list.map { reading in
        let voltage = reading["voltage"] as! [Double], current = reading["current"] as! [Double]
        let factor = reading["power_factor"] as! [Double]
        return ((reading["timestamp"] as! NSNumber).int64Value, (0..<3).reduce(0.0) { $0 + voltage[$1] * current[$1] * factor[$1] })
    }
}

/// Hourly means of P keyed by hour index from `start`.
func hourlyMeans(_ readings: [(timestamp: Int64, power: Double)], start: Int64) -> [Int: (sum: Double, count: Int)] {
    var hours: [Int: (sum: Double, count: Int)] = [:]
    for reading in readings {
        let hour = Int((reading.timestamp - start) / 3600)
        hours[hour, default: (0, 0)].sum += reading.power
        hours[hour, default: (0, 0)].count += 1
    }
    return hours
}

func loadSeries(_ name: String) throws -> [Double] {
    let file = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/datasets/\(name)")
    guard let text = try? String(contentsOf: file, encoding: .utf8) else {
        throw BrokerProcess.Failure.missing("\(file.path) is missing: the simulator tests replay the shared PV series")
    }
    return try ReadingSynthesizer.hourlySeries(csv: text)
}

@Suite("Stream sources: URLs, synthetic readings, the simulator end to end", .serialized)
struct StreamSourcesTests {
    @Test("source URLs parse into subscriptions; bad ones are named")
    func urls() throws {
        guard case .mqtt(let subscription) = try StreamSourceURL("mqtt://meter:pw@10.0.0.5:1884/plant/a/readings?qos=0&version=5&client_id=ol-1&clean=false") else {
            Issue.record("not MQTT"); return
        }
        #expect(subscription.host == "10.0.0.5" && subscription.port == 1884 && subscription.topic == "plant/a/readings")
        #expect(subscription.qos == .atMostOnce && subscription.version == .v5 && subscription.clientID == "ol-1" && !subscription.cleanSession)
        #expect(subscription.username == "meter" && subscription.password == "pw")
        #expect(try StreamSourceURL("kafka://broker:19092/readings?partition=2") == .kafka(host: "broker", port: 19092, topic: "readings", partition: 2))
        #expect(try StreamSourceURL("kafka://broker/readings") == .kafka(host: "broker", port: 9092, topic: "readings", partition: 0))
        for bad in ["mqtt://host", "ftp://host/t", "mqtt://host/t?qos=2", "mqtt://host/t?clean=false", "kafka://h/t?partition=-1",
                    "mqtts://host/t", "not a url", "mqtt:///t", "mqtt://host/t?ca=/ca.pem", "mqtts://host/t?ca=/ca.pem&cert=/c.pem",
                    "mqtts://host/t?ca=/ca.pem&key=/c.key"] {
            #expect(throws: StreamSourceURL.ParseError.self, "\(bad)") { try StreamSourceURL(bad) }
        }
    }

    @Test("every hour's mean of P = Σ V·I·pf reproduces the series (pv-greensboro, first 72 hours)")
    func hourlyMeansReproduceTheSeries() throws {
        let series = Array(try loadSeries("pv-greensboro-hourly.csv").prefix(72))
        #expect(series.contains { $0 > 1000 } && series.contains(0))
        var synthesizer = ReadingSynthesizer(seed: 7)
        var varied = false
        for (hour, value) in series.enumerated() {
            let readings = synthesizer.hour(meanPower: value, start: 1_704_067_200 + Int64(hour) * 3600)
            #expect(readings.count == 3600)
            #expect(readings.first?.timestamp == 1_704_067_200 + Int64(hour) * 3600)
            // Through the JSON text, read back by Foundation.
            let parsed = try parseReadings(ThreePhaseReading.payload(readings[...]))
            let mean = parsed.map(\.power).reduce(0, +) / 3600
            #expect(abs(mean - value) <= 1e-9 * max(1, value), "hour \(hour): \(mean) vs \(value)")
            if value > 0 {
                let powers = parsed.map(\.power)
                varied = varied || (powers.max()! - powers.min()!) > 0.05 * value
                #expect(readings.allSatisfy { r in r.voltage.allSatisfy { (200...260).contains($0) } && r.powerFactor.allSatisfy { (0.85...1).contains($0) } })
            }
        }
        #expect(varied, "the readings carry noise")
        // Same seed, same readings; another seed, other readings.
        var again = ReadingSynthesizer(seed: 7), twin = ReadingSynthesizer(seed: 7), other = ReadingSynthesizer(seed: 8)
        let a = again.hour(meanPower: 1234, start: 0), b = twin.hour(meanPower: 1234, start: 0)
        #expect(a == b)
        #expect(other.hour(meanPower: 1234, start: 0) != a)
    }

    @Test("series CSV errors name the line")
    func seriesErrors() {
        #expect(throws: ReadingSynthesizer.SeriesError.invalid("no power_w column in the header [\"watts\"]")) {
            try ReadingSynthesizer.hourlySeries(csv: "watts\n1\n")
        }
        #expect(throws: ReadingSynthesizer.SeriesError.invalid("line 3: power_w is not a number")) {
            try ReadingSynthesizer.hourlySeries(csv: "power_w\n1.5\nabc\n")
        }
    }

    /// Replays `hours` hours of pv-greensboro (from hour 12) with the simulator to `url` and
    /// reads them back through `StreamSources`; every hour must hold 3,600 readings whose mean
    /// is the series value.
    func replayThroughMQTT(url: String, hours: Int, seed: UInt64) async throws {
        let series = Array(try loadSeries("pv-greensboro-hourly.csv").dropFirst(12).prefix(hours))
        let stream = try StreamSources.messages(from: url)
        var iterator = stream.makeAsyncIterator()
        try await Task.sleep(nanoseconds: 500_000_000)  // subscribed before the first publish
        let simulator = try Simulator(series: series, start: 1_704_067_200, speedup: 1_000_000, seed: seed, readingsPerMessage: 60)
        let publisher = try await MQTTStreamPublisher(url: url)
        #expect(try await simulator.run(to: publisher) == 3600 * hours)
        await publisher.close()
        var readings: [(timestamp: Int64, power: Double)] = []
        while readings.count < 3600 * hours, let message = try await iterator.next() {
            #expect(message.source == url && message.position == nil)
            readings += try parseReadings(message.payload)
        }
        let means = hourlyMeans(readings, start: 1_704_067_200)
        for (hour, value) in series.enumerated() {
            #expect(means[hour]?.count == 3600)
            #expect(abs((means[hour]?.sum ?? .nan) / 3600 - value) <= 1e-9 * max(1, value))
        }
    }

    @Test("simulator → mosquitto (QoS 1, 60 readings a message) → StreamSources: 2 hours, means exact")
    func simulatorOverMQTT() async throws {
        let broker = try TestBrokers.mosquitto()
        try await replayThroughMQTT(url: "mqtt://127.0.0.1:\(broker.port)/plant/readings?qos=1", hours: 2, seed: 3)
    }

    @Test("simulator → mosquitto over mutual TLS (mqtts:// with ca, cert, key) → StreamSources: 1 hour, mean exact")
    func simulatorOverMutualTLS() async throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let broker = try TestBrokers.mosquitto(extraConfig: certificates.mosquittoConfig(requireClientCertificate: true))
        let url = "mqtts://127.0.0.1:\(broker.port)/plant/tls?qos=1&ca=\(certificates.caFile)"
            + "&cert=\(certificates.clientCertificate)&key=\(certificates.clientKey)"
        guard case .mqtt(let subscription) = try StreamSourceURL(url) else { Issue.record("not MQTT"); return }
        #expect(subscription.caFile == certificates.caFile && subscription.certificateFile == certificates.clientCertificate
                && subscription.keyFile == certificates.clientKey)
        try await replayThroughMQTT(url: url, hours: 1, seed: 5)
    }

    @Test("simulator → tansu (gzip batches) → StreamSources from a stored position")
    func simulatorOverKafka() async throws {
        let broker = try TestBrokers.tansu(repositoryRoot: repositoryRoot)
        try TestBrokers.createTopic("readings", on: broker)
        let series = Array(try loadSeries("pv-sandpoint-hourly.csv").dropFirst(10).prefix(2))
        let url = "kafka://127.0.0.1:\(broker.port)/readings"
        let simulator = try Simulator(series: series, start: 1_704_067_200, speedup: 1_000_000, seed: 5, readingsPerMessage: 10)
        let publisher = try KafkaStreamPublisher(url: url, compression: .gzip)
        #expect(try await simulator.run(to: publisher) == 7200)
        await publisher.close()
        // 720 messages of 10 readings. Resume after position 99: messages 100… arrive, each once.
        var positions: [UInt64] = []
        var readings: [(timestamp: Int64, power: Double)] = []
        for try await message in try StreamSources.messages(from: url, resumeAfter: 99) {
            positions.append(message.position!)
            let batch = try parseReadings(message.payload)
            #expect(batch.count == 10, "message \(message.position!) holds \(batch.count) readings")
            readings += batch
            if positions.count == 620 { break }
        }
        #expect(positions == Array(100..<720))
        let firstTimestamp: Int64 = readings.first?.timestamp ?? 0
        #expect(firstTimestamp == 1_704_068_200)
        // The second hour arrived whole: its mean is exact.
        let means = hourlyMeans(readings, start: 1_704_067_200)
        // Every message holds 10 readings (the simulator sends whole messages), so messages
        // 360..<720 are exactly the second hour.
        #expect(means[1]?.count == 3600)
        #expect(abs((means[1]?.sum ?? 0) / 3600 - series[1]) <= 1e-9 * max(1, series[1]))
    }
}
