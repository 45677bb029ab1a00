import Chain
import Primitives
import RLP
import Trie

/// Account nonces and balances from the head block's state trie, for the pool's admission
/// rules. Reads only committed state (no execution needed).
public final class ChainStateReader: PoolStateReader, @unchecked Sendable {
    private let database: ChainDatabase

    public init(database: ChainDatabase) { self.database = database }

    /// `[nonce, balance]` of the account, zeros when absent or unreadable.
    func account(_ address: Address) -> (nonce: UInt64, balance: UInt256) {
        guard let root = database.head?.stateRoot else { return (0, .zero) }
        let trie = SecureTrie(rootHash: root, store: database.stateNodeStore)
        guard let encoded = try? trie.get(address.bytes),
              let fields = try? RLP.decode(encoded).asList(), fields.count == 4,
              let nonce = try? fields[0].asUInt64(), let balance = try? fields[1].asUInt256() else {
            return (0, .zero)
        }
        return (nonce, balance)
    }

    public func nonce(of address: Address) -> UInt64 { account(address).nonce }
    public func balance(of address: Address) -> UInt256 { account(address).balance }
}
