import Primitives

/// A decoded RLP value: a byte string or a list of values.
public enum RLPItem: Equatable, Sendable {
    case bytes([UInt8])
    case list([RLPItem])
}

/// Why an input is not canonical RLP. Offsets are byte positions in the input.
public enum RLPError: Error, Equatable, CustomStringConvertible {
    case empty
    case truncated(offset: Int, needed: Int, available: Int)
    case nonCanonicalSingleByte(offset: Int)
    case nonCanonicalLength(offset: Int)
    case leadingZeroInLength(offset: Int)
    case lengthOverflow(offset: Int)
    case trailingBytes(offset: Int, count: Int)
    case tooDeep(offset: Int)
    case unexpectedList(offset: Int)
    case unexpectedBytes(offset: Int)
    case wrongItemCount(expected: Int, got: Int)
    case integerTooLarge(bytes: Int)
    case integerLeadingZero

    public var description: String {
        switch self {
        case .empty: return "RLP: empty input"
        case let .truncated(o, n, a): return "RLP: item at offset \(o) needs \(n) bytes, only \(a) remain"
        case let .nonCanonicalSingleByte(o): return "RLP: single byte below 0x80 encoded as a string at offset \(o)"
        case let .nonCanonicalLength(o): return "RLP: long-form length used for a short payload at offset \(o)"
        case let .leadingZeroInLength(o): return "RLP: length with leading zero byte at offset \(o)"
        case let .lengthOverflow(o): return "RLP: length does not fit in memory at offset \(o)"
        case let .trailingBytes(o, c): return "RLP: \(c) trailing bytes after the item, at offset \(o)"
        case let .tooDeep(o): return "RLP: nesting deeper than \(RLP.maxDepth) at offset \(o)"
        case let .unexpectedList(o): return "RLP: expected a byte string, found a list at offset \(o)"
        case let .unexpectedBytes(o): return "RLP: expected a list, found a byte string at offset \(o)"
        case let .wrongItemCount(e, g): return "RLP: expected \(e) list items, got \(g)"
        case let .integerTooLarge(b): return "RLP: integer of \(b) bytes is too large"
        case .integerLeadingZero: return "RLP: integer with leading zero byte"
        }
    }
}

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
        let bytes = Array(input)
        guard !bytes.isEmpty else { throw .empty }
        var reader = RLPReader(bytes)
        let item = try reader.readItem(depth: 0)
        guard reader.offset == bytes.count else {
            throw .trailingBytes(offset: reader.offset, count: bytes.count - reader.offset)
        }
        return item
    }
}

/// A cursor over RLP input; exposes header parsing for callers that decode without
/// building an `RLPItem` tree (transactions, trie nodes).
public struct RLPReader {
    public let bytes: [UInt8]
    public private(set) var offset: Int

    public init(_ bytes: [UInt8], offset: Int = 0) { self.bytes = bytes; self.offset = offset }

    public var isAtEnd: Bool { offset >= bytes.count }

    /// Reads a header; returns whether it is a list and the payload range.
    public mutating func readHeader() throws(RLPError) -> (isList: Bool, payload: Range<Int>) {
        let start = offset
        guard start < bytes.count else { throw .truncated(offset: start, needed: 1, available: 0) }
        let prefix = bytes[start]
        var isList = false
        var length = 0
        var headerSize = 1
        switch prefix {
        case 0x00...0x7f:
            offset = start + 1
            return (false, start..<start + 1)
        case 0x80...0xb7:
            length = Int(prefix - 0x80)
            if length == 1 {
                guard start + 1 < bytes.count else { throw .truncated(offset: start, needed: 2, available: bytes.count - start) }
                if bytes[start + 1] < 0x80 { throw .nonCanonicalSingleByte(offset: start) }
            }
        case 0xb8...0xbf, 0xf8...0xff:
            isList = prefix >= 0xf8
            let lengthOfLength = Int(prefix - (isList ? 0xf7 : 0xb7))
            guard start + lengthOfLength < bytes.count else {
                throw .truncated(offset: start, needed: 1 + lengthOfLength, available: bytes.count - start)
            }
            if bytes[start + 1] == 0 { throw .leadingZeroInLength(offset: start) }
            guard lengthOfLength <= 7 else { throw .lengthOverflow(offset: start) }
            for i in 0..<lengthOfLength { length = length << 8 | Int(bytes[start + 1 + i]) }
            if length < 56 { throw .nonCanonicalLength(offset: start) }
            headerSize = 1 + lengthOfLength
        default:  // 0xc0...0xf7
            isList = true
            length = Int(prefix - 0xc0)
        }
        let payloadStart = start + headerSize
        guard length <= bytes.count - payloadStart else {
            throw .truncated(offset: start, needed: headerSize + length, available: bytes.count - start)
        }
        offset = payloadStart + length
        return (isList, payloadStart..<payloadStart + length)
    }

    public mutating func readItem(depth: Int) throws(RLPError) -> RLPItem {
        guard depth < RLP.maxDepth else { throw .tooDeep(offset: offset) }
        let (isList, payload) = try readHeader()
        guard isList else { return .bytes(Array(bytes[payload])) }
        var inner = RLPReader(bytes, offset: payload.lowerBound)
        var items = [RLPItem]()
        while inner.offset < payload.upperBound {
            let item = try inner.readItem(depth: depth + 1)
            guard inner.offset <= payload.upperBound else {
                throw .truncated(offset: payload.lowerBound, needed: inner.offset - payload.lowerBound,
                                 available: payload.count)
            }
            items.append(item)
        }
        return .list(items)
    }
}

extension RLPItem {
    /// The byte string, or `unexpectedList`.
    public func asBytes() throws(RLPError) -> [UInt8] {
        guard case .bytes(let b) = self else { throw .unexpectedList(offset: 0) }
        return b
    }

    /// The list items, or `unexpectedBytes`.
    public func asList() throws(RLPError) -> [RLPItem] {
        guard case .list(let items) = self else { throw .unexpectedBytes(offset: 0) }
        return items
    }

    /// A canonical unsigned integer of at most 32 bytes (no leading zeros).
    public func asUInt256() throws(RLPError) -> UInt256 {
        let b = try asBytes()
        guard b.count <= 32 else { throw .integerTooLarge(bytes: b.count) }
        if let first = b.first, first == 0 { throw .integerLeadingZero }
        return try! UInt256(bigEndian: b)
    }

    public func asUInt64() throws(RLPError) -> UInt64 {
        let v = try asUInt256()
        guard let small = v.uint64 else { throw .integerTooLarge(bytes: v.minimalBigEndianBytes.count) }
        return small
    }
}
