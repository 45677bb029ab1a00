import Primitives
import Storage

/// What went wrong reading, writing or proving a trie.
public enum TrieError: Error, Equatable, CustomStringConvertible {
    /// A node the trie refers to is not in its node store (or the trie has no store).
    case missingNode(Hash32)
    /// Bytes that should be a trie node are not one (bad RLP, wrong item count, bad path).
    case malformedNode(reason: String)
    /// `commit()` was called on a trie that has no node store.
    case noNodeStore
    /// The node store failed.
    case storage(StorageError)
    /// A proof has no node for the hash the walk reached (`index` is where it was expected).
    case proofIncomplete(index: Int, expected: Hash32)
    /// Proof node `index` does not hash to the value its parent (or the root) names.
    case proofHashMismatch(index: Int, expected: Hash32, actual: Hash32)
    /// Proof node `index` is not a valid trie node.
    case proofMalformedNode(index: Int, reason: String)
    /// The walk ended before using every proof node; the extra nodes are not part of the path.
    case proofHasUnusedNodes(count: Int)

    public var description: String {
        switch self {
        case .missingNode(let hash): return "trie: node \(hash) is missing from the store"
        case .malformedNode(let reason): return "trie: malformed node: \(reason)"
        case .noNodeStore: return "trie: no node store to commit to"
        case .storage(let error): return "trie: \(error)"
        case let .proofIncomplete(index, expected): return "trie proof: node \(index) (hash \(expected)) is missing"
        case let .proofHashMismatch(index, expected, actual):
            return "trie proof: node \(index) hashes to \(actual), expected \(expected)"
        case let .proofMalformedNode(index, reason): return "trie proof: node \(index) is malformed: \(reason)"
        case .proofHasUnusedNodes(let count): return "trie proof: \(count) nodes are not on the key's path"
        }
    }
}
