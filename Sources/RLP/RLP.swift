import Primitives

/// Recursive Length Prefix encoding (Yellow Paper, appendix B).
public enum RLP {
    /// Bounds recursion so hostile input cannot exhaust the stack.
    public static let maxDepth = 1024

    // MARK: Encoding

    /// Appends the RLP header for a payload of `length` bytes (`0x80` strings, `0xc0` lists).
    @inlinable
    public static func appendHeader(_ length: Int, base: UInt8, to out: inout [UInt8]) {
        if length < 56 {
            out.append(base &+ UInt8(length))
        } else {
            let lengthBytes = (64 - UInt64(length).leadingZeroBitCount + 7) / 8
            out.append(base &+ 55 &+ UInt8(lengthBytes))
            for i in stride(from: lengthBytes - 1, through: 0, by: -1) {
                out.append(UInt8(truncatingIfNeeded: length >> (8 * i)))
            }
        }
    }

    /// Encodes a byte string.
    public static func encode<C: Collection>(bytes: C) -> [UInt8] where C.Element == UInt8 {
        if bytes.count == 1, let b = bytes.first, b < 0x80 { return [b] }
        var out = [UInt8]()
        out.reserveCapacity(bytes.count + 9)
        appendHeader(bytes.count, base: 0x80, to: &out)
        out.append(contentsOf: bytes)
        return out
    }

    /// Encodes a list whose items are already RLP-encoded.
    public static func encode(list encodedItems: [[UInt8]]) -> [UInt8] {
        let payload = encodedItems.reduce(0) { $0 + $1.count }
        var out = [UInt8]()
        out.reserveCapacity(payload + 9)
        appendHeader(payload, base: 0xc0, to: &out)
        for item in encodedItems { out.append(contentsOf: item) }
        return out
    }

    /// Encodes an unsigned integer as its minimal big-endian bytes (zero is the empty string).
    public static func encode(uint value: UInt64) -> [UInt8] {
        encode(bytes: UInt256(value).minimalBigEndianBytes)
    }

    public static func encode(uint value: UInt256) -> [UInt8] {
        encode(bytes: value.minimalBigEndianBytes)
    }

    public static func encode(_ item: RLPItem) -> [UInt8] {
        switch item {
        case .bytes(let b): return encode(bytes: b)
        case .list(let items): return encode(list: items.map(encode))
        }
    }

    // MARK: Decoding

    /// Decodes exactly one item that spans the whole input; anything non-canonical is an error.
    public static func decode<C: Collection>(_ input: C) throws(RLPError) -> RLPItem where C.Element == UInt8 {
        try decode(Array(input))
    }

    /// Decodes exactly one item spanning `bytes` (no copy of the input is made).
    public static func decode(_ bytes: [UInt8]) throws(RLPError) -> RLPItem {
        guard !bytes.isEmpty else { throw .empty }
        var reader = RLPReader(bytes)
        let item = try reader.readItem(depth: 0)
        guard reader.offset == bytes.count else {
            throw .trailingBytes(offset: reader.offset, count: bytes.count - reader.offset)
        }
        return item
    }
}
