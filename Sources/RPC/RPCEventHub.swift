import Chain
import Foundation
import Primitives

/// What happened on the chain or in the pool, fanned out to filters and subscriptions.
public enum RPCEvent: Sendable {
    /// A committed block with its logs in chain order.
    case newBlock(BlockHeader, logs: [LocatedLog])
    case pendingTransactions([Hash32])
}

/// Delivers chain and pool events to any number of listeners (filters, WebSocket
/// subscriptions). The node publishes; listeners must return quickly.
public final class RPCEventHub: @unchecked Sendable {
    private let lock = NSLock()
    private var listeners: [UInt64: @Sendable (RPCEvent) -> Void] = [:]
    private var nextId: UInt64 = 0

    public init() {}

    @discardableResult
    public func addListener(_ listener: @escaping @Sendable (RPCEvent) -> Void) -> UInt64 {
        lock.withLock {
            nextId += 1
            listeners[nextId] = listener
            return nextId
        }
    }

    public func removeListener(_ id: UInt64) {
        _ = lock.withLock { listeners.removeValue(forKey: id) }
    }

    public func publish(_ event: RPCEvent) {
        let current = lock.withLock { Array(listeners.values) }
        for listener in current { listener(event) }
    }

    /// Publishes a committed block (the sealer's block handler calls this).
    public func publishBlock(_ block: Block, receipts: [Receipt]) {
        let logs = (try? ReceiptDetails.of(block: block, receipts: receipts))?.flatMap(\.logs) ?? []
        publish(.newBlock(block.header, logs: logs))
    }
}
