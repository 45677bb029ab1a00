/// A cursor over RLP input, bounded by `end`; exposes header parsing for callers that decode
/// without building an `RLPItem` tree (transactions, trie nodes). Every header is checked for
/// the canonical form of the Yellow Paper, appendix B: a lone byte below 0x80 is its own
/// encoding, lengths use the short form below 56 and have no leading zero bytes otherwise.
public struct RLPReader {
    public let bytes: [UInt8]
    public private(set) var offset: Int
    /// One past the last byte this reader may consume (the end of the enclosing list).
    public let end: Int

    public init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
        self.end = bytes.count
    }

    /// A reader over `range` of `bytes`, e.g. the payload of a list.
    public init(_ bytes: [UInt8], range: Range<Int>) {
        self.bytes = bytes
        self.offset = range.lowerBound
        self.end = min(range.upperBound, bytes.count)
    }

    public var isAtEnd: Bool { offset >= end }

    /// Reads a header; returns whether it is a list and the payload range.
    public mutating func readHeader() throws(RLPError) -> (isList: Bool, payload: Range<Int>) {
        let start = offset
        let available = end - start
        guard available > 0 else { throw .truncated(offset: start, needed: 1, available: 0) }
        let prefix = bytes[start]
        let isList: Bool
        let length: Int
        var headerSize = 1
        switch prefix {
        case 0x00...0x7f:
            offset = start + 1
            return (false, start..<start + 1)
        case 0x80...0xb7:
            isList = false
            length = Int(prefix &- 0x80)
            if length == 1 {
                guard available >= 2 else { throw .truncated(offset: start, needed: 2, available: available) }
                if bytes[start + 1] < 0x80 { throw .nonCanonicalSingleByte(offset: start) }
            }
        case 0xc0...0xf7:
            isList = true
            length = Int(prefix &- 0xc0)
        default:  // 0xb8...0xbf strings, 0xf8...0xff lists: long form, length of length follows
            isList = prefix >= 0xf8
            let lengthOfLength = Int(prefix &- (isList ? 0xf7 : 0xb7))
            guard available > lengthOfLength else {
                throw .truncated(offset: start, needed: 1 + lengthOfLength, available: available)
            }
            let first = bytes[start + 1]
            if first == 0 { throw .leadingZeroInLength(offset: start) }
            // Eight length bytes fit an Int only when the top bit is clear.
            if lengthOfLength == 8 && first >= 0x80 { throw .lengthOverflow(offset: start) }
            var value = 0
            for i in 1...lengthOfLength { value = value << 8 | Int(bytes[start + i]) }
            if value < 56 { throw .nonCanonicalLength(offset: start) }
            length = value
            headerSize = 1 + lengthOfLength
        }
        guard length <= available - headerSize else {
            // A long-form length may be close to Int.max, so the sum saturates.
            let (needed, overflow) = headerSize.addingReportingOverflow(length)
            throw .truncated(offset: start, needed: overflow ? Int.max : needed, available: available)
        }
        let payloadStart = start + headerSize
        offset = payloadStart + length
        return (isList, payloadStart..<payloadStart + length)
    }

    /// Reads a byte string's payload range; a list is `unexpectedList`.
    public mutating func readBytesRange() throws(RLPError) -> Range<Int> {
        let start = offset
        let (isList, payload) = try readHeader()
        if isList { throw .unexpectedList(offset: start) }
        return payload
    }

    /// Reads a list header and returns a reader bounded by its payload; a string is `unexpectedBytes`.
    public mutating func readList() throws(RLPError) -> RLPReader {
        let start = offset
        let (isList, payload) = try readHeader()
        if !isList { throw .unexpectedBytes(offset: start) }
        return RLPReader(bytes, range: payload)
    }

    /// Reads one item, building the tree. Recursion is bounded by `RLP.maxDepth`.
    public mutating func readItem(depth: Int) throws(RLPError) -> RLPItem {
        guard depth < RLP.maxDepth else { throw .tooDeep(offset: offset) }
        let (isList, payload) = try readHeader()
        guard isList else { return .bytes(Array(bytes[payload])) }
        // The inner reader stops at the list's end, so an item that claims more bytes than its
        // list holds is reported as truncated at that item, not read past the list.
        var inner = RLPReader(bytes, range: payload)
        var items = [RLPItem]()
        while !inner.isAtEnd {
            items.append(try inner.readItem(depth: depth + 1))
        }
        return .list(items)
    }
}
