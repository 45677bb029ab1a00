import LedgerCrypto
import Primitives

/// A trie whose keys are hashed with Keccak-256 before use, as Ethereum's state and storage
/// tries do: paths are uniformly spread, so an adversary cannot build deep branches.
public struct SecureTrie {
    /// The underlying trie, keyed by `keccak256(key)`.
    public var trie: MerklePatriciaTrie

    public init(store: (any TrieNodeStore)? = nil) { trie = MerklePatriciaTrie(store: store) }

    public init(rootHash: Hash32, store: any TrieNodeStore) {
        trie = MerklePatriciaTrie(rootHash: rootHash, store: store)
    }

    public init(_ trie: MerklePatriciaTrie) { self.trie = trie }

    /// The hashed key under which `key` is stored.
    public static func hashedKey(_ key: [UInt8]) -> [UInt8] { key.withUnsafeBytes { Keccak256.hash($0) }.bytes }

    public var rootHash: Hash32 { trie.rootHash }
    public var isEmpty: Bool { trie.isEmpty }

    public func get(_ key: [UInt8]) throws(TrieError) -> [UInt8]? { try trie.get(Self.hashedKey(key)) }

    /// Sets `key` to `value`; an empty value deletes the key.
    public mutating func insert(key: [UInt8], value: [UInt8]) throws(TrieError) {
        try trie.insert(key: Self.hashedKey(key), value: value)
    }

    public mutating func update(key: [UInt8], value: [UInt8]) throws(TrieError) {
        try insert(key: key, value: value)
    }

    public mutating func delete(key: [UInt8]) throws(TrieError) { try trie.delete(key: Self.hashedKey(key)) }

    /// EIP-1186 proof for `key` (the path of `keccak256(key)`).
    public func proof(for key: [UInt8]) throws(TrieError) -> [[UInt8]] { try trie.proof(for: Self.hashedKey(key)) }

    /// Verifies a proof made by `proof(for:)`.
    public static func verifyProof(root: Hash32, key: [UInt8], proof: [[UInt8]]) throws(TrieError) -> [UInt8]? {
        try MerklePatriciaTrie.verifyProof(root: root, key: hashedKey(key), proof: proof)
    }

    @discardableResult
    public func commit(to target: (any TrieNodeStore)? = nil) throws(TrieError) -> Hash32 {
        try trie.commit(to: target)
    }
}
