import Primitives
/// Everything a method may use for one call.
public struct RPCCallContext: Sendable {
    public let node: any NodeBackend
    /// Nil until the EVM adapter provides one; state methods then report unavailable.
    public let state: (any StateBackend)?
    public let filters: FilterStore
    public let configuration: RPCConfiguration
    /// The WebSocket connection making the call; nil over HTTP (no subscriptions there).
    public let session: SubscriptionSession?
}

/// One JSON-RPC method: a small function from parameters to a result.
public typealias RPCMethod = @Sendable (RPCParams, RPCCallContext) throws -> JSONValue

/// Method names to implementations. Built once; `standard` holds every method MLedger serves.
public struct RPCMethodRegistry: Sendable {
    private var methods: [String: RPCMethod] = [:]

    public init() {}

    public mutating func register(_ name: String, _ method: @escaping RPCMethod) {
        methods[name] = method
    }

    public func method(named name: String) -> RPCMethod? { methods[name] }

    public var names: [String] { methods.keys.sorted() }

    /// Every method of the Ethereum JSON-RPC surface MLedger serves.
    public static var standard: RPCMethodRegistry {
        var registry = RPCMethodRegistry()
        NodeInfoMethods.register(in: &registry)
        BlockMethods.register(in: &registry)
        TransactionMethods.register(in: &registry)
        LogMethods.register(in: &registry)
        SubscriptionMethods.register(in: &registry)
        StateMethods.register(in: &registry)
        return registry
    }
}
