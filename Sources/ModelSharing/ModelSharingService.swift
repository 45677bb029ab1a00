import Contracts
import Foundation
import Hummingbird
import LedgerClient
import Logging
import NIOCore
import ObjectStore
import Primitives
import Registry
import RPC
import Verification

/// A service module that serves its routes on the REST port beside model sharing (training,
/// translation, online learning). Its handlers read the caller from `context.identity`.
public protocol SharingRouteProvider: Sendable {
    func addRoutes(to router: Router<SharingRequestContext>)
}

/// Limits of the model-sharing API.
public struct ModelSharingConfiguration: Sendable {
    /// Largest JSON body, and largest `metadata` part of a multipart upload.
    public var maxJSONBytes = 1 << 20
    /// Largest multipart upload (the whole request body).
    public var maxUploadBytes: Int64 = 10 << 30

    public init(maxJSONBytes: Int = 1 << 20, maxUploadBytes: Int64 = 10 << 30) {
        self.maxJSONBytes = maxJSONBytes
        self.maxUploadBytes = maxUploadBytes
    }
}

/// Hooks that make one registration step fail, for the atomicity tests; empty in production.
package struct SharingFaults: Sendable {
    /// Runs after the object is committed to the store, before the contract is anchored.
    package var afterStore: (@Sendable () async throws -> Void)?
    /// Runs after the contract is anchored, before the registry row is committed.
    package var afterAnchor: (@Sendable () async throws -> Void)?
    package init() {}
}

/// The model sharing service (issue 10): datasets and models registered with their files, each
/// anchored as a `DatasetRecord`/`ModelRecord` from its company's account and indexed in the
/// registry, and served back only after the stored bytes check out against the chain.
///
/// Registration order, for every route that takes a file: the object is stored (upload
/// committed) → the contract is anchored → the registry row is committed. A failure at any step
/// undoes the earlier ones that can be undone (the object is deleted; a contract cannot be, and
/// stays unreferenced); a registration that dies with the process leaves a pending-object entry
/// that `sweep()` clears at the next start. Nothing is listed or served before its row exists.
///
/// Routes: `POST /dataset`, `POST /model`, `POST /model/unverified`, `PUT /model/{id}`,
/// `GET /dataset/{id}`, `GET /model/{id}` (verified download), `GET /dataset/{id}/metadata`,
/// `GET /model/{id}/metadata`, `GET /metadata/{id}`, `GET /datasets`, `GET /models`.
public struct ModelSharingService: Sendable {
    public let verification: VerificationService
    public let registry: Registry
    public let store: any ObjectStore
    public let configuration: ModelSharingConfiguration
    public let logger: Logger
    package var faults = SharingFaults()
    /// What `GET /metrics` reports (APIMetrics.swift); one registry per service.
    public var metrics = APIMetrics()
    /// Who may call, how often, how much a company may store, and the audit log (AccessMiddleware.swift).
    public var access = AccessConfiguration()
    /// Reads foreign model files posted to `POST /model` (ModelSharingService+Imported.swift); none: stored as posted.
    public var importChecker: (any ImportedModelChecker)?

    package var reader: RecordReader { verification.reader }
    var senders: CompanySenders { verification.senders }
    var ingest: ArtifactIngest { ArtifactIngest(store: store, registry: registry) }

    /// The service over the same ledger accounts as `verification` (one transaction sender
    /// per company account, whichever service sends).
    public init(verification: VerificationService, registry: Registry, store: any ObjectStore,
                configuration: ModelSharingConfiguration = ModelSharingConfiguration(), logger: Logger) {
        self.verification = verification
        self.registry = registry
        self.store = store
        self.configuration = configuration
        self.logger = logger
    }

    /// Start-up sweep of orphaned objects (see the type's comment); returns how many were removed.
    public func sweep() async throws -> Int {
        let removed = try await ingest.sweep()
        if removed > 0 { logger.info("model sharing: removed \(removed) orphaned object(s) of unfinished uploads") }
        return removed
    }

    /// The model-sharing and verification routes on one router with the identity middleware,
    /// plus the routes of the services built on model sharing (training, translation, online
    /// learning), which see the same caller identity and metrics.
    public func makeRouter(extraRoutes: [any SharingRouteProvider] = []) -> Router<SharingRequestContext> {
        let router = Router(context: SharingRequestContext.self)
        router.middlewares.add(APIMetricsMiddleware(metrics: metrics))
        router.middlewares.add(LogRequestsMiddleware(.debug))
        addAccessMiddleware(to: router)
        addIssuerRoutes(to: router)
        verification.addRoutes(to: router, caller: { context in
            context.identityFromRequestFields ? nil : context.identity?.company
        })
        addRoutes(to: router)
        for provider in extraRoutes { provider.addRoutes(to: router) }
        addMetricsRoute(to: router)
        addDocumentationRoutes(to: router)
        return router
    }

    public func addRoutes<Context: IdentityRequestContext>(to router: Router<Context>) {
        router.post("/dataset") { request, context in await respond { try await postDataset(request, context: context) } }
        router.get("/dataset/:id") { request, context in
            await respond { try await download(kind: .dataset, id: try Self.id(context), request: request, context: context) }
        }
        router.get("/dataset/:id/metadata") { _, context in
            await respond { .json(try await datasetMetadata(try Self.id(context), context: context)) }
        }
        router.get("/datasets") { request, context in await respond { .json(try await listDatasets(request, context: context)) } }

        router.post("/model") { request, context in await respond { try await postModel(request, context: context) } }
        router.post("/model/unverified") { request, context in
            await respond { try await postUnverifiedModel(request, context: context) }
        }
        router.put("/model/:id") { request, context in
            await respond { try await putModelResult(try Self.id(context), request: request, context: context) }
        }
        router.get("/model/:id") { request, context in
            await respond { try await download(kind: .model, id: try Self.id(context), request: request, context: context) }
        }
        router.get("/model/:id/metadata") { _, context in
            await respond { .json(try await modelMetadata(try Self.id(context), context: context)) }
        }
        router.get("/metadata/:id") { _, context in
            await respond { .json(try await modelMetadata(try Self.id(context), context: context)) }
        }
        router.get("/models") { request, context in await respond { .json(try await listModels(request, context: context)) } }
    }

    /// One REST application serving model sharing and verification on `host:port`; runs the
    /// orphan sweep before it starts listening.
    public static func makeApplication(service: ModelSharingService, extraRoutes: [any SharingRouteProvider] = [],
                                       host: String, port: Int, logger: Logger,
                                       onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws
        -> some ApplicationProtocol {
        _ = try await service.sweep()
        return Application(
            router: service.makeRouter(extraRoutes: extraRoutes),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "MLedger"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    // MARK: Plumbing

    enum Reply {
        case json(JSONValue)
        case response(Response)
    }

    func respond(_ handler: () async throws -> Reply) async -> Response {
        do {
            switch try await handler() {
            case .json(let document): return Self.json(document, status: .ok)
            case .response(let response): return response
            }
        } catch {
            let failure = SharingError.from(error)
            if failure.status.code >= 500 { logger.error("model sharing: \(failure.description)") }
            return failure.response
        }
    }

    static func json(_ document: JSONValue, status: HTTPResponse.Status) -> Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: document.serialized)))
    }

    /// The `{id}` path parameter as a UUID; anything else (path tricks included) is a 422.
    static func id<Context: RequestContext>(_ context: Context) throws -> UUID {
        let text = context.parameters.get("id") ?? ""
        guard text.utf8.count == 36, let id = UUID(uuidString: text) else {
            throw SharingError.invalidField("id", reason: "must be a UUID")
        }
        return id
    }

    static func uuid(_ text: String, field: String) throws -> UUID {
        guard text.utf8.count == 36, let id = UUID(uuidString: text) else {
            throw SharingError.invalidField(field, reason: "must be a UUID")
        }
        return id
    }

    /// The caller; a request without one is refused.
    func identity<Context: IdentityRequestContext>(_ context: Context) throws -> RequestIdentity {
        guard let identity = context.identity else {
            throw SharingError.invalidField("organization_id", reason: "is required (the caller's organization)")
        }
        return identity
    }

    /// With "auth none" a request that names no organization reads any record; otherwise a
    /// record of another company is reported as absent.
    func visible<Context: IdentityRequestContext>(company: String, context: Context) -> Bool {
        guard let identity = context.identity else { return context.identityFromRequestFields }
        return identity.company == company
    }

    /// The JSON body (already buffered by the identity middleware, within the limit).
    func jsonBody(_ request: Request) async throws -> (JSONValue, String) {
        var request = request
        let buffer: ByteBuffer
        do { buffer = try await request.collectBody(upTo: configuration.maxJSONBytes) } catch {
            throw SharingError.payloadTooLarge("JSON body larger than \(configuration.maxJSONBytes) bytes")
        }
        let bytes = Array(buffer: buffer)
        guard let document = JSONValue.parse(bytes), case .object = document else {
            throw SharingError.invalidBody("not a JSON object")
        }
        return (document, String(decoding: bytes, as: UTF8.self))
    }

    enum BodyKind {
        case json
        case multipart(boundary: String)
    }

    static func bodyKind(_ request: Request, multipartAllowed: Bool = true) throws -> BodyKind {
        let type = request.headers[.contentType] ?? ""
        if type.lowercased().hasPrefix("application/json") { return .json }
        if multipartAllowed, type.lowercased().hasPrefix("multipart/form-data") {
            guard let boundary = MultipartReader.boundary(contentType: type) else {
                throw SharingError.invalidBody("multipart/form-data without a boundary")
            }
            return .multipart(boundary: boundary)
        }
        throw SharingError.unsupportedMediaType(
            "Content-Type must be application/json" + (multipartAllowed ? " or multipart/form-data" : "") + ", got \"\(type)\"")
    }

    /// Reads the `metadata` part the reader stands at: the only one (`seen` says whether one
    /// came before), at most `maxJSONBytes`, a JSON object; with its text as posted.
    func metadataPart(_ reader: MultipartReader, seen: Bool) async throws -> (document: JSONValue, text: String) {
        guard !seen else { throw SharingError.invalidBody("more than one metadata part") }
        let bytes = try await reader.collectPart(limit: configuration.maxJSONBytes, field: "metadata")
        guard let document = JSONValue.parse(bytes), case .object = document else {
            throw SharingError.invalidField("metadata", reason: "must be a JSON object")
        }
        return (document, String(decoding: bytes, as: UTF8.self))
    }

    /// A file part's name: plain, without path separators or leading dots.
    static func checkFilename(_ name: String?) throws {
        guard let name else { return }
        guard !name.contains("/"), !name.contains("\\"), !name.hasPrefix("."), !name.contains("\u{0}"), name.utf8.count <= 255 else {
            throw SharingError.invalidField("filename", reason: "must be a plain file name (no path, no leading dot)")
        }
    }

    /// Seconds precision: the registry stores milliseconds, and whole seconds read back equal.
    static func now() -> Date { Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)) }
}
