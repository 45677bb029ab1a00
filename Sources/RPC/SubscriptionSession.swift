import Foundation
import Primitives

/// One WebSocket connection's subscriptions (`eth_subscribe`). Notifications go out through
/// `send`, in the order events arrive; closing the session removes every subscription.
public final class SubscriptionSession: @unchecked Sendable {
    private let hub: RPCEventHub
    private let send: @Sendable (String) -> Void
    private let limit: Int
    private let lock = NSLock()
    private var listeners: [String: UInt64] = [:]
    private var closed = false

    public init(hub: RPCEventHub, limit: Int, send: @escaping @Sendable (String) -> Void) {
        self.hub = hub; self.limit = limit; self.send = send
    }

    /// Starts forwarding events that `render` turns into results (nil skips an event).
    func subscribe(_ render: @escaping @Sendable (RPCEvent) -> [JSONValue]) throws(RPCError) -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in bytes.indices { bytes[index] = UInt8.random(in: 0...255) }
        let id = Hex.encode(bytes)
        let send = self.send
        lock.lock()
        defer { lock.unlock() }
        guard !closed else { throw RPCError.server("connection closed") }
        guard listeners.count < limit else { throw RPCError.server("too many subscriptions (limit \(limit))") }
        listeners[id] = hub.addListener { event in
            for result in render(event) {
                let notification: JSONValue = ["jsonrpc": "2.0", "method": "eth_subscription",
                                               "params": ["subscription": .string(id), "result": result]]
                send(notification.serialized)
            }
        }
        return id
    }

    func unsubscribe(_ id: String) -> Bool {
        guard let listener = lock.withLock({ listeners.removeValue(forKey: id) }) else { return false }
        hub.removeListener(listener)
        return true
    }

    public var subscriptionCount: Int { lock.withLock { listeners.count } }

    /// Removes every subscription (the connection ended).
    public func close() {
        let all = lock.withLock { () -> [UInt64] in
            closed = true
            defer { listeners = [:] }
            return Array(listeners.values)
        }
        for listener in all { hub.removeListener(listener) }
    }
}

/// `eth_subscribe` and `eth_unsubscribe`; WebSocket only.
enum SubscriptionMethods {
    static func register(in registry: inout RPCMethodRegistry) {
        registry.register("eth_subscribe") { params, context in
            guard let session = context.session else {
                throw RPCError(code: -32001, message: "notifications not supported: subscribe over WebSocket")
            }
            try params.expectAtMost(2)
            let kind = try params.required(0, "subscriptionType", ParamDecoding.string)
            switch kind {
            case "newHeads":
                return .string(try session.subscribe { event in
                    guard case .newBlock(let header, _) = event else { return [] }
                    return [.object(RPCEncoding.header(header))]
                })
            case "newPendingTransactions":
                return .string(try session.subscribe { event in
                    guard case .pendingTransactions(let hashes) = event else { return [] }
                    return hashes.map(RPCEncoding.hash)
                })
            case "logs":
                let query = try params.optional(1, "filter", LogMethods.filterQuery)
                    ?? LogMethods.FilterQuery(filter: .init())
                let filter = query.filter
                return .string(try session.subscribe { event in
                    guard case .newBlock(_, let logs) = event else { return [] }
                    return logs.filter { filter.matches($0.log) }.map { RPCEncoding.log($0) }
                })
            default:
                throw RPCError.invalidParams("subscriptionType: unknown subscription \"\(kind.prefix(32))\" (want newHeads, logs or newPendingTransactions)")
            }
        }
        registry.register("eth_unsubscribe") { params, context in
            guard let session = context.session else {
                throw RPCError(code: -32001, message: "notifications not supported: subscribe over WebSocket")
            }
            try params.expectAtMost(1)
            return .bool(session.unsubscribe(try params.required(0, "subscriptionId", ParamDecoding.string)))
        }
    }
}
