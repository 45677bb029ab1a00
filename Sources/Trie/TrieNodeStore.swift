import Foundation
import Primitives
import Storage

/// Where trie nodes live, addressed by the Keccak-256 hash of their RLP.
public protocol TrieNodeStore: AnyObject {
    /// The RLP of the node with `hash`, or nil when absent.
    func node(_ hash: Hash32) throws(TrieError) -> [UInt8]?
    /// Stores all `nodes` at once (atomically where the backing store allows).
    func putNodes(_ nodes: [(hash: Hash32, rlp: [UInt8])]) throws(TrieError)
}

extension TrieNodeStore {
    /// Stores one node.
    public func put(_ hash: Hash32, _ rlp: [UInt8]) throws(TrieError) { try putNodes([(hash, rlp)]) }
}

/// Trie nodes in a dictionary, guarded by a lock.
public final class MemoryTrieNodeStore: TrieNodeStore, @unchecked Sendable {
    private let lock = NSLock()
    private var nodes: [Hash32: [UInt8]] = [:]

    public init() {}

    /// Number of stored nodes.
    public var count: Int { lock.withLock { nodes.count } }

    public func node(_ hash: Hash32) throws(TrieError) -> [UInt8]? { lock.withLock { nodes[hash] } }

    public func putNodes(_ nodes: [(hash: Hash32, rlp: [UInt8])]) throws(TrieError) {
        lock.withLock { for (hash, rlp) in nodes { self.nodes[hash] = rlp } }
    }
}

/// Trie nodes in a `KeyValueStore` (LevelDB on disk) under `keyPrefix + hash`; every
/// `putNodes` is one write batch, so a commit is all-or-nothing.
public final class KeyValueTrieNodeStore: TrieNodeStore {
    public let store: any KeyValueStore
    public let keyPrefix: [UInt8]

    public init(_ store: any KeyValueStore, keyPrefix: [UInt8] = []) {
        self.store = store
        self.keyPrefix = keyPrefix
    }

    public func key(for hash: Hash32) -> [UInt8] { keyPrefix + hash.bytes }

    public func node(_ hash: Hash32) throws(TrieError) -> [UInt8]? {
        do { return try store.get(key(for: hash)) } catch { throw .storage(error) }
    }

    public func putNodes(_ nodes: [(hash: Hash32, rlp: [UInt8])]) throws(TrieError) {
        var batch = WriteBatch()
        appendNodes(nodes, to: &batch)
        do { try store.writeBatch(batch) } catch { throw .storage(error) }
    }

    /// Adds node writes to a caller's batch, so trie nodes can commit together with other
    /// data (a block's receipts and indexes) in one atomic write.
    public func appendNodes(_ nodes: [(hash: Hash32, rlp: [UInt8])], to batch: inout WriteBatch) {
        for (hash, rlp) in nodes { batch.put(key(for: hash), rlp) }
    }
}
