import Chain
import DevStack
import Foundation
import Hummingbird
import LedgerClient
import Logging
import ML
import ModelSharing
import Node
import ObjectStore
import OnlineLearning
import Primitives
import Registry
import Verification
#if canImport(Glibc)
import Glibc
#endif

/// `mledger-bench ol-serve [--clients N] [--seconds S]`: single-window `:predict` latency of an
/// online-learning service under N concurrent keep-alive clients (default 20, 5 s), on an
/// in-process node whose service was fed synthetic hours until its first snapshot was anchored.
/// References in the same run: the raw forward pass of the serving model (one window, no HTTP),
/// and a no-op route under the same clients.
func runOnlineServeBenchmarks() {
    var clients = 20
    var seconds = 5.0
    var rest = CommandLine.arguments.dropFirst(2)
    while let flag = rest.popFirst() {
        guard let value = rest.popFirst(), let number = Double(value), number > 0 else {
            FileHandle.standardError.write("usage: mledger-bench ol-serve [--clients N] [--seconds S]\n".data(using: .utf8)!)
            exit(2)
        }
        switch flag {
        case "--clients": clients = Int(number)
        case "--seconds": seconds = number
        default:
            FileHandle.standardError.write("unknown option \(flag)\n".data(using: .utf8)!)
            exit(2)
        }
    }
    do { try OnlineServeBench(clients: clients, seconds: seconds).run() } catch {
        FileHandle.standardError.write("ol-serve: \(error)\n".data(using: .utf8)!)
        exit(1)
    }
}

final class OnlineServeBench: @unchecked Sendable {
    let clients: Int
    let seconds: Double

    init(clients: Int, seconds: Double) {
        self.clients = clients
        self.seconds = seconds
    }

    /// Runs an async body from this synchronous bench and waits for it.
    func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox<T>()
        Task {
            do { box.result = .success(try await body()) } catch { box.result = .failure(error) }
            done.signal()
        }
        done.wait()
        return try box.result!.get()
    }

    func run() throws {
        print("== ol-serve ==")
        let bench = try DevSharingStack.bench("ol-serve", genesisPath: "genesis/dev.json")
        defer { bench.close() }
        let (sharing, logger) = (bench.service, benchLogger)
        let hub = OnlineLearningHub(dataDirectory: bench.directory, sharing: sharing, logger: logger)
        let declaration = #"{"name": "bench", "organization_id": "bench", "batch": {"hours": 12}, "transformer": {"lateness_seconds": 0}}"#
        let service = try blocking { try await hub.declare(try OnlineServiceSpec(json: JSONValue.parse(Array(declaration.utf8))!)) }
        _ = try blocking { try await feedUntilFirstSnapshot(service) }
        guard let model = service.serving.model else { throw NodeBenchError.setup("no serving model") }
        let window = (0..<36).map { 1000 + 500 * sin(Double($0) / 24 * 2 * Double.pi) }

        // Reference 1: the raw forward pass of one replica (one window, scaling included, no
        // batching), median of 2,000.
        var forward = [Double]()
        for _ in 0..<2000 {
            let start = DispatchTime.now().uptimeNanoseconds
            let input = Tensor(shape: [1, 36, 1], scalars: window.map { model.scaler.scale(Float($0)) })
            _ = GradientMode.withoutGradients { model.model.forward(Variable(input)).value.scalars.map(model.scaler.invert) }
            forward.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        forward.sort()

        let router = sharing.makeRouter(extraRoutes: [OnlineLearningRoutes(hub: hub)])
        router.get("/bench/noop") { _, _ -> HTTPResponse.Status in .ok }
        let port = PortBox()
        let app = Application(router: router,
                              configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0), serverName: "MLedger"),
                              onServerRunning: { channel in port.set(channel.localAddress?.port ?? 0) }, logger: logger)
        let server = Task { try await app.runService() }
        defer { server.cancel() }
        let listening = try port.wait(seconds: 30)
        let body = Array(("{\"instances\": [[" + window.map { String($0) }.joined(separator: ",") + "]]}").utf8)
        let noop = try load(port: listening, method: "GET", path: "/bench/noop", body: [])
        let predict = try load(port: listening, method: "POST", path: "/v1/models/bench:predict", body: body)
        report("`:predict` p99, 1 window, \(clients) client threads", predict.p99, "ms",
               reference: String(format: "target < 5 ms; p50 %.2f ms, %.0f req/s; raw forward p50 %.3f ms p99 %.3f ms; no-op route p99 %.2f ms at %.0f req/s",
                                 predict.p50, predict.rate, percentile(forward, 50), percentile(forward, 99), noop.p99, noop.rate))
        // The same under wrk: its two event-loop threads leave the server more of the 2 cores
        // than one blocking client thread per connection does.
        guard let wrk = WrkLoad() else {
            print("`:predict` p99 under wrk: skipped, wrk not installed (apt-get install wrk)")
            return
        }
        let wrkSeconds = max(1, Int(seconds.rounded()))
        let wrkNoop = try wrk.run(url: "http://127.0.0.1:\(listening)/bench/noop", seconds: wrkSeconds, connections: clients)
        let wrkPredict = try wrk.run(url: "http://127.0.0.1:\(listening)/v1/models/bench:predict", seconds: wrkSeconds, connections: clients,
                                     postJSON: String(decoding: body, as: UTF8.self))
        report("`:predict` p99, 1 window, wrk \(clients) connections", wrkPredict.p99Milliseconds, "ms",
               reference: String(format: "target < 5 ms; p50 %.2f ms, %.0f req/s; no-op route p99 %.2f ms at %.0f req/s",
                                 wrkPredict.p50Milliseconds, wrkPredict.requestsPerSecond, wrkNoop.p99Milliseconds, wrkNoop.requestsPerSecond))
    }

    /// `clients` keep-alive connections on their own threads sending one request after another
    /// for `seconds`; every answer must be 200.
    func load(port: Int, method: String, path: String, body: [UInt8]) throws -> (p50: Double, p99: Double, rate: Double) {
        let tally = LoadTally()
        let group = DispatchGroup()
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(seconds * 1e9)
        for _ in 0..<clients {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                var mine = [Double]()
                do {
                    let socket = try SharingBenchSocket(port: port)
                    while DispatchTime.now().uptimeNanoseconds < deadline {
                        let start = DispatchTime.now().uptimeNanoseconds
                        let (status, _) = try socket.exchange(method, path, contentType: body.isEmpty ? nil : "application/json", body: body)
                        guard status == 200 else { throw NodeBenchError.transport("\(path) answered \(status)") }
                        mine.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
                    }
                } catch { tally.fail("\(error)") }
                tally.add(mine)
            }
        }
        group.wait()
        if let failure = tally.failure { throw NodeBenchError.transport(failure) }
        let latencies = tally.latencies.sorted()
        guard !latencies.isEmpty else { throw NodeBenchError.transport("no answers") }
        return (percentile(latencies, 50), percentile(latencies, 99), Double(latencies.count) / seconds)
    }
}

final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, any Error>?
}

/// Latencies and the first failure of the load threads.
final class LoadTally: @unchecked Sendable {
    private let lock = NSLock()
    private var all = [Double]()
    private var firstFailure: String?
    func add(_ values: [Double]) { lock.withLock { all += values } }
    func fail(_ why: String) { lock.withLock { if firstFailure == nil { firstFailure = why } } }
    var latencies: [Double] { lock.withLock { all } }
    var failure: String? { lock.withLock { firstFailure } }
}
