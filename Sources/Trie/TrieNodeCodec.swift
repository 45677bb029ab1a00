import LedgerCrypto
import Primitives
import RLP

/// RLP encoding and decoding of trie nodes (Yellow Paper, appendix D): a leaf or extension is
/// `[hexPrefix(path), value or child]`, a branch is `[child0, ..., child15, value]`.
enum TrieNodeCodec {
    /// RLP of the empty string, the encoding of an empty node and of an absent branch value.
    static let emptyString: UInt8 = 0x80
    private static let emptyReference = NodeReference.inline([emptyString])

    /// The reference a parent stores for `node`, memoised in the node.
    static func reference(of node: TrieNode) -> NodeReference {
        switch node {
        case .empty: return emptyReference
        case .hashed(let h): return .hash(h.hash)
        case .leaf(let n): return cachedReference(n, node)
        case .extension(let n): return cachedReference(n, node)
        case .branch(let n): return cachedReference(n, node)
        }
    }

    @inline(__always)
    private static func cachedReference(_ box: CachedNode, _ node: TrieNode) -> NodeReference {
        if let known = box.reference { return known }
        let encoded = encode(node)
        let reference: NodeReference = encoded.count < 32 ? .inline(encoded) : .hash(keccak(encoded))
        box.reference = reference
        return reference
    }

    /// The node's hash as a root: Keccak-256 of its RLP even when that is shorter than 32 bytes.
    static func rootHash(of node: TrieNode) -> Hash32 {
        switch reference(of: node) {
        case .hash(let hash): return hash
        case .inline(let bytes): return keccak(bytes)
        }
    }

    /// Hashes through the raw-buffer entry point, which skips the generic collection path.
    @inline(__always)
    static func keccak(_ bytes: [UInt8]) -> Hash32 {
        bytes.withUnsafeBytes { Keccak256.hash($0) }
    }

    /// Size of a reference inside the parent's RLP payload.
    @inline(__always)
    private static func encodedSize(_ reference: NodeReference) -> Int {
        switch reference {
        case .hash: return 33
        case .inline(let bytes): return bytes.count
        }
    }

    @inline(__always)
    private static func append(_ reference: NodeReference, to out: inout [UInt8]) {
        switch reference {
        case .hash(let hash):
            out.append(0xa0)
            withUnsafeBytes(of: hash.w0.bigEndian) { out.append(contentsOf: $0) }
            withUnsafeBytes(of: hash.w1.bigEndian) { out.append(contentsOf: $0) }
            withUnsafeBytes(of: hash.w2.bigEndian) { out.append(contentsOf: $0) }
            withUnsafeBytes(of: hash.w3.bigEndian) { out.append(contentsOf: $0) }
        case .inline(let bytes):
            out.append(contentsOf: bytes)
        }
    }

    /// Size of the RLP string of `count` bytes whose first byte is `first`.
    @inline(__always)
    private static func stringSize(count: Int, first: UInt8) -> Int {
        if count == 1 && first < 0x80 { return 1 }
        if count < 56 { return 1 + count }
        return 1 + (64 - UInt64(count).leadingZeroBitCount + 7) / 8 + count
    }

    @inline(__always)
    private static func appendString(_ bytes: [UInt8], to out: inout [UInt8]) {
        if bytes.count == 1 && bytes[0] < 0x80 {
            out.append(bytes[0])
        } else {
            RLP.appendHeader(bytes.count, base: 0x80, to: &out)
            out.append(contentsOf: bytes)
        }
    }

    @inline(__always)
    private static func appendPathString(_ path: [UInt8], isLeaf: Bool, to out: inout [UInt8]) {
        let count = path.count / 2 + 1
        // A one-byte hex prefix is always below 0x80 (flag nibble <= 3), so it is its own RLP.
        if count > 1 { RLP.appendHeader(count, base: 0x80, to: &out) }
        Nibbles.appendHexPrefix(path, isLeaf: isLeaf, to: &out)
    }

    @inline(__always)
    private static func pathStringSize(_ path: [UInt8]) -> Int {
        let count = path.count / 2 + 1
        return count == 1 ? 1 : stringSize(count: count, first: 0x80)
    }

    /// The node's full RLP.
    static func encode(_ node: TrieNode) -> [UInt8] {
        switch node {
        case .empty:
            return [emptyString]
        case .hashed(let h):
            // Only reached for a hashed root; its RLP is not known here, the hash stands for it.
            var out = [UInt8]()
            append(.hash(h.hash), to: &out)
            return out
        case .leaf(let leaf):
            let valueSize = stringSize(count: leaf.value.count, first: leaf.value.first ?? 0)
            let payload = pathStringSize(leaf.path) + valueSize
            var out = [UInt8]()
            out.reserveCapacity(payload + 9)
            RLP.appendHeader(payload, base: 0xc0, to: &out)
            appendPathString(leaf.path, isLeaf: true, to: &out)
            appendString(leaf.value, to: &out)
            return out
        case .extension(let ext):
            let child = reference(of: ext.child)
            let payload = pathStringSize(ext.path) + encodedSize(child)
            var out = [UInt8]()
            out.reserveCapacity(payload + 9)
            RLP.appendHeader(payload, base: 0xc0, to: &out)
            appendPathString(ext.path, isLeaf: false, to: &out)
            append(child, to: &out)
            return out
        case .branch(let branch):
            // Two passes over the children: sizes, then bytes. The second pass reads the
            // references the first one memoised.
            var payload = 0
            for child in branch.children { payload += encodedSize(reference(of: child)) }
            if let value = branch.value {
                payload += stringSize(count: value.count, first: value.first ?? 0)
            } else {
                payload += 1
            }
            var out = [UInt8]()
            out.reserveCapacity(payload + 9)
            RLP.appendHeader(payload, base: 0xc0, to: &out)
            for child in branch.children { append(reference(of: child), to: &out) }
            if let value = branch.value { appendString(value, to: &out) } else { out.append(emptyString) }
            return out
        }
    }

    // MARK: Decoding

    /// Decodes a node from its full RLP. `knownHash`, when given, is memoised as its reference.
    static func decode(_ bytes: [UInt8], knownHash: Hash32? = nil) throws(TrieError) -> TrieNode {
        var reader = RLPReader(bytes)
        let node = try decodeItem(&reader, bytes: bytes, depth: 0)
        guard reader.isAtEnd else { throw .malformedNode(reason: "trailing bytes after node") }
        // Nodes under 32 bytes already carry their inline reference, which a parent needs.
        if let knownHash, bytes.count >= 32 { setReference(node, .hash(knownHash)) }
        return node
    }

    private static func setReference(_ node: TrieNode, _ reference: NodeReference) {
        switch node {
        case .leaf(let n): n.reference = reference
        case .extension(let n): n.reference = reference
        case .branch(let n): n.reference = reference
        case .empty, .hashed: break
        }
    }

    /// Reads one node list from `reader`. Embedded children are decoded in place.
    private static func decodeItem(_ reader: inout RLPReader, bytes: [UInt8], depth: Int) throws(TrieError) -> TrieNode {
        // Embedded nodes are shorter than 32 bytes, so nesting is shallow in valid input.
        guard depth < 64 else { throw .malformedNode(reason: "nesting too deep") }
        let start = reader.offset
        do {
            var items = try reader.readList()
            let end = reader.offset
            var ranges = [Range<Int>]()
            var isListItem = [Bool]()
            var itemStarts = [Int]()
            while !items.isAtEnd {
                guard ranges.count < 17 else { throw TrieError.malformedNode(reason: "more than 17 items") }
                itemStarts.append(items.offset)
                let (isList, payload) = try items.readHeader()
                ranges.append(payload)
                isListItem.append(isList)
            }
            func child(_ i: Int) throws(TrieError) -> TrieNode {
                if isListItem[i] {
                    let itemEnd = ranges[i].upperBound
                    guard itemEnd - itemStarts[i] < 32 else {
                        throw .malformedNode(reason: "embedded node of \(itemEnd - itemStarts[i]) bytes (must be < 32)")
                    }
                    var inner = RLPReader(bytes, range: itemStarts[i]..<itemEnd)
                    let node = try decodeItem(&inner, bytes: bytes, depth: depth + 1)
                    return node
                }
                switch ranges[i].count {
                case 0: return .empty
                case 32:
                    let hash = (try? Hash32(bytes: bytes[ranges[i]])) ?? .zero
                    return .hashed(HashedNode(hash))
                default: throw .malformedNode(reason: "child reference of \(ranges[i].count) bytes")
                }
            }
            let node: TrieNode
            switch ranges.count {
            case 2:
                guard !isListItem[0], let (isLeaf, path) = Nibbles.decodeHexPrefix(bytes[ranges[0]]) else {
                    throw TrieError.malformedNode(reason: "bad hex-prefix path")
                }
                if isLeaf {
                    guard !isListItem[1] else { throw TrieError.malformedNode(reason: "leaf value is a list") }
                    guard !ranges[1].isEmpty else { throw TrieError.malformedNode(reason: "leaf with empty value") }
                    node = .leaf(LeafNode(path: path, value: Array(bytes[ranges[1]])))
                } else {
                    guard !path.isEmpty else { throw TrieError.malformedNode(reason: "extension with empty path") }
                    let next = try child(1)
                    if next.isEmpty { throw TrieError.malformedNode(reason: "extension without child") }
                    node = .extension(ExtensionNode(path: path, child: next))
                }
            case 17:
                var children = [TrieNode]()
                children.reserveCapacity(16)
                for i in 0..<16 { children.append(try child(i)) }
                guard !isListItem[16] else { throw TrieError.malformedNode(reason: "branch value is a list") }
                let value: [UInt8]? = ranges[16].isEmpty ? nil : Array(bytes[ranges[16]])
                node = .branch(BranchNode(children: children, value: value))
            default:
                throw TrieError.malformedNode(reason: "list of \(ranges.count) items (want 2 or 17)")
            }
            if end - start < 32 { setReference(node, .inline(Array(bytes[start..<end]))) }
            return node
        } catch let error as RLPError {
            throw .malformedNode(reason: error.description)
        } catch let error as TrieError {
            throw error
        } catch {
            throw .malformedNode(reason: "\(error)")
        }
    }
}
