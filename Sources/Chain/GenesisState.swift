import LedgerCrypto
import Primitives
import RLP
import Trie

/// Content-addressed state data: trie nodes and contract code, each stored under the
/// Keccak-256 of its bytes.
public typealias StateNode = (hash: Hash32, bytes: [UInt8])

/// Collects the nodes a trie commit writes, so they can join a larger write batch (the
/// genesis state, a sealed block's state).
public final class CollectingTrieNodeStore: TrieNodeStore {
    public private(set) var nodes: [StateNode] = []
    public init() {}
    public func node(_ hash: Hash32) throws(TrieError) -> [UInt8]? { nodes.first { $0.hash == hash }?.bytes }
    public func putNodes(_ nodes: [(hash: Hash32, rlp: [UInt8])]) throws(TrieError) {
        self.nodes += nodes.map { StateNode(hash: $0.hash, bytes: $0.rlp) }
    }
}

extension Genesis {
    /// Keccak-256 of empty code: the code hash of every account without code.
    public static let emptyCodeHash = Keccak256.hash([UInt8]())

    /// The state of `alloc` as an account trie (keys Keccak-256 of the address, values
    /// `rlp([nonce, balance, storageRoot, codeHash])`) with one storage trie per account (keys
    /// Keccak-256 of the slot, values the RLP of the word without leading zeros). Returns the
    /// root and every node and code blob to store.
    public func state() throws(TrieError) -> (root: Hash32, nodes: [StateNode]) {
        let collector = CollectingTrieNodeStore()
        var accounts = SecureTrie()
        var code = [StateNode]()
        for (address, account) in alloc.sorted(by: { $0.key < $1.key }) {
            var storage = SecureTrie()
            for (slot, value) in account.storage where value != .zero {
                try storage.insert(key: slot.bytes, value: RLP.encode(bytes: UInt256(value).minimalBigEndianBytes))
            }
            let storageRoot = try storage.commit(to: collector)
            var codeHash = Self.emptyCodeHash
            if !account.code.isEmpty {
                codeHash = Keccak256.hash(account.code)
                code.append(StateNode(hash: codeHash, bytes: account.code))
            }
            let encoded = RLP.encode(list: [RLP.encode(uint: account.nonce), RLP.encode(uint: account.balance),
                                            RLP.encode(bytes: storageRoot.bytes), RLP.encode(bytes: codeHash.bytes)])
            try accounts.insert(key: address.bytes, value: encoded)
        }
        let root = try accounts.commit(to: collector)
        return (root, collector.nodes + code)
    }

    /// The genesis block over the state of `alloc`.
    public func block() throws(TrieError) -> (block: Block, stateNodes: [StateNode]) {
        let (root, nodes) = try state()
        let header = header(stateRoot: root)
        let body = BlockBody(transactions: [], ommers: [], withdrawals: header.withdrawalsRoot == nil ? nil : [])
        return (Block(header: header, body: body), nodes)
    }
}
