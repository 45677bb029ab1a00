import Auth
import Foundation
import Hummingbird
import Logging
import ModelSharing
import Primitives

extension SharingBench {
    // MARK: Registrations

    /// `--registrations` JSON datasets, then as many JSON models citing the first, from
    /// `--clients` keep-alive connections; returns a model id for the latency run.
    func registrations(port: Int) throws -> String {
        let count = options.registrations
        let datasets = try load(port: port, count: count) { i in
            let hash = String(format: "0x%064x", i + 1)
            let body = #"{"organization_id": "bench", "developer_id": "bench", "samples_dimension": "(8)", "size_bytes": 1000, "hash": "\#(hash)"}"#
            return ("POST", "/dataset", Array(body.utf8))
        }
        guard let dataset = datasets.ids.first else { throw NodeBenchError.transport("no dataset registered") }
        let models = try load(port: port, count: count) { _ in
            let body = #"{"model_params": {"developer_id": "bench", "organization_id": "bench", "train_image": "mledger/bench:1", "params": {"lr": 0.01}}, "data_params": {"dataset_id": "\#(dataset)"}}"#
            return ("POST", "/model", Array(body.utf8))
        }
        guard let model = models.ids.first else { throw NodeBenchError.transport("no model registered") }
        let noop = try load(port: port, count: max(2000, count)) { _ in ("GET", "/bench/noop", []) }
        let noopRate = Double(noop.count) / noop.seconds
        let reference = String(format: "no-op route %.0f req/s on the same %d connections", noopRate, options.clients)
        report("JSON dataset registrations (POST /dataset)", Double(count) / datasets.seconds, "/s", reference: reference)
        report("JSON model registrations (POST /model)", Double(count) / models.seconds, "/s", reference: reference)
        report("  datasets + models together", Double(2 * count) / (datasets.seconds + models.seconds), "/s", reference: "target 500/s")
        return model
    }

    /// Sends `count` requests from `options.clients` threads, one keep-alive connection each;
    /// every answer must be 200. Returns the wall time and the ids the answers carried.
    func load(port: Int, count: Int, request: @escaping @Sendable (Int) -> (String, String, [UInt8])) throws
        -> (seconds: Double, count: Int, ids: [String]) {
        let state = LoadState()
        let group = DispatchGroup()
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<options.clients {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                do {
                    let socket = try SharingBenchSocket(port: port)
                    while let i = state.next(below: count) {
                        let (method, path, body) = request(i)
                        let (status, answer) = try socket.exchange(method, path, contentType: body.isEmpty ? nil : "application/json", body: body)
                        guard status == 200 else {
                            throw NodeBenchError.transport("\(method) \(path) answered \(status): \(String(decoding: answer.prefix(300), as: UTF8.self))")
                        }
                        if !answer.isEmpty {
                            state.add(JSONValueText.string(answer, key: "dataset_id") ?? JSONValueText.string(answer, key: "model_id"))
                        }
                    }
                } catch {
                    state.fail(error)
                }
            }
        }
        group.wait()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        if let error = state.failure { throw error }
        return (seconds, count, state.ids)
    }

    // MARK: Latency

    /// p99 of `GET /model/{id}/metadata` and of the no-op route, each under 50 wrk connections.
    /// The metadata run's figures, for the bearer-token comparison; nil when wrk is missing.
    func latency(port: Int, modelId: String) throws -> WrkLoad.Result? {
        guard let wrk = WrkLoad() else {
            print("p99 GET /model/{id}/metadata, 50 clients: skipped, wrk not installed (apt-get install wrk)")
            return nil
        }
        let noop = try wrk.run(url: "http://127.0.0.1:\(port)/bench/noop", seconds: options.wrkSeconds, connections: 50)
        let metadata = try wrk.run(url: "http://127.0.0.1:\(port)/model/\(modelId)/metadata", seconds: options.wrkSeconds, connections: 50)
        report("p99 GET /model/{id}/metadata, 50 clients", metadata.p99Milliseconds, "ms",
               reference: String(format: "no-op route p99 %.2f ms; %.0f vs %.0f req/s; target < 20 ms",
                                 noop.p99Milliseconds, metadata.requestsPerSecond, noop.requestsPerSecond))
        return metadata
    }

    /// The same metadata route on a second listener of the same service whose callers must
    /// present a bearer token (ES256, verified by `TokenVerifier` as `--auth oidc` would), run
    /// right after the plain one: the issue's rule is auth on within 1.2x of auth off.
    func latencyWithBearerTokens(service: ModelSharingService, logger: Logger, modelId: String,
                                 plain: WrkLoad.Result) throws {
        guard let wrk = WrkLoad() else { return }
        let issuer = try TestIssuer.make(issuer: "https://issuer.bench")
        var guarded = service
        guarded.access = AccessConfiguration(authentication: .bearer(TokenVerifier(
            policy: TokenPolicy(issuer: "https://issuer.bench", audience: "mledger"), keys: FixedKeySource(try issuer.verificationKeys()))))
        let token = try issuer.sign(issuer.claims(company: "bench", developer: "bench", lifetime: 3_600), algorithm: "ES256")
        let port = PortBox()
        let app = Application(router: guarded.makeRouter(),
                              configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0), serverName: "MLedger"),
                              onServerRunning: { channel in port.set(channel.localAddress?.port ?? 0) }, logger: logger)
        let server = Task { try await app.runService() }
        defer { server.cancel() }
        let listening = try port.wait(seconds: 30)
        let guardedRun = try wrk.run(url: "http://127.0.0.1:\(listening)/model/\(modelId)/metadata", seconds: options.wrkSeconds, connections: 50,
                                    header: "Authorization: Bearer \(token)")
        report("  same with a bearer token (ES256)", guardedRun.p99Milliseconds, "ms",
               reference: String(format: "without a token (run above) p99 %.2f ms: %.2fx (target <= 1.2x); %.0f vs %.0f req/s",
                                 plain.p99Milliseconds, guardedRun.p99Milliseconds / max(plain.p99Milliseconds, 1e-9),
                                 guardedRun.requestsPerSecond, plain.requestsPerSecond))
    }
}

/// Work distribution and results of one load run, shared by its client threads.
final class LoadState: @unchecked Sendable {
    private let lock = NSLock()
    private var issued = 0
    private var collected: [String] = []
    private var error: (any Error)?

    func next(below count: Int) -> Int? {
        lock.withLock {
            guard issued < count, error == nil else { return nil }
            issued += 1
            return issued - 1
        }
    }

    func add(_ id: String?) { if let id { lock.withLock { collected.append(id) } } }
    func fail(_ failure: any Error) { lock.withLock { if error == nil { error = failure } } }
    var ids: [String] { lock.withLock { collected } }
    var failure: (any Error)? { lock.withLock { error } }
}
