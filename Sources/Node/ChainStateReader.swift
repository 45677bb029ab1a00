import Chain
import Foundation
import Primitives
import RLP
import Trie

/// Account nonces and balances from the head block's state trie, for the pool's admission
/// rules. Reads only committed state (no execution needed). Accounts read at the current head
/// are remembered until the head moves: a burst of transactions from a few senders then walks
/// the trie once per sender and block, not once per transaction.
public final class ChainStateReader: PoolStateReader, @unchecked Sendable {
    private let database: ChainDatabase
    private let lock = NSLock()
    private var cachedRoot: Hash32?
    private var cached: [Address: (nonce: UInt64, balance: UInt256)] = [:]

    public init(database: ChainDatabase) { self.database = database }

    /// `[nonce, balance]` of the account, zeros when absent or unreadable.
    func account(_ address: Address) -> (nonce: UInt64, balance: UInt256) {
        guard let root = database.head?.stateRoot else { return (0, .zero) }
        if let hit = lock.withLock({ cachedRoot == root ? cached[address] : nil }) { return hit }
        let trie = SecureTrie(rootHash: root, store: database.stateNodeStore)
        var value: (nonce: UInt64, balance: UInt256) = (0, .zero)
        if let encoded = try? trie.get(address.bytes), let account = try? TrieAccountState.StoredAccount(encoded: encoded) {
            value = (account.nonce, account.balance)
        }
        lock.withLock {
            if cachedRoot != root {
                cached.removeAll(keepingCapacity: true)
                cachedRoot = root
            }
            cached[address] = value
        }
        return value
    }

    public func nonce(of address: Address) -> UInt64 { account(address).nonce }
    public func balance(of address: Address) -> UInt256 { account(address).balance }
}
