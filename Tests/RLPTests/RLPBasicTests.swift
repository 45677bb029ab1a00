import Primitives
import RLP
import Testing

@Test func rlpEncodesKnownValues() {
    #expect(RLP.encode(bytes: Array("dog".utf8)) == [0x83, 0x64, 0x6f, 0x67])
    #expect(RLP.encode(.list([.bytes(Array("cat".utf8)), .bytes(Array("dog".utf8))])) ==
            [0xc8, 0x83, 0x63, 0x61, 0x74, 0x83, 0x64, 0x6f, 0x67])
    #expect(RLP.encode(uint: UInt64(0)) == [0x80])
    #expect(RLP.encode(uint: UInt64(1024)) == [0x82, 0x04, 0x00])
}

@Test func rlpRejectsNonCanonical() {
    #expect(throws: RLPError.nonCanonicalSingleByte(offset: 0)) { try RLP.decode([0x81, 0x05]) }
    #expect(throws: RLPError.trailingBytes(offset: 1, count: 1)) { try RLP.decode([0x05, 0x06]) }
}
