import Primitives
import RLP
import Testing

/// One test per way an input can fail to be canonical RLP, each asserting the precise error.
@Test func rlpRejectsEmptyInput() {
    #expect(throws: RLPError.empty) { try RLP.decode([UInt8]()) }
}

@Test func rlpRejectsSingleByteWrappedAsString() {
    for b: UInt8 in [0x00, 0x01, 0x7f] {
        #expect(throws: RLPError.nonCanonicalSingleByte(offset: 0)) { try RLP.decode([0x81, b]) }
    }
    // Inside a list the offset names the item.
    #expect(throws: RLPError.nonCanonicalSingleByte(offset: 1)) { try RLP.decode([0xc2, 0x81, 0x05]) }
    // 0x81 0x80 is canonical.
    #expect((try? RLP.decode([0x81, 0x80])) == .bytes([0x80]))
}

@Test func rlpRejectsLongFormForShortPayload() {
    #expect(throws: RLPError.nonCanonicalLength(offset: 0)) { try RLP.decode([0xb8, 0x01, 0xff]) }
    #expect(throws: RLPError.nonCanonicalLength(offset: 0)) { try RLP.decode([0xb8, 0x37] + [UInt8](repeating: 1, count: 55)) }
    #expect(throws: RLPError.nonCanonicalLength(offset: 0)) { try RLP.decode([0xf8, 0x03, 0x01, 0x02, 0x03]) }
    #expect((try? RLP.decode([0xb8, 0x38] + [UInt8](repeating: 1, count: 56))) == .bytes([UInt8](repeating: 1, count: 56)))
}

@Test func rlpRejectsLeadingZeroInLength() {
    #expect(throws: RLPError.leadingZeroInLength(offset: 0)) { try RLP.decode([0xb8, 0x00]) }
    #expect(throws: RLPError.leadingZeroInLength(offset: 0)) { try RLP.decode([0xb9, 0x00, 0x40] + [UInt8](repeating: 1, count: 64)) }
    #expect(throws: RLPError.leadingZeroInLength(offset: 0)) { try RLP.decode([0xf8, 0x00]) }
    #expect(throws: RLPError.leadingZeroInLength(offset: 0)) { try RLP.decode([0xfb, 0x00, 0x00, 0x00, 0x40]) }
}

@Test func rlpRejectsLengthOverflow() {
    #expect(throws: RLPError.lengthOverflow(offset: 0)) {
        try RLP.decode([0xbf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00])
    }
    #expect(throws: RLPError.lengthOverflow(offset: 0)) {
        try RLP.decode([0xff, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x00])
    }
    // A huge length that fits an Int is simply more than the input holds.
    #expect(throws: RLPError.truncated(offset: 0, needed: 9 + 0x0f00_0000_0000_0002, available: 11)) {
        try RLP.decode([0xbf, 0x0f, 0, 0, 0, 0, 0, 0, 0x02, 0x11, 0x11])
    }
    #expect(throws: RLPError.truncated(offset: 0, needed: Int.max, available: 10)) {
        try RLP.decode([0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00])
    }
}

@Test func rlpRejectsTrailingBytes() {
    #expect(throws: RLPError.trailingBytes(offset: 1, count: 1)) { try RLP.decode([0x05, 0x06]) }
    #expect(throws: RLPError.trailingBytes(offset: 1, count: 2)) { try RLP.decode([0xc0, 0xc0, 0x80]) }
}

@Test func rlpRejectsTruncatedInput() {
    #expect(throws: RLPError.truncated(offset: 0, needed: 2, available: 1)) { try RLP.decode([0x81]) }
    #expect(throws: RLPError.truncated(offset: 0, needed: 4, available: 3)) { try RLP.decode([0x83, 0x64, 0x6f]) }
    #expect(throws: RLPError.truncated(offset: 0, needed: 3, available: 2)) { try RLP.decode([0xb9, 0x01]) }
    #expect(throws: RLPError.truncated(offset: 0, needed: 6, available: 4)) { try RLP.decode([0xc5, 0x01, 0x02, 0x03]) }
    // An item that claims more bytes than its enclosing list holds is truncated at that item.
    #expect(throws: RLPError.truncated(offset: 1, needed: 3, available: 2)) { try RLP.decode([0xc2, 0x82, 0x61, 0x62]) }
}

@Test func rlpRejectsNestingBeyondLimit() throws {
    func nested(_ depth: Int) -> [UInt8] {
        var item: [UInt8] = [0xc0]
        for _ in 0..<depth { item = RLP.encode(list: [item]) }
        return item
    }
    let tooDeep = nested(RLP.maxDepth)
    #expect(throws: RLPError.self) { try RLP.decode(tooDeep) }
    let ok = nested(100)
    #expect(RLP.encode(try RLP.decode(ok)) == ok)
}

@Test func rlpIntegerAccessorsRejectNonCanonicalIntegers() {
    #expect(throws: RLPError.integerLeadingZero) { try RLPItem.bytes([0x00, 0x01]).asUInt256() }
    #expect(throws: RLPError.integerTooLarge(bytes: 33)) { try RLPItem.bytes([UInt8](repeating: 1, count: 33)).asUInt256() }
    #expect(throws: RLPError.integerTooLarge(bytes: 9)) { try RLPItem.bytes([UInt8](repeating: 1, count: 9)).asUInt64() }
    #expect(throws: RLPError.unexpectedList(offset: 0)) { try RLPItem.list([]).asUInt64() }
    #expect((try? RLPItem.bytes([0x04, 0x00]).asUInt64()) == 1024)
    #expect((try? RLPItem.bytes([]).asUInt64()) == 0)
}

@Test func rlpReaderWalksListsWithoutBuildingTrees() throws {
    let encoded = RLP.encode(.list([.bytes(Array("cat".utf8)), .list([.bytes([1])]), .bytes([])]))
    var outer = RLPReader(encoded)
    var list = try outer.readList()
    #expect(outer.isAtEnd)
    let cat = try list.readBytesRange()
    #expect(Array(encoded[cat]) == Array("cat".utf8))
    #expect(throws: RLPError.unexpectedList(offset: 5)) { var copy = list; _ = try copy.readBytesRange() }
    var inner = try list.readList()
    #expect(Array(encoded[try inner.readBytesRange()]) == [1])
    #expect(try list.readBytesRange().isEmpty)
    #expect(list.isAtEnd)
}
