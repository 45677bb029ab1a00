import Chain
import DevStack
import Foundation
import Hummingbird
import LedgerClient
import Logging
import ModelSharing
import Node
import ObjectStore
import Primitives
import Registry
import Training
import Verification

/// `mledger-bench training [--jobs N]`: queue-to-running overhead of the training service on an
/// in-process node (instant sealing) over loopback HTTP. Each job is posted to an idle worker
/// pool; the figure is the job's own `started - created` (the registry insert to the worker's
/// `running` write), beside a single registry row update measured in the same run.
func runTrainingBenchmarks() {
    do {
        var jobs = 20
        let arguments = Array(CommandLine.arguments.dropFirst(2))
        if arguments.count == 2, arguments[0] == "--jobs", let n = Int(arguments[1]), n > 0 { jobs = n } else if !arguments.isEmpty {
            throw NodeBenchError.setup("usage: mledger-bench training [--jobs N]")
        }
        try TrainingBench(jobs: jobs).run()
    } catch {
        FileHandle.standardError.write("training: \(error)\n".data(using: .utf8)!)
        exit(1)
    }
}

struct TrainingBench {
    let jobs: Int

    func run() throws {
        print("== training ==")
        let stack = try DevSharingStack.bench("training", genesisPath: "genesis/dev.json")
        defer { stack.close() }
        let (sharing, registry, logger) = (stack.service, stack.registry, benchLogger)
        var settings = TrainingConfiguration()
        settings.threads = 1
        let training = TrainingService(sharing: sharing, configuration: settings, logger: logger)
        let started = DispatchSemaphore(value: 0)
        Task { try? await training.start(); started.signal() }
        started.wait()
        defer { training.stop() }
        let port = PortBox()
        let app = Application(router: sharing.makeRouter(extraRoutes: [training]),
                              configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0), serverName: "MLedger"),
                              onServerRunning: { channel in port.set(channel.localAddress?.port ?? 0) }, logger: logger)
        let server = Task { try await app.runService() }
        defer { server.cancel() }
        let client = try SharingBenchSocket(port: try port.wait(seconds: 30))

        let csv = "power_w\n" + (0..<120).map { String(format: "%.2f\n", 50 + 40 * sin(Double($0) / 4)) }.joined()
        let boundary = "mledger-bench-boundary"
        let multipart = "--\(boundary)\r\nContent-Disposition: form-data; name=\"metadata\"\r\n\r\n"
            + #"{"organization_id": "bench", "samples_dimension": "(1)"}"# + "\r\n--\(boundary)\r\n"
            + "Content-Disposition: form-data; name=\"file\"; filename=\"pv.csv\"\r\n\r\n" + csv + "\r\n--\(boundary)--\r\n"
        let dataset = try Self.field(client.exchange("POST", "/dataset", contentType: "multipart/form-data; boundary=\(boundary)",
                                                     body: Array(multipart.utf8)), "dataset_id")
        var overheads: [Double] = []
        for i in 0..<jobs {
            let model = #"{"model_params": {"developer_id": "bench", "organization_id": "bench", "train_image": "energy-gru"}, "data_params": {"dataset_id": "\#(dataset)"}}"#
            let modelId = try Self.field(client.exchange("POST", "/model", contentType: "application/json", body: Array(model.utf8)), "model_id")
            let params = #"{"epochs": 1, "seed": \#(i), "batch_size": 32}"#
            let job = try Self.field(client.exchange("POST", "/train/\(modelId)", contentType: "application/json", body: Array(params.utf8)), "job_id")
            var answer: JSONValue = .null
            let deadline = Date().addingTimeInterval(120)
            repeat {
                usleep(5_000)
                let (_, body) = try client.exchange("GET", "/train/\(job)")
                answer = JSONValue.parse(body) ?? .null
            } while !["succeeded", "failed", "cancelled"].contains(answer["status"]?.stringValue ?? "") && Date() < deadline
            guard answer["status"]?.stringValue == "succeeded" else { throw NodeBenchError.transport("job \(job) ended \(answer.serialized)") }
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            guard let created = answer["created"]?.stringValue.flatMap(formatter.date(from:)),
                  let running = answer["started"]?.stringValue.flatMap(formatter.date(from:)) else {
                throw NodeBenchError.transport("job \(job) has no times: \(answer.serialized)")
            }
            overheads.append(running.timeIntervalSince(created) * 1000)
        }
        // Reference: one registry row update, the write the worker does to mark a job running.
        let rows = try syncAwait { try await registry.trainingJobs(company: "bench") }
        guard var row = rows.first else { throw NodeBenchError.transport("no job rows") }
        var updates: [Double] = []
        for _ in 0..<jobs {
            row.progress = "{}"
            let written = row
            let begin = Date()
            try syncAwait { try await registry.updateTrainingJob(written) }
            updates.append(Date().timeIntervalSince(begin) * 1000)
        }
        overheads.sort()
        updates.sort()
        report("queue-to-running, idle pool (median of \(jobs))", overheads[jobs / 2], "ms",
               reference: String(format: "max %.1f ms; one registry row update %.1f ms (median); target < 50 ms", overheads[jobs - 1], updates[jobs / 2]))
    }

    static func field(_ answer: (status: Int, body: [UInt8]), _ name: String) throws -> String {
        guard answer.status / 100 == 2, let value = JSONValue.parse(answer.body)?[name]?.stringValue else {
            throw NodeBenchError.transport("answer \(answer.status): \(String(decoding: answer.body, as: UTF8.self))")
        }
        return value
    }
}

/// Runs async work from the bench's synchronous code and waits for it.
func syncAwait<T>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let done = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var result: Result<T, any Error>?
    Task {
        do { result = .success(try await body()) } catch { result = .failure(error) }
        done.signal()
    }
    done.wait()
    return try result!.get()
}
