import RPC
import Contracts
import Hummingbird
import LedgerClient
import Logging
import NIOCore
import Primitives
import Registry

/// The verification REST service (issue 6, item 3): registers datasets and models as
/// `DatasetRecord`/`ModelRecord` contracts deployed from the organization's own account, reads
/// them back from chain state, checks a result hash against the stored one, and finalizes.
/// It reaches the ledger only through `LedgerClient` and the typed bindings, and signs with the
/// keyring's company keys in process.
///
/// Routes (JSON in and out; errors are `{"error": ...}` with 422 naming the bad field, 404 for an
/// address that holds no record of the asked kind, 409 for a contract rule that refused):
/// - `POST /contract/dataset`, `POST /contract/model`, `POST /contract/model_unverified` →
///   `{"contract_address": "0x…"}`;
/// - `GET /contract/{dataset|model|model_unverified}/{address}` → the posted shape plus extras;
/// - `POST /contract/{address}/verify?res_hash=0x…` → `{"verified": bool, "stored_hash": "0x…"}`;
/// - `POST /contract/{address}/finalize` (models: `?res_hash=0x…`, optional `metrics_hash`, in the
///   query or a JSON body) → `{"contract_address", "finalized": true, "transaction_hash"}`.
public struct VerificationService: Sendable {
    package let reader: RecordReader
    package let senders: CompanySenders
    package let keyring: CompanyKeyring
    /// Where posted bodies are kept so that every field reads back as written (nil: fields read
    /// back in the chain's own rendering, "28x28" for "(28, 28)").
    let registry: Registry?
    /// Largest request body accepted.
    public var maxBodyBytes = 1 << 20

    public init(client: any LedgerClient, keyring: CompanyKeyring, registry: Registry? = nil) throws {
        reader = RecordReader(client: client, dataset: try DatasetRecordBinding(), model: try ModelRecordBinding())
        senders = CompanySenders(client: client, keyring: keyring)
        self.keyring = keyring
        self.registry = registry
    }

    /// The routes, for in-memory tests and for embedding in another application.
    public func makeRouter(logger: Logger) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.middlewares.add(LogRequestsMiddleware(.debug))
        addRoutes(to: router)
        return router
    }

    /// Adds the routes to `router`, whatever its context: the model-sharing service mounts
    /// them beside its own on one REST application. `caller` names the authenticated caller's
    /// company (nil: no token, the body's organization is trusted); with one, every record of
    /// another company reads as absent and a body naming another organization is a 403.
    public func addRoutes<Context: RequestContext>(to router: Router<Context>,
                                                   caller: @escaping @Sendable (Context) -> String? = { _ in nil }) {
        router.post("/contract/dataset") { request, context in
            await respond {
                let (document, text) = try await bodyAndText(of: request)
                return try await postDataset(document, text: text, caller: caller(context))
            }
        }
        router.post("/contract/model") { request, context in
            await respond { try await postModel(ModelContractRequest(verifiedBody: try await body(of: request)), caller: caller(context)) }
        }
        router.post("/contract/model_unverified") { request, context in
            await respond { try await postModel(ModelContractRequest(unverifiedBody: try await body(of: request)), caller: caller(context)) }
        }
        // One route per record kind: the router refuses differently named parameters at one
        // position, and the verify/finalize routes have the address second.
        for kind in [RecordKind.dataset, .model, .modelUnverified] {
            router.get("/contract/\(kind.rawValue)/:record") { _, context in
                await respond {
                    try await getRecord(kind: kind, address: try address(context.parameters.get("record")), caller: caller(context))
                }
            }
        }
        router.get("/contract/:address/:record") { _, context in
            await respond {
                let type = context.parameters.get("address") ?? ""
                throw VerificationError.notFound("unknown contract type \"\(type)\" (dataset, model, model_unverified)")
            }
        }
        router.post("/contract/:address/verify") { request, context in
            await respond {
                try await verify(address: try address(context.parameters.get("address")),
                                 resHash: request.uri.queryParameters.get("res_hash"), caller: caller(context))
            }
        }
        router.post("/contract/:address/finalize") { request, context in
            await respond {
                try await finalize(address: try address(context.parameters.get("address")),
                                   query: request.uri.queryParameters, body: try await body(of: request, optional: true),
                                   caller: caller(context))
            }
        }
    }

    /// The service as an application (a ServiceLifecycle `Service`) on `host:port`, to run beside
    /// JSON-RPC in one service group; `port` 0 picks a free port, reported to `onListening`.
    public static func makeApplication(client: any LedgerClient, keyring: CompanyKeyring, registry: Registry? = nil, host: String, port: Int,
                                       logger: Logger,
                                       onListening: @escaping @Sendable (Int) async -> Void = { _ in }) throws
        -> some ApplicationProtocol {
        let service = try VerificationService(client: client, keyring: keyring, registry: registry)
        return Application(
            router: service.makeRouter(logger: logger),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "MLedger"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    // MARK: Handlers

    func postDataset(_ body: JSONValue?, text: String? = nil, caller: String? = nil) async throws -> JSONValue {
        let request = try DatasetContractRequest(body: body)
        try checkOrganization(request.organization, caller: caller)
        let sender = try await senders.sender(company: caller ?? request.organization)
        let (address, _) = try await sender.deploy(
            initCode: try reader.dataset.deployData(datasetId: request.datasetId, content: request.content))
        if let scale = request.statsScale {
            _ = try await sender.transact(to: address, data: try reader.dataset.setStatistics(statsScale: scale, request.statistics))
        }
        // Content given in full (a commitment) is final at registration, so models can cite it
        // at once; only a dataset posted with "pending": true (statistics to follow) or without
        // a hash waits for POST /contract/{address}/finalize.
        if request.content.commitment != .zero, !request.pending {
            _ = try await sender.transact(to: address, data: try reader.dataset.finalize())
        }
        if let registry, let text {
            try await registry.savePostedDocument(contractAddress: address.description, kind: RecordKind.dataset.rawValue, document: text)
        }
        return .object(["contract_address": .string(address.description)])
    }

    func postModel(_ request: ModelContractRequest, caller: String? = nil) async throws -> JSONValue {
        try checkOrganization(request.organization, caller: caller)
        for (i, dataset) in request.registration.datasets.enumerated() {
            let field = request.registration.datasets.count == 1 ? "data_params.dataset_id" : "data_params.dataset_ids[\(i)]"
            guard try await reader.kind(of: dataset) == .dataset,
                  try await isCallers(dataset, kind: .dataset, caller: caller) else {
                throw VerificationError.invalidField(field, reason: "no DatasetRecord at \(dataset)")
            }
        }
        let parent = request.registration.parent
        if parent != .zero {
            let known = try await reader.kind(of: parent) != nil
            guard known, try await isCallers(parent, kind: .model, caller: caller) else {
                throw VerificationError.invalidField("model_params.parent", reason: "no ModelRecord at \(parent)")
            }
        }
        // The signing account is the caller's company's (checked equal to the body's above).
        let sender = try await senders.sender(company: caller ?? request.organization)
        let (address, _) = try await sender.deploy(initCode: try reader.model.deployData(request.registration))
        if let weights = request.weightsHash {
            _ = try await sender.transact(to: address, data: try reader.model.finalize(weightsHash: weights,
                                                                                      metricsHash: request.metricsHash))
        }
        return .object(["contract_address": .string(address.description)])
    }

    func getRecord(kind: RecordKind, address: Address, caller: String? = nil) async throws -> JSONValue {
        guard try await reader.kind(of: address) == kind else {
            throw VerificationError.notFound("no \(kind.rawValue) contract at \(address)")
        }
        try await checkOwner(of: address, kind: kind, caller: caller, absent: "no \(kind.rawValue) contract at \(address)")
        switch kind {
        case .dataset:
            var state = try await reader.datasetState(at: address)
            state.organization = keyring.company(of: state.owner)
            guard let registry, let text = try await registry.postedDocument(contractAddress: address.description) else { return state.json }
            return state.json(posted: JSONValue.parse(Array(text.utf8)))
        case .model, .modelUnverified:
            var state = try await reader.modelState(at: address)
            state.organization = keyring.company(of: state.owner)
            return state.json
        }
    }

    func verify(address: Address, resHash: String?, caller: String? = nil) async throws -> JSONValue {
        guard let resHash, !resHash.isEmpty else { throw VerificationError.invalidField("res_hash", reason: "is required") }
        let given = try JSONFields.hash(resHash, field: "res_hash")
        guard let kind = try await reader.kind(of: address) else {
            throw VerificationError.notFound("no dataset or model contract at \(address)")
        }
        try await checkOwner(of: address, kind: kind, caller: caller, absent: "no dataset or model contract at \(address)")
        let stored: Hash32, finalized: Bool
        switch kind {
        case .dataset:
            stored = try await reader.read(reader.dataset.commitment(), at: address)
            finalized = try await reader.read(reader.dataset.finalized(), at: address)
        case .model, .modelUnverified:
            stored = try await reader.read(reader.model.weightsHash(), at: address)
            finalized = try await reader.read(reader.model.finalized(), at: address)
        }
        return .object(["verified": .bool(stored != .zero && stored == given), "stored_hash": .string(stored.description),
                        "finalized": .bool(finalized), "contract_address": .string(address.description)])
    }

    func finalize(address: Address, query: Parameters, body: JSONValue?, caller: String? = nil) async throws -> JSONValue {
        guard let kind = try await reader.kind(of: address) else {
            throw VerificationError.notFound("no dataset or model contract at \(address)")
        }
        try await checkOwner(of: address, kind: kind, caller: caller, absent: "no dataset or model contract at \(address)")
        let data: [UInt8]
        let owner: Address
        switch kind {
        case .dataset:
            owner = try await reader.read(reader.dataset.owner(), at: address)
            data = try reader.dataset.finalize()
        case .model, .modelUnverified:
            owner = try await reader.read(reader.model.owner(), at: address)
            // A final model answers as the contract would (409 "finalized"), whatever the request
            // lacks: a client retrying a finalize must not be told to send a res_hash.
            if try await reader.read(reader.model.finalized(), at: address) { throw VerificationError.reverted(reason: "finalized") }
            func hashParameter(_ name: String) throws(VerificationError) -> Hash32? {
                if let text = query.get(name) { return try JSONFields.hash(text, field: name) }
                guard let body, body != .null else { return nil }
                return try JSONFields(body).optionalHash(name)
            }
            guard let weights = try hashParameter("res_hash"), weights != .zero else {
                throw VerificationError.invalidField("res_hash", reason: "is required to finalize a model (the trained weights' hash)")
            }
            data = try reader.model.finalize(weightsHash: weights, metricsHash: try hashParameter("metrics_hash") ?? .zero)
        }
        guard let sender = try await senders.sender(owner: owner) else {
            throw VerificationError.notOwner("the owner \(owner) of \(address) is not an account of this node")
        }
        let receipt = try await sender.transact(to: address, data: data)
        return .object(["contract_address": .string(address.description), "finalized": .bool(true),
                        "transaction_hash": .string(receipt.transactionHash.description),
                        "block_number": .integer(Int64(clamping: receipt.blockNumber))])
    }

    // MARK: Plumbing

    func body(of request: Request, optional: Bool = false) async throws -> JSONValue? {
        try await bodyAndText(of: request, optional: optional).0
    }

    /// The JSON body and its text as posted.
    func bodyAndText(of request: Request, optional: Bool = false) async throws -> (JSONValue?, String) {
        var request = request
        let buffer: ByteBuffer
        do { buffer = try await request.collectBody(upTo: maxBodyBytes) } catch {
            throw VerificationError.invalidBody("larger than \(maxBodyBytes) bytes")
        }
        let bytes = Array(buffer: buffer)
        let text = String(decoding: bytes, as: UTF8.self)
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0a || $0 == 0x0d || $0 == 0x09 }) {
            if optional { return (nil, text) }
            throw VerificationError.invalidBody("empty; expected a JSON object")
        }
        do {
            return (try JSONValue(parsing: bytes), text)
        } catch {
            throw VerificationError.invalidBody("not JSON (\(error.reason) at byte \(error.offset))")
        }
    }

    func address(_ text: String?) throws(VerificationError) -> Address {
        try JSONFields.address(text ?? "", field: "address")
    }

    /// Runs a handler and turns its result or error into a JSON response.
    func respond(_ handler: () async throws -> JSONValue) async -> Response {
        do {
            return Self.json(try await handler(), status: .ok)
        } catch {
            let failure = Self.verificationError(error)
            return Self.json(failure.body, status: failure.status)
        }
    }

    public static func verificationError(_ error: any Error) -> VerificationError {
        switch error {
        case let error as VerificationError: return error
        case let error as TransactionSenderError:
            if case .reverted(_, let reason, _) = error { return .reverted(reason: reason) }
            return .internalFailure(error.description)
        case let error as LedgerClientError:
            if case .reverted(_, let reason) = error { return .reverted(reason: reason) }
            return .ledger(error.description)
        case let error as ABIError: return .internalFailure("ABI: \(error)")
        default: return .internalFailure("\(error)")
        }
    }

    static func json(_ document: JSONValue, status: HTTPResponse.Status) -> Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: document.serialized)))
    }
}
