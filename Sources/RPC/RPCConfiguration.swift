/// Limits and identity of the JSON-RPC server. Every limit answers over-limit requests with a
/// JSON-RPC error; the server keeps serving.
public struct RPCConfiguration: Sendable {
    /// Largest HTTP request body or WebSocket message, in bytes.
    public var maxRequestBytes: Int
    /// Most calls in one batch.
    public var maxBatchSize: Int
    /// Most blocks one `eth_getLogs` or log filter query may span.
    public var maxLogBlockRange: UInt64
    /// A filter not polled for this long is removed (seconds).
    public var filterTimeoutSeconds: Double
    /// Most subscriptions one WebSocket connection may hold.
    public var maxSubscriptionsPerConnection: Int
    public var clientVersion: String
    /// Method prefixes answered as unavailable (`debug_`, `txpool_` on a non-loopback address).
    public var disabledMethodPrefixes: [String] = []
    /// Bearer check of each HTTP request and WebSocket upgrade: gets the Authorization header,
    /// returns nil to admit or the reason to refuse (401). Nil: no authentication (RPCAccess.swift).
    public var authorize: (@Sendable (String?) async -> String?)?

    public init(maxRequestBytes: Int = 5 * 1024 * 1024, maxBatchSize: Int = 1_000, maxLogBlockRange: UInt64 = 10_000,
                filterTimeoutSeconds: Double = 300, maxSubscriptionsPerConnection: Int = 1_000,
                clientVersion: String = "MLedger/v0.1.0/linux-swift") {
        self.maxRequestBytes = maxRequestBytes; self.maxBatchSize = maxBatchSize
        self.maxLogBlockRange = maxLogBlockRange; self.filterTimeoutSeconds = filterTimeoutSeconds
        self.maxSubscriptionsPerConnection = maxSubscriptionsPerConnection; self.clientVersion = clientVersion
    }
}
