import LedgerCrypto
import Primitives

/// Merkle proofs in the form of EIP-1186 (`eth_getProof`): the RLP of every node on the key's
/// path, root first. Nodes embedded in their parent (under 32 bytes) are not listed separately.
extension MerklePatriciaTrie {
    /// The proof that `key` has its current value, or that it is absent.
    public func proof(for key: [UInt8]) throws(TrieError) -> [[UInt8]] {
        if root.isEmpty { return [] }
        let nibbles = Nibbles.from(key)
        var out = [[UInt8]]()
        var node = root
        var at = 0
        var isRoot = true
        while true {
            if case .hashed(let h) = node { node = try resolve(h.hash) }
            if isRoot {
                out.append(TrieNodeCodec.encode(node))
                isRoot = false
            } else if case .hash = TrieNodeCodec.reference(of: node) {
                out.append(TrieNodeCodec.encode(node))
            }
            switch node {
            case .empty, .leaf, .hashed:
                return out
            case .extension(let ext):
                guard Nibbles.commonPrefix(ext.path, nibbles, from: at) == ext.path.count else { return out }
                at += ext.path.count
                node = ext.child
            case .branch(let branch):
                guard at < nibbles.count else { return out }
                node = branch.children[Int(nibbles[at])]
                at += 1
            }
        }
    }

    /// Checks `proof` against `root` and returns the value it proves for `key`, or nil when it
    /// proves the key absent. A proof that does not hash-link to `root`, has missing, malformed
    /// or extra nodes throws.
    public static func verifyProof(root: Hash32, key: [UInt8], proof: [[UInt8]]) throws(TrieError) -> [UInt8]? {
        if root == emptyRoot {
            // The empty trie: nothing, or the empty node itself.
            if proof.isEmpty || (proof.count == 1 && proof[0] == [TrieNodeCodec.emptyString]) { return nil }
        }
        let nibbles = Nibbles.from(key)
        var index = 0
        var node = try proofNode(proof, index, expected: root)
        var at = 0
        var value: [UInt8]?
        walk: while true {
            switch node {
            case .empty:
                break walk
            case .leaf(let leaf):
                if leaf.path.count == nibbles.count - at && Nibbles.commonPrefix(leaf.path, nibbles, from: at) == leaf.path.count {
                    value = leaf.value
                }
                break walk
            case .extension(let ext):
                guard Nibbles.commonPrefix(ext.path, nibbles, from: at) == ext.path.count else { break walk }
                at += ext.path.count
                node = ext.child
            case .branch(let branch):
                if at == nibbles.count {
                    value = branch.value
                    break walk
                }
                node = branch.children[Int(nibbles[at])]
                at += 1
            case .hashed(let h):
                index += 1
                node = try proofNode(proof, index, expected: h.hash)
            }
        }
        if index + 1 < proof.count { throw .proofHasUnusedNodes(count: proof.count - index - 1) }
        return value
    }

    private static func proofNode(_ proof: [[UInt8]], _ index: Int, expected: Hash32) throws(TrieError) -> TrieNode {
        guard index < proof.count else { throw .proofIncomplete(index: index, expected: expected) }
        let actual = TrieNodeCodec.keccak(proof[index])
        guard actual == expected else { throw .proofHashMismatch(index: index, expected: expected, actual: actual) }
        do {
            return try TrieNodeCodec.decode(proof[index])
        } catch {
            if case .malformedNode(let reason) = error { throw .proofMalformedNode(index: index, reason: reason) }
            throw error
        }
    }
}
