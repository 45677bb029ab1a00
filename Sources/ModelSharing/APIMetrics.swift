import Foundation
import Hummingbird
import NIOCore
import Prometheus

/// The REST API's Prometheus metrics, served at `GET /metrics` in the text exposition format.
///
/// Every label value comes from a closed set (route patterns, methods, status codes), never from
/// the raw path or a body: ids in paths would otherwise make one time series per record.
///
/// - `mledger_api_requests_total{method, route, status}`: requests answered;
/// - `mledger_api_request_bytes_total{route}`, `mledger_api_response_bytes_total{route}`: body
///   bytes read and written (a streamed download counts what was actually written);
/// - `mledger_api_registration_duration_seconds{route}`: time to a successful registration
///   (store, anchor and index), for the routes that create or finalize a record;
/// - `mledger_api_integrity_failures_total{kind}`: downloads refused or cut because stored bytes
///   did not match what the chain anchors.
public final class APIMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let integrityDataset: Counter
    let integrityModel: Counter

    /// Routes whose successful responses are timed as registrations.
    static let registrationRoutes: Set<String> = [
        "POST /dataset", "POST /model", "POST /model/unverified", "PUT /model/{id}",
        "POST /contract/dataset", "POST /contract/model", "POST /contract/model_unverified",
        "POST /contract/{address}/finalize",
    ]

    /// Registrations anchor two or three transactions; instant sealing makes them milliseconds,
    /// large uploads make them many seconds.
    static let registrationBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10), .seconds(30),
    ]

    static let requests = MetricNameDescriptor(metricName: "mledger_api_requests", unitName: "total",
                                               helpText: "REST requests answered, by route pattern and status")
    static let requestBytes = MetricNameDescriptor(metricName: "mledger_api_request_bytes", unitName: "total",
                                                   helpText: "Request body bytes read")
    static let responseBytes = MetricNameDescriptor(metricName: "mledger_api_response_bytes", unitName: "total",
                                                    helpText: "Response body bytes written")
    static let registrationDuration = MetricNameDescriptor(metricName: "mledger_api_registration_duration", unitName: "seconds",
                                                           helpText: "Time to a successful registration (store, anchor, index)")

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        let integrity = MetricNameDescriptor(metricName: "mledger_api_integrity_failures", unitName: "total",
                                             helpText: "Downloads refused or cut because the stored bytes do not match the chain")
        integrityDataset = registry.makeCounter(descriptor: integrity, labels: [("kind", "dataset")])
        integrityModel = registry.makeCounter(descriptor: integrity, labels: [("kind", "model")])
    }

    /// Counts one refused (or cut) download of a tampered object.
    func integrityFailure(_ kind: ModelSharingService.DownloadKind) {
        switch kind {
        case .dataset: integrityDataset.increment()
        case .model: integrityModel.increment()
        }
    }

    func request(method: String, route: String, status: Int) {
        registry.makeCounter(descriptor: Self.requests,
                             labels: [("method", method), ("route", route), ("status", String(status))]).increment()
    }

    func bytesIn(route: String, _ count: Int) {
        guard count > 0 else { return }
        registry.makeCounter(descriptor: Self.requestBytes, labels: [("route", route)]).increment(by: Int64(count))
    }

    func bytesOut(route: String, _ count: Int) {
        guard count > 0 else { return }
        registry.makeCounter(descriptor: Self.responseBytes, labels: [("route", route)]).increment(by: Int64(count))
    }

    func registration(route: String, nanoseconds: UInt64) {
        registry.makeDurationHistogram(
            descriptor: Self.registrationDuration,
            labels: [("route", route)], buckets: Self.registrationBuckets
        ).recordNanoseconds(Int64(clamping: nanoseconds))
    }

    /// The exposition text of every metric.
    public func exposition() -> [UInt8] { registry.emitToBuffer() }
}

/// Counts every request by route pattern and status, and the body bytes each way; times
/// successful registrations. Added first, so it sees the status of every other middleware's answer.
struct APIMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: APIMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        let method = request.method.rawValue
        let received = ByteCounter()
        var request = request
        if request.method != .get, request.method != .head {
            let body = request.body
            request.body = RequestBody(asyncSequence: body.map { buffer in
                received.add(buffer.readableBytes)
                return buffer
            })
        }
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            // Unmatched paths (the router's 404) and other thrown HTTP errors: Hummingbird writes them.
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            let route = Self.route(context)
            metrics.request(method: method, route: route, status: status)
            metrics.bytesIn(route: route, received.value)
            throw error
        }
        let route = Self.route(context)
        let status = response.status.code
        metrics.request(method: method, route: route, status: status)
        if (200..<300).contains(status), APIMetrics.registrationRoutes.contains("\(method) \(route)") {
            metrics.registration(route: route, nanoseconds: DispatchTime.now().uptimeNanoseconds - start)
        }
        // Bytes are counted once the body has been written (downloads stream long after this returns).
        let body = response.body
        let metrics = self.metrics
        response.body = ResponseBody(contentLength: body.contentLength) { writer in
            let sent = ByteCounter()
            defer {
                metrics.bytesIn(route: route, received.value)
                metrics.bytesOut(route: route, sent.value)
            }
            try await body.write(CountingWriter(parent: writer, counter: sent))
        }
        return response
    }

    /// The matched route pattern (`/model/{id}`), or "unmatched": never the raw path.
    static func route(_ context: Context) -> String {
        guard let path = context.endpointPath, path != "NotFound" else { return "unmatched" }
        return path
    }
}

/// A byte count shared between a request's tasks.
final class ByteCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add(_ n: Int) { lock.lock(); count += n; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}

/// Passes writes through, counting their bytes.
struct CountingWriter: ResponseBodyWriter {
    var parent: any ResponseBodyWriter
    let counter: ByteCounter

    mutating func write(_ buffer: ByteBuffer) async throws {
        counter.add(buffer.readableBytes)
        try await parent.write(buffer)
    }

    mutating func write(contentsOf buffers: some Sequence<ByteBuffer>) async throws {
        for buffer in buffers { try await write(buffer) }
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
        try await parent.finish(trailingHeaders)
    }
}

extension ModelSharingService {
    /// `GET /metrics`: the Prometheus text format.
    func addMetricsRoute<Context: RequestContext>(to router: Router<Context>) {
        let metrics = self.metrics
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
        }
    }
}
