import Primitives

/// A node of the Merkle-Patricia trie (Yellow Paper, appendix D). Tries share node objects:
/// copying a `MerklePatriciaTrie` is O(1). A node is changed in place only when the writing
/// trie is its sole owner (checked from the root down); shared nodes are copied first. Each
/// change clears the memoised reference, so after a small change only the nodes on the
/// changed path are re-hashed.
enum TrieNode {
    case empty
    case leaf(LeafNode)
    case `extension`(ExtensionNode)
    case branch(BranchNode)
    /// A node known only by hash; loaded from the node store when a walk reaches it.
    case hashed(HashedNode)

    var isEmpty: Bool { if case .empty = self { return true } else { return false } }

    // Moving a node object out (leaving `.empty`) before an in-place change: a reference still
    // held by the enum, or by a pattern-bound copy of it, would defeat the uniqueness check.
    // The binding ends with the function, so the caller holds the only reference.

    mutating func takeBranch() -> BranchNode? {
        guard case .branch(let node) = self else { return nil }
        self = .empty
        return node
    }

    mutating func takeExtension() -> ExtensionNode? {
        guard case .extension(let node) = self else { return nil }
        self = .empty
        return node
    }

    mutating func takeLeaf() -> LeafNode? {
        guard case .leaf(let node) = self else { return nil }
        self = .empty
        return node
    }
}

/// How a parent refers to a child: nodes whose RLP is shorter than 32 bytes are embedded
/// as-is, longer ones by their Keccak-256 hash.
enum NodeReference {
    case inline([UInt8])
    case hash(Hash32)
}

/// Shared memo of the three in-memory node kinds.
class CachedNode {
    /// The reference a parent uses, computed on first use.
    final var reference: NodeReference?
    /// Whether this node (and so, by content addressing, its whole subtree) is in a node store.
    final var isStored = false

    init() {}

    /// Forgets the memo before an in-place change.
    @inline(__always)
    final func invalidate() {
        reference = nil
        isStored = false
    }
}

/// The rest of the key (in nibbles) and the value at its end.
final class LeafNode: CachedNode {
    let path: [UInt8]
    var value: [UInt8]
    init(path: [UInt8], value: [UInt8]) { self.path = path; self.value = value }
}

/// A run of nibbles shared by every key below; the child is always a branch.
final class ExtensionNode: CachedNode {
    let path: [UInt8]
    var child: TrieNode
    init(path: [UInt8], child: TrieNode) { self.path = path; self.child = child }
}

/// Sixteen children, one per nibble, and the value of the key that ends here.
final class BranchNode: CachedNode {
    var children: [TrieNode]
    var value: [UInt8]?
    init(children: [TrieNode], value: [UInt8]?) { self.children = children; self.value = value }

    static let noChildren = [TrieNode](repeating: .empty, count: 16)

    var childCount: Int { children.reduce(0) { $0 + ($1.isEmpty ? 0 : 1) } }
}

/// A stored node that has not been loaded.
final class HashedNode {
    let hash: Hash32
    init(_ hash: Hash32) { self.hash = hash }
}

/// Key bytes to nibbles (high half first) and the hex-prefix encoding of nibble paths.
enum Nibbles {
    static func from(_ key: [UInt8]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(key.count * 2)
        for byte in key {
            out.append(byte >> 4)
            out.append(byte & 0x0f)
        }
        return out
    }

    /// Packs an even number of nibbles back into bytes.
    static func toBytes(_ nibbles: [UInt8]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(nibbles.count / 2)
        var i = 0
        while i + 1 < nibbles.count {
            out.append(nibbles[i] << 4 | nibbles[i + 1])
            i += 2
        }
        return out
    }

    /// Length of the common prefix of `a` and `b[from...]`.
    @inline(__always)
    static func commonPrefix(_ a: [UInt8], _ b: [UInt8], from: Int) -> Int {
        let limit = min(a.count, b.count - from)
        var i = 0
        while i < limit && a[i] == b[from + i] { i += 1 }
        return i
    }

    /// Hex-prefix encoding (Yellow Paper, appendix C): a flag nibble (2 for a leaf, +1 when the
    /// length is odd), then a padding nibble for even lengths, then the path.
    static func appendHexPrefix(_ path: [UInt8], isLeaf: Bool, to out: inout [UInt8]) {
        let flag: UInt8 = isLeaf ? 2 : 0
        var i = 0
        if path.count % 2 == 1 {
            out.append((flag + 1) << 4 | path[0])
            i = 1
        } else {
            out.append(flag << 4)
        }
        while i < path.count {
            out.append(path[i] << 4 | path[i + 1])
            i += 2
        }
    }

    /// Decodes hex-prefix bytes into (isLeaf, nibbles); nil when the flag nibble is invalid
    /// or an even-length path has a non-zero padding nibble.
    static func decodeHexPrefix(_ bytes: ArraySlice<UInt8>) -> (isLeaf: Bool, path: [UInt8])? {
        guard let first = bytes.first else { return nil }
        let flag = first >> 4
        guard flag <= 3 else { return nil }
        var path = [UInt8]()
        path.reserveCapacity(bytes.count * 2)
        if flag & 1 == 1 {
            path.append(first & 0x0f)
        } else if first & 0x0f != 0 {
            return nil
        }
        for byte in bytes.dropFirst() {
            path.append(byte >> 4)
            path.append(byte & 0x0f)
        }
        return (flag >= 2, path)
    }
}
