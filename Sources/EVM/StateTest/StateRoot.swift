import Primitives
import LedgerCrypto
import RLP

/// Merkle-Patricia root of a key/value set, built in one pass over the sorted keys (no node
/// store): what the state test runner needs to compare post-state roots.
public enum TrieRoot {
    /// Keccak-256 of RLP("") : the root of an empty trie.
    public static let empty = Keccak256.hash([UInt8(0x80)])

    /// Root of a trie whose keys are 32-byte hashes (a secure trie) and values already RLP-encoded.
    public static func root(_ items: [(key: Hash32, value: [UInt8])]) -> Hash32 {
        if items.isEmpty { return empty }
        let sorted = items.sorted { $0.key < $1.key }.map { (nibbles(of: $0.key), $0.value) }
        let encoded = node(sorted[...], depth: 0)
        return Keccak256.hash(encoded)
    }

    static func nibbles(of h: Hash32) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(64)
        for b in h.bytes { out.append(b >> 4); out.append(b & 0x0f) }
        return out
    }

    /// Hex-prefix encoding (Yellow Paper appendix C).
    static func hexPrefix(_ nibbles: ArraySlice<UInt8>, leaf: Bool) -> [UInt8] {
        var out = [UInt8]()
        let flag: UInt8 = leaf ? 2 : 0
        var i = nibbles.startIndex
        if nibbles.count % 2 == 1 {
            out.append((flag + 1) << 4 | nibbles[i]); i += 1
        } else {
            out.append(flag << 4)
        }
        while i < nibbles.endIndex { out.append(nibbles[i] << 4 | nibbles[i + 1]); i += 2 }
        return out
    }

    /// How a child node appears inside its parent: inline when shorter than 32 bytes.
    static func reference(_ encoded: [UInt8]) -> [UInt8] {
        encoded.count < 32 ? encoded : RLP.encode(bytes: Keccak256.hash(encoded).bytes)
    }

    static func node(_ items: ArraySlice<([UInt8], [UInt8])>, depth: Int) -> [UInt8] {
        let first = items[items.startIndex]
        if items.count == 1 {
            return RLP.encode(list: [RLP.encode(bytes: hexPrefix(first.0[depth...], leaf: true)), RLP.encode(bytes: first.1)])
        }
        let last = items[items.endIndex - 1]
        var common = 0
        while depth + common < first.0.count && first.0[depth + common] == last.0[depth + common] { common += 1 }
        if common > 0 {
            let child = node(items, depth: depth + common)
            return RLP.encode(list: [RLP.encode(bytes: hexPrefix(first.0[depth..<depth + common], leaf: false)), reference(child)])
        }
        var branches = [[UInt8]](repeating: [0x80], count: 17)
        var start = items.startIndex
        while start < items.endIndex {
            let nibble = items[start].0[depth]
            var end = start + 1
            while end < items.endIndex && items[end].0[depth] == nibble { end += 1 }
            branches[Int(nibble)] = reference(node(items[start..<end], depth: depth + 1))
            start = end
        }
        return RLP.encode(list: branches)
    }

    /// The state root of a backend: secure trie over RLP([nonce, balance, storageRoot, codeHash]).
    public static func stateRoot(_ backend: MemoryBackend) -> Hash32 {
        var items: [(key: Hash32, value: [UInt8])] = []
        items.reserveCapacity(backend.accounts.count)
        for (address, entry) in backend.accounts {
            let storageItems = entry.storage.filter { !$0.value.isZero }.map {
                (key: Keccak256.hash($0.key.bigEndianBytes), value: RLP.encode(uint: $0.value))
            }
            let account = RLP.encode(list: [
                RLP.encode(uint: entry.info.nonce), RLP.encode(uint: entry.info.balance),
                RLP.encode(bytes: root(storageItems).bytes), RLP.encode(bytes: entry.info.codeHash.bytes),
            ])
            items.append((key: Keccak256.hash(address.bytes), value: account))
        }
        return root(items)
    }

    /// Keccak-256 of the RLP list of logs [address, [topics], data].
    public static func logsHash(_ logs: [Log]) -> Hash32 {
        let encoded = RLP.encode(list: logs.map { log in
            RLP.encode(list: [RLP.encode(bytes: log.address.bytes),
                              RLP.encode(list: log.topics.map { RLP.encode(bytes: $0.bigEndianBytes) }),
                              RLP.encode(bytes: log.data)])
        })
        return Keccak256.hash(encoded)
    }
}
