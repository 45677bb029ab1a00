import Primitives
import Testing

@Test func hexRoundTrip() throws {
    let bytes: [UInt8] = [0x00, 0x01, 0xab, 0xff]
    #expect(bytes.hexString == "0x0001abff")
    #expect(try [UInt8](hex: "0x0001ABff") == bytes)
}

@Test func hexErrorsNameTheProblem() {
    #expect(throws: HexError.oddLength(3)) { try Hex.decode("0xabc") }
    #expect(throws: HexError.invalidCharacter("g", offset: 3)) { try Hex.decode("0x0g") }
}

@Test func uint256BigEndianRoundTrip() throws {
    let v = try UInt256(hex: "0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20")
    #expect(v.l3 == 0x0102030405060708 && v.l0 == 0x191a1b1c1d1e1f20)
    #expect(v.bigEndianBytes.hexString == "0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20")
    #expect(UInt256(0x1234).minimalBigEndianBytes == [0x12, 0x34])
    #expect(UInt256.zero.quantityHex == "0x0")
    #expect(UInt256(255).quantityHex == "0xff")
}
