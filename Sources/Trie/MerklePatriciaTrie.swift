import LedgerCrypto
import Primitives
import RLP

/// A Merkle-Patricia trie (Yellow Paper, appendix D) with value semantics: copies share nodes
/// and diverge on write, like an array. Node hashes are computed lazily and memoised per node,
/// so after a few changes `rootHash` re-hashes only the changed paths.
///
/// A trie opened from a root hash loads nodes from its `store` as walks reach them; changes
/// stay in memory until `commit()`. Keys are arbitrary bytes; an empty value deletes the key,
/// as in Ethereum.
///
/// Not thread-safe: copies share node objects and memoise hashes in them, so a trie and its
/// copies belong to one thread (or task) at a time.
public struct MerklePatriciaTrie {
    /// Keccak-256 of RLP(""), the root of the empty trie.
    public static let emptyRoot = Hash32(w0: 0x56e8_1f17_1bcc_55a6, w1: 0xff83_45e6_92c0_f86e,
                                         w2: 0x5b48_e01b_996c_adc0, w3: 0x0162_2fb5_e363_b421)

    var root: TrieNode
    /// Where nodes known only by hash are loaded from, and where `commit()` writes.
    public let store: (any TrieNodeStore)?

    /// An empty trie.
    public init(store: (any TrieNodeStore)? = nil) {
        self.root = .empty
        self.store = store
    }

    /// The trie with root `rootHash`, whose nodes are read from `store` on demand.
    public init(rootHash: Hash32, store: any TrieNodeStore) {
        self.root = rootHash == Self.emptyRoot ? .empty : .hashed(HashedNode(rootHash))
        self.store = store
    }

    /// Whether the trie holds no keys.
    public var isEmpty: Bool { root.isEmpty }

    /// The root hash; cheap when little changed since the last call.
    public var rootHash: Hash32 {
        switch root {
        case .empty: return Self.emptyRoot
        case .hashed(let h): return h.hash
        default: return TrieNodeCodec.rootHash(of: root)
        }
    }

    // MARK: Reading

    /// The value stored under `key`, or nil.
    public func get(_ key: [UInt8]) throws(TrieError) -> [UInt8]? {
        let nibbles = Nibbles.from(key)
        var node = root
        var at = 0
        while true {
            switch node {
            case .empty:
                return nil
            case .leaf(let leaf):
                guard leaf.path.count == nibbles.count - at,
                      Nibbles.commonPrefix(leaf.path, nibbles, from: at) == leaf.path.count else { return nil }
                return leaf.value
            case .extension(let ext):
                guard Nibbles.commonPrefix(ext.path, nibbles, from: at) == ext.path.count else { return nil }
                at += ext.path.count
                node = ext.child
            case .branch(let branch):
                if at == nibbles.count { return branch.value }
                node = branch.children[Int(nibbles[at])]
                at += 1
            case .hashed(let h):
                node = try resolve(h.hash)
            }
        }
    }

    /// Loads and decodes a stored node.
    func resolve(_ hash: Hash32) throws(TrieError) -> TrieNode {
        try Self.resolve(hash, from: store)
    }

    static func resolve(_ hash: Hash32, from store: (any TrieNodeStore)?) throws(TrieError) -> TrieNode {
        guard let store, let rlp = try store.node(hash) else { throw .missingNode(hash) }
        let node = try TrieNodeCodec.decode(rlp, knownHash: hash)
        markStored(node)
        return node
    }

    private static func markStored(_ node: TrieNode) {
        switch node {
        case .leaf(let n): n.isStored = true
        case .extension(let n): n.isStored = true; markStored(n.child)
        case .branch(let n): n.isStored = true; for child in n.children { markStored(child) }
        case .empty, .hashed: break
        }
    }

    // MARK: Writing

    /// Sets `key` to `value`; an empty value deletes the key.
    public mutating func insert(key: [UInt8], value: [UInt8]) throws(TrieError) {
        if value.isEmpty { return try delete(key: key) }
        // A static call: passing `self` alongside `&root` would copy the root reference and
        // make every node look shared.
        try Self.insert(into: &root, Nibbles.from(key), 0, value, owned: true, store: store)
    }

    /// Same as `insert(key:value:)`.
    public mutating func update(key: [UInt8], value: [UInt8]) throws(TrieError) {
        try insert(key: key, value: value)
    }

    /// Removes `key` if present.
    public mutating func delete(key: [UInt8]) throws(TrieError) {
        if let changed = try deleting(root, Nibbles.from(key), 0) { root = changed }
    }

    /// Sets the value in place along the key's path. `owned` says whether every node above is
    /// held by this trie alone; a node is mutated only when it and all its ancestors are, and
    /// is copied otherwise. If loading a stored node throws, `node` is restored first, so the
    /// trie's content is unchanged.
    private static func insert(into node: inout TrieNode, _ key: [UInt8], _ at: Int, _ value: [UInt8],
                               owned: Bool, store: (any TrieNodeStore)?) throws(TrieError) {
        if var branch = node.takeBranch() {
            let own = owned && isKnownUniquelyReferenced(&branch)
            if own { branch.invalidate() } else { branch = BranchNode(children: branch.children, value: branch.value) }
            if at == key.count {
                branch.value = value
                node = .branch(branch)
                return
            }
            let index = Int(key[at])
            var child = branch.children[index]
            branch.children[index] = .empty
            defer {
                branch.children[index] = child
                node = .branch(branch)
            }
            try insert(into: &child, key, at + 1, value, owned: own, store: store)
            return
        }
        if var ext = node.takeExtension() {
            let common = Nibbles.commonPrefix(ext.path, key, from: at)
            if common == ext.path.count {
                let own = owned && isKnownUniquelyReferenced(&ext)
                if own { ext.invalidate() } else { ext = ExtensionNode(path: ext.path, child: ext.child) }
                var child = ext.child
                ext.child = .empty
                defer {
                    ext.child = child
                    node = .extension(ext)
                }
                try insert(into: &child, key, at + common, value, owned: own, store: store)
                return
            }
            // The new key leaves the extension part-way: a branch at the divergence point.
            var children = BranchNode.noChildren
            var branchValue: [UInt8]?
            let below = common + 1 == ext.path.count
                ? ext.child
                : .extension(ExtensionNode(path: Array(ext.path[(common + 1)...]), child: ext.child))
            children[Int(ext.path[common])] = below
            if at + common == key.count {
                branchValue = value
            } else {
                children[Int(key[at + common])] = .leaf(LeafNode(path: Array(key[(at + common + 1)...]), value: value))
            }
            let branch = TrieNode.branch(BranchNode(children: children, value: branchValue))
            node = common == 0 ? branch : .extension(ExtensionNode(path: Array(ext.path[..<common]), child: branch))
            return
        }
        if var leaf = node.takeLeaf() {
            let common = Nibbles.commonPrefix(leaf.path, key, from: at)
            let rest = key.count - at
            if common == leaf.path.count && common == rest {
                if leaf.value != value {
                    if owned && isKnownUniquelyReferenced(&leaf) {
                        leaf.value = value
                        leaf.invalidate()
                    } else {
                        leaf = LeafNode(path: leaf.path, value: value)
                    }
                }
                node = .leaf(leaf)
                return
            }
            // The keys diverge inside the leaf's path: a branch holding both.
            var children = BranchNode.noChildren
            var branchValue: [UInt8]?
            if common == leaf.path.count {
                branchValue = leaf.value
            } else {
                children[Int(leaf.path[common])] = .leaf(LeafNode(path: Array(leaf.path[(common + 1)...]), value: leaf.value))
            }
            if common == rest {
                branchValue = value
            } else {
                children[Int(key[at + common])] = .leaf(LeafNode(path: Array(key[(at + common + 1)...]), value: value))
            }
            let branch = TrieNode.branch(BranchNode(children: children, value: branchValue))
            node = common == 0 ? branch : .extension(ExtensionNode(path: Array(leaf.path[..<common]), child: branch))
            return
        }
        switch node {
        case .empty:
            node = .leaf(LeafNode(path: Array(key[at...]), value: value))
        case .hashed(let h):
            var loaded = try resolve(h.hash, from: store)
            // Freshly decoded nodes belong to this trie alone.
            try insert(into: &loaded, key, at, value, owned: true, store: store)
            node = loaded
        case .leaf, .extension, .branch:
            break  // taken above
        }
    }

    /// The node with `key` removed, or nil when the key is absent (nothing changes).
    private func deleting(_ node: TrieNode, _ key: [UInt8], _ at: Int) throws(TrieError) -> TrieNode? {
        switch node {
        case .empty:
            return nil
        case .leaf(let leaf):
            let matches = leaf.path.count == key.count - at
                && Nibbles.commonPrefix(leaf.path, key, from: at) == leaf.path.count
            return matches ? .empty : nil
        case .extension(let ext):
            guard Nibbles.commonPrefix(ext.path, key, from: at) == ext.path.count,
                  let child = try deleting(ext.child, key, at + ext.path.count) else { return nil }
            return try joining(ext.path, child)
        case .branch(let branch):
            var children = branch.children
            var value = branch.value
            if at == key.count {
                guard value != nil else { return nil }
                value = nil
            } else {
                let index = Int(key[at])
                guard let child = try deleting(children[index], key, at + 1) else { return nil }
                children[index] = child
            }
            return try collapsing(children, value)
        case .hashed(let h):
            return try deleting(resolve(h.hash), key, at)
        }
    }

    /// A branch left with one child and no value folds into that child; with a value and no
    /// children it becomes a leaf with an empty path.
    private func collapsing(_ children: [TrieNode], _ value: [UInt8]?) throws(TrieError) -> TrieNode {
        var only = -1
        for (i, child) in children.enumerated() where !child.isEmpty {
            if only >= 0 { return .branch(BranchNode(children: children, value: value)) }
            only = i
        }
        if only < 0 {
            guard let value else { return .empty }
            return .leaf(LeafNode(path: [], value: value))
        }
        if value != nil { return .branch(BranchNode(children: children, value: value)) }
        return try joining([UInt8(only)], children[only])
    }

    /// `path` followed by `child`, merged so no extension points at a leaf or an extension.
    private func joining(_ path: [UInt8], _ child: TrieNode) throws(TrieError) -> TrieNode {
        switch child {
        case .empty: return .empty
        case .leaf(let leaf): return .leaf(LeafNode(path: path + leaf.path, value: leaf.value))
        case .extension(let ext): return .extension(ExtensionNode(path: path + ext.path, child: ext.child))
        case .branch: return .extension(ExtensionNode(path: path, child: child))
        case .hashed(let h): return try joining(path, resolve(h.hash))
        }
    }

    // MARK: Persistence

    /// The nodes not yet in a store, children before parents, each with its hash. Nodes whose
    /// RLP is under 32 bytes live inside their parent, except the root, stored under its hash.
    func uncommittedNodes() -> [(hash: Hash32, rlp: [UInt8])] {
        var out = [(hash: Hash32, rlp: [UInt8])]()
        collect(root, isRoot: true, into: &out)
        return out
    }

    private func collect(_ node: TrieNode, isRoot: Bool, into out: inout [(hash: Hash32, rlp: [UInt8])]) {
        // A stored node's subtree is stored too (content addressing), so the walk stops there.
        switch node {
        case .empty, .hashed: return
        case .leaf(let n): if n.isStored { return }
        case .extension(let n):
            if n.isStored { return }
            collect(n.child, isRoot: false, into: &out)
        case .branch(let n):
            if n.isStored { return }
            for child in n.children { collect(child, isRoot: false, into: &out) }
        }
        switch TrieNodeCodec.reference(of: node) {
        case .hash(let hash): out.append((hash, TrieNodeCodec.encode(node)))
        case .inline(let rlp): if isRoot { out.append((TrieNodeCodec.keccak(rlp), rlp)) }
        }
    }

    private func markCommitted(_ node: TrieNode) {
        switch node {
        case .empty, .hashed: return
        case .leaf(let n): n.isStored = true
        case .extension(let n):
            if n.isStored { return }
            n.isStored = true
            markCommitted(n.child)
        case .branch(let n):
            if n.isStored { return }
            n.isStored = true
            for child in n.children { markCommitted(child) }
        }
    }

    /// Writes every new node to `store` (this trie's own store when nil) in one batch and
    /// returns the root hash. Nodes stay in memory as a cache; they are marked as stored, so
    /// the next commit writes only what changed since.
    @discardableResult
    public func commit(to target: (any TrieNodeStore)? = nil) throws(TrieError) -> Hash32 {
        guard let destination = target ?? store else { throw .noNodeStore }
        let nodes = uncommittedNodes()
        if !nodes.isEmpty { try destination.putNodes(nodes) }
        markCommitted(root)
        return rootHash
    }
}
