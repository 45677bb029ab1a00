import ArgumentParser
import Foundation
import Kafka
import StreamSources

/// `mledger simulate`: replays an hourly PV series as one-second three-phase readings.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Publish one-second three-phase readings derived from an hourly power series (MQTT, Kafka or HTTP).",
        discussion: """
        Each hour of the series' power_w column becomes 3,600 readings {"timestamp","voltage","current",
        "power_factor"} with seeded noise; the mean of P = Σ V·I·pf over the hour equals the series value.
        Examples:
          mledger simulate --series pv.csv --speedup 3600 --hours 48 --mqtt mqtt://127.0.0.1:1883/plant/readings
          mledger simulate --series pv.csv --speedup 36000 --batch 100 --kafka kafka://127.0.0.1:9092/readings
          mledger simulate --series pv.csv --speedup 600 --batch 60 --http http://127.0.0.1:8080/ol/pv/data
        """)

    @Option(help: "CSV file with a power_w column, one row per hour.")
    var series: String

    @Option(help: "Simulated seconds per wall-clock second (3600: an hour of readings per second).")
    var speedup: Double

    @Option(help: "Replay only the first H hours.")
    var hours: Int?

    @Option(help: "Seed of the noise (same seed, same readings).")
    var seed: UInt64 = 1

    @Option(help: "Unix time of the first hour (default 2024-01-01T00:00:00Z).")
    var start: Int64 = 1_704_067_200

    @Option(help: "Readings per message (1: a JSON object; more: a JSON array).")
    var batch: Int = 1

    @Option(help: "MQTT target: mqtt://host:port/topic[?qos=0|1&version=5&client_id=…].")
    var mqtt: String?

    @Option(help: "Kafka target: kafka://host:port/topic[?partition=N].")
    var kafka: String?

    @Flag(help: "Kafka only: gzip-compress the record batches.")
    var gzip = false

    @Option(help: "HTTP target: the URL each message is POSTed to (e.g. the service's /ol/{name}/data).")
    var http: String?

    func validate() throws {
        guard [mqtt, kafka, http].compactMap({ $0 }).count == 1 else {
            throw ValidationError("give exactly one of --mqtt, --kafka, --http")
        }
        guard speedup > 0, speedup.isFinite else { throw ValidationError("--speedup must be a positive number") }
        if let hours, hours < 1 { throw ValidationError("--hours must be at least 1") }
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
        guard start % 3600 == 0 else { throw ValidationError("--start must be on a UTC hour (a multiple of 3600)") }
    }

    func run() async throws {
        let text: String
        do { text = try String(contentsOfFile: series, encoding: .utf8) } catch {
            throw CommandFailure("cannot read --series \(series): \(error.localizedDescription)")
        }
        var values = try ReadingSynthesizer.hourlySeries(csv: text)
        if let hours { values = Array(values.prefix(hours)) }
        let simulator = try Simulator(series: values, start: start, speedup: speedup, seed: seed, readingsPerMessage: batch)
        let publisher: any StreamPublisher
        if let mqtt {
            publisher = try await MQTTStreamPublisher(url: mqtt)
        } else if let kafka {
            publisher = try KafkaStreamPublisher(url: kafka, compression: gzip ? .gzip : .none)
        } else {
            publisher = try HTTPStreamPublisher(url: http!)
        }
        let showProgress = isatty(fileno(stderr)) != 0
        let began = Date()
        var lastDrawn = Date.distantPast
        let sent: Int
        do {
            sent = try await simulator.run(to: publisher) { done, total in
                guard showProgress, Date().timeIntervalSince(lastDrawn) > 0.2 || done == total else { return }
                lastDrawn = Date()
                let width = 30
                let filled = Int(Double(width) * Double(done) / Double(total))
                let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
                let line = String(format: "\r[%@] %5.1f%%  hour %d/%d  %d readings", bar, 100 * Double(done) / Double(total),
                                  done / 3600, total / 3600, done)
                FileHandle.standardError.write(Data(line.utf8))
            }
        } catch {
            await publisher.close()
            throw CommandFailure("publishing failed: \(error)")
        }
        await publisher.close()
        if showProgress { FileHandle.standardError.write(Data("\n".utf8)) }
        let seconds = Date().timeIntervalSince(began)
        print(String(format: "published %d readings (%d hours) in %.1f s (%.0f readings/s)", sent, values.count, seconds, Double(sent) / max(seconds, 1e-9)))
    }
}
