import Chain
import Primitives

/// JSON-RPC 2.0 framing: single calls, batches and notifications; every failure becomes an
/// error object, never a dropped connection.
public final class RPCDispatcher: Sendable {
    public let registry: RPCMethodRegistry
    public let node: any NodeBackend
    public let state: (any StateBackend)?
    public let filters: FilterStore
    public let hub: RPCEventHub
    public let configuration: RPCConfiguration

    public init(node: any NodeBackend, state: (any StateBackend)? = nil, hub: RPCEventHub,
                configuration: RPCConfiguration = RPCConfiguration(), registry: RPCMethodRegistry = .standard) {
        self.node = node; self.state = state; self.hub = hub; self.configuration = configuration
        self.registry = registry
        filters = FilterStore(hub: hub, timeoutSeconds: configuration.filterTimeoutSeconds)
    }

    /// Answers a request body. Nil when it held only notifications (nothing to send back).
    public func handle(body: [UInt8], session: SubscriptionSession? = nil) -> String? {
        guard body.count <= configuration.maxRequestBytes else {
            return Self.errorResponse(.invalidRequest("request of \(body.count) bytes exceeds the limit of \(configuration.maxRequestBytes) bytes"))
        }
        let document: JSONValue
        do {
            document = try JSONValue(parsing: body)
        } catch {
            return Self.errorResponse(.parseError("request body is not valid JSON (\(error.reason) at byte \(error.offset))"))
        }
        switch document {
        case .array(let calls):
            guard !calls.isEmpty else { return Self.errorResponse(.invalidRequest("empty batch")) }
            guard calls.count <= configuration.maxBatchSize else {
                return Self.errorResponse(RPCError(code: RPCError.serverErrorCode,
                    message: "batch of \(calls.count) calls exceeds the batch limit of \(configuration.maxBatchSize)"))
            }
            Self.recoverSendersInParallel(calls)
            let responses = calls.compactMap { handle(call: $0, session: session) }
            return responses.isEmpty ? nil : JSONValue.array(responses).serialized
        default:
            return handle(call: document, session: session)?.serialized
        }
    }

    /// One call object; nil for a notification (no `id`).
    func handle(call: JSONValue, session: SubscriptionSession?) -> JSONValue? {
        guard case .object(let fields) = call else {
            return Self.response(id: .null, error: .invalidRequest("call must be an object"))
        }
        let id = fields["id"]
        if let id {
            switch id {
            case .string, .number, .null: break
            default: return Self.response(id: .null, error: .invalidRequest("id must be a string, number or null"))
            }
        }
        guard fields["jsonrpc"] == .string("2.0") else {
            return Self.response(id: id ?? .null, error: .invalidRequest("jsonrpc must be \"2.0\""))
        }
        guard case .string(let name)? = fields["method"] else {
            return Self.response(id: id ?? .null, error: .invalidRequest("method must be a string"))
        }
        let outcome: Result<JSONValue, RPCError>
        if let disabled = configuration.disabledPrefix(of: name) {
            outcome = .failure(.methodDisabled(String(name.prefix(64)), prefix: disabled))
        } else if let method = registry.method(named: name) {
            do {
                let params = try RPCParams(member: fields["params"])
                let context = RPCCallContext(node: node, state: state, filters: filters,
                                             configuration: configuration, session: session)
                outcome = .success(try method(params, context))
            } catch {
                outcome = .failure(Self.rpcError(from: error))
            }
        } else {
            outcome = .failure(.methodNotFound(String(name.prefix(64))))
        }
        guard let id else { return nil }  // a notification: run, answer nothing
        switch outcome {
        case .success(let result): return ["jsonrpc": "2.0", "id": id, "result": result]
        case .failure(let error): return Self.response(id: id, error: error)
        }
    }

    static func response(id: JSONValue, error: RPCError) -> JSONValue {
        ["jsonrpc": "2.0", "id": id, "error": error.json]
    }

    static func errorResponse(_ error: RPCError) -> String { response(id: .null, error: error).serialized }

    /// Maps what a method threw to its JSON-RPC error.
    static func rpcError(from error: any Error) -> RPCError {
        switch error {
        case let error as RPCError: return error
        case let error as TransactionPoolError: return .server(error.message)
        case let error as LogQueryError:
            if case .database(let inner) = error { return .internalError("\(inner)") }
            return .server("\(error)")
        case let error as StateBackendError:
            switch error {
            case .blockNotFound: return .server("header not found")
            case let .reverted(data, reason): return .reverted(data: data, reason: reason)
            case .execution(let message): return .server(message)
            }
        default: return .internalError("\(error)")
        }
    }
}
