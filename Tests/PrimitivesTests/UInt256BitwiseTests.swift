import Primitives
import Testing

// Known answers for the bitwise family: AND/OR/XOR/NOT, SHL/SHR/SAR (EIP-145), BYTE, SIGNEXTEND.

private let max = UInt256.max
private let min = UInt256(l0: 0, l1: 0, l2: 0, l3: 1 << 63)

private func hex(_ text: String) -> UInt256 {
    do { return try UInt256(hex: text) } catch { Issue.record("bad hex \(text)"); return .zero }
}

@Test func logicOperators() {
    let a = UInt256(l0: 0xf0f0, l1: 1, l2: 0, l3: .max), b = UInt256(l0: 0xff00, l1: 3, l2: 5, l3: 0)
    #expect(a & b == UInt256(l0: 0xf000, l1: 1, l2: 0, l3: 0))
    #expect(a | b == UInt256(l0: 0xfff0, l1: 3, l2: 5, l3: .max))
    #expect(a ^ b == UInt256(l0: 0x0ff0, l1: 2, l2: 5, l3: .max))
    #expect(~UInt256.zero == max && ~max == .zero)
}

@Test func logicalShiftsByIntAndByWord() {
    #expect(UInt256.one << 255 == min)
    #expect(UInt256.one << 256 == .zero)
    #expect(max << 0 == max && max >> 0 == max)
    #expect(max >> 255 == .one)
    #expect(max << 64 == UInt256(l0: 0, l1: .max, l2: .max, l3: .max))
    #expect(UInt256(l0: 1 << 63, l1: 0, l2: 0, l3: 0) << 1 == UInt256(l0: 0, l1: 1, l2: 0, l3: 0))
    #expect(UInt256(l0: 0, l1: 1, l2: 0, l3: 0) >> 1 == UInt256(l0: 1 << 63, l1: 0, l2: 0, l3: 0))
    #expect(UInt256(8) << -2 == 2)  // a negative count shifts the other way
    #expect(UInt256(8) >> -2 == 32)
    #expect(max << Int.min == .zero && max >> Int.max == .zero && max >> -256 == .zero)
    #expect(UInt256.one.shiftedLeft(by: 255) == min)
    #expect(UInt256.one.shiftedLeft(by: 256) == .zero)
    #expect(max.shiftedLeft(by: max) == .zero)
    #expect(max.shiftedRight(by: UInt256(l0: 1, l1: 1, l2: 0, l3: 0)) == .zero)  // huge: low limb small
    #expect(min.shiftedRight(by: 255) == .one)
    #expect(max.shiftedRight(by: 256) == .zero)
    #expect(hex("0xabcd").shiftedLeft(by: 4) == hex("0xabcd0"))
}

@Test func arithmeticShiftRightKeepsSign() {
    #expect(min.arithmeticShiftedRight(by: 255) == max)        // -2^255 >> 255 = -1
    #expect(min.arithmeticShiftedRight(by: 1) == UInt256(l0: 0, l1: 0, l2: 0, l3: 0xc000_0000_0000_0000))
    #expect(max.arithmeticShiftedRight(by: 7) == max)           // -1 stays -1
    #expect(UInt256(16).negated.arithmeticShiftedRight(by: 2) == UInt256(4).negated)
    #expect(UInt256(17).negated.arithmeticShiftedRight(by: 2) == UInt256(5).negated)  // floor, not truncation
    #expect(min.arithmeticShiftedRight(by: 256) == max)
    #expect(min.arithmeticShiftedRight(by: max) == max)
    #expect((min &- 1).arithmeticShiftedRight(by: 256) == .zero)
    #expect((min &- 1).arithmeticShiftedRight(by: 254) == .one)
    #expect(UInt256(0x100).arithmeticShiftedRight(by: 4) == 0x10)
}

@Test func byteIndexesFromTheTop() {
    let x = hex("0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20")
    #expect(x.byte(at: 0) == 0x01)
    #expect(x.byte(at: 9) == 0x0a)
    #expect(x.byte(at: 31) == 0x20)
    #expect(x.byte(at: 32) == .zero)
    #expect(x.byte(at: max) == .zero)
    #expect(x.byte(at: UInt256(l0: 0, l1: 1, l2: 0, l3: 0)) == .zero)
}

@Test func signExtendBoundaries() {
    #expect(UInt256.signExtend(byteIndex: 0, 0xff) == max)
    #expect(UInt256.signExtend(byteIndex: 0, 0x7f) == 0x7f)
    #expect(UInt256.signExtend(byteIndex: 0, 0x1280) == max &- 0x7f)  // upper bytes replaced
    #expect(UInt256.signExtend(byteIndex: 1, 0x8000) == max << 15)
    #expect(UInt256.signExtend(byteIndex: 1, 0xff_7fff) == 0x7fff)
    let topByteClear = hex("0x0080000000000000000000000000000000000000000000000000000000000000")
    #expect(UInt256.signExtend(byteIndex: 30, topByteClear) == hex("0xff80000000000000000000000000000000000000000000000000000000000000"))
    #expect(UInt256.signExtend(byteIndex: 31, topByteClear) == topByteClear)
    #expect(UInt256.signExtend(byteIndex: 31, 0xff) == 0xff)
    #expect(UInt256.signExtend(byteIndex: max, 0xff) == 0xff)
}

@Test func byteWidthCountsSignificantBytes() {
    #expect(UInt256.zero.byteWidth == 0)
    #expect(UInt256(0xff).byteWidth == 1 && UInt256(0x100).byteWidth == 2)
    #expect(max.byteWidth == 32)
}
