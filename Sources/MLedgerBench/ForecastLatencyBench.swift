import DevStack
import Foundation
import MLedgerTesting
import MQTT
import OnlineLearning
import Primitives

/// One synthetic three-phase reading at the start of `hour` whose power follows a daily cycle
/// (what the REST benchmarks feed a service until it has something to serve).
func syntheticHourReading(hour: Int, second: Int = 0) -> [UInt8] {
    let level = 5 + 4 * sin(Double(hour % 24) / 24 * 2 * Double.pi)
    return Array(("{\"timestamp\": \(hour * 3600 + second), \"voltage\": [230, 230, 230], \"current\": [\(level), \(level), \(level)], "
        + "\"power_factor\": [1, 1, 1]}").utf8)
}

/// Feeds one reading an hour, waiting for each training step, until the service serves its
/// first anchored snapshot; returns the number of hours fed.
func feedUntilFirstSnapshot(_ service: OnlineLearningService, maxHours: Int = 400) async throws -> Int {
    for hour in 0..<maxHours {
        await service.ingest(payload: syntheticHourReading(hour: hour), source: "http", position: nil)
        await service.waitForTraining()
        if service.serving.model != nil { return hour + 1 }
    }
    throw NodeBenchError.setup("no snapshot after \(maxHours) hours")
}

extension StreamsBench {
    /// Publish → updated forecast: a service reading `mqtt://` through the same connector as
    /// `mledger run` (StreamSourceConnector), serving a snapshot; each sample publishes one QoS 1
    /// reading that closes the previous hour and stops the clock once the service has closed
    /// that hour and a forecast from the new window is computed (what `:predict` with
    /// `"instances": []` answers). Training steps fall due every 12 hours during the run, as in
    /// service. Reference in the same run: publish → delivery to a bare MQTTClient subscriber
    /// on the same broker (the broker hop alone).
    func forecastLatencyRound(stack: DevSharingStack, samples: Int = 200) async throws {
        let broker = try TestBrokers.mosquitto()
        defer { broker.stop() }
        let hub = OnlineLearningHub(dataDirectory: stack.directory, sharing: stack.service, logger: benchLogger,
                                    streams: StreamSourceConnector(logger: benchLogger))
        let source = "mqtt://127.0.0.1:\(broker.port)/bench/latency?qos=1"
        let declaration = #"{"name": "latency", "organization_id": "bench", "sources": ["\#(source)"], "batch": {"hours": 12}, "#
            + #""transformer": {"lateness_seconds": 0}}"#
        let service = try await hub.declare(try OnlineServiceSpec(json: JSONValue.parse(Array(declaration.utf8))!))
        var hour = try await feedUntilFirstSnapshot(service)

        let publisher = try MQTTClient(options: MQTTOptions(port: broker.port))
        try await publisher.connect()
        defer { publisher.close() }
        // The connector subscribes on its own schedule: publish readings inside the current hour
        // (they close nothing new after the first) until one arrives.
        let acceptedBefore = await service.currentState.acceptedReadings
        var probe = 0
        while await service.currentState.acceptedReadings == acceptedBefore {
            guard probe < 100 else { throw NodeBenchError.setup("the service's MQTT source received nothing in 10 s") }
            _ = try publisher.enqueue("bench/latency", payload: syntheticHourReading(hour: hour, second: probe), qos: .atLeastOnce)
            probe += 1
            try await Task.sleep(nanoseconds: 100_000_000)
        }

        var latencies = [Double]()
        for _ in 0..<samples {
            hour += 1
            let closedBefore = await service.currentState.closedHours
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try publisher.enqueue("bench/latency", payload: syntheticHourReading(hour: hour), qos: .atLeastOnce)
            while await service.currentState.closedHours == closedBefore {
                guard DispatchTime.now().uptimeNanoseconds - start < 10_000_000_000 else {
                    throw NodeBenchError.setup("hour \(hour - 1) not closed 10 s after its successor was published")
                }
                try await Task.sleep(nanoseconds: 20_000)
            }
            guard let window = await service.latestWindow(), let model = service.serving.model else {
                throw NodeBenchError.setup("no window or no serving model after hour \(hour - 1)")
            }
            _ = await model.forecast([window])
            latencies.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        await service.waitForTraining()
        let steps = await service.currentState.trainingSteps

        // The broker hop alone: the same publisher, a bare subscriber.
        let subscriber = try MQTTClient(options: MQTTOptions(port: broker.port))
        try await subscriber.connect()
        defer { subscriber.close() }
        try subscriber.subscribe("bench/echo", qos: .atLeastOnce)
        try await Task.sleep(nanoseconds: 300_000_000)
        var deliveries = subscriber.messages.makeAsyncIterator()
        var hops = [Double]()
        for sample in 0..<samples {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try publisher.enqueue("bench/echo", payload: syntheticHourReading(hour: sample), qos: .atLeastOnce)
            guard await deliveries.next() != nil else { throw NodeBenchError.setup("the reference subscriber stopped") }
            hops.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }

        latencies.sort()
        hops.sort()
        report("publish → updated forecast p50 (MQTT QoS 1)", percentile(latencies, 50), "ms",
               reference: String(format: "p99 %.2f ms over %d hours (%d training steps ran meanwhile); broker hop alone p50 %.2f ms, p99 %.2f ms",
                                 percentile(latencies, 99), samples, steps, percentile(hops, 50), percentile(hops, 99)))
    }
}
