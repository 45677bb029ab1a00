import Foundation
import Primitives

/// Recovered senders by transaction hash. Recovering a signature costs tens of microseconds
/// and the node needs the sender of the same transaction again and again (pool admission,
/// block building, receipts, `eth_getTransactionByHash`); the hash covers the signature, so a
/// hash always maps to the same sender. Bounded: when full it starts over.
public final class SenderCache: @unchecked Sendable {
    public static let shared = SenderCache(capacity: 1 << 18)

    private let lock = NSLock()
    private var senders: [Hash32: Address] = [:]
    private let capacity: Int

    public init(capacity: Int) { self.capacity = capacity }

    public func sender(hash: Hash32) -> Address? { lock.withLock { senders[hash] } }

    public func remember(_ sender: Address, hash: Hash32) {
        lock.withLock {
            if senders.count >= capacity { senders.removeAll(keepingCapacity: true) }
            senders[hash] = sender
        }
    }
}

extension Transaction {
    /// `sender()` through the shared cache; `hash` when the caller already has it.
    public func cachedSender(hash knownHash: Hash32? = nil) throws(TransactionError) -> Address {
        let hash = knownHash ?? self.hash
        if let sender = SenderCache.shared.sender(hash: hash) { return sender }
        let sender = try sender()
        SenderCache.shared.remember(sender, hash: hash)
        return sender
    }
}
