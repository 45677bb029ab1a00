import Primitives
import RLP

/// Helpers over whole collections.
public enum Trie {
    /// The root of the trie mapping `RLP(index)` to `items[index]`: a block's transactions
    /// root and receipts root (Yellow Paper, section 4.3). `items` are already-encoded values.
    public static func orderedRoot(_ items: [[UInt8]]) -> Hash32 {
        var trie = MerklePatriciaTrie()
        for (index, item) in items.enumerated() {
            // An in-memory trie never needs its store, so insertion cannot fail.
            try? trie.insert(key: RLP.encode(uint: UInt64(index)), value: item)
        }
        return trie.rootHash
    }
}
