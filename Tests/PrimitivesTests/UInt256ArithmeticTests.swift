import Primitives
import Testing

// Known answers for ADD, SUB, MUL, EXP and the full-width product, chosen at the edges:
// 0, 1, 2^256 - 1, 2^255, and carries that ripple through every limb.

private let max = UInt256.max
private let min = UInt256(l0: 0, l1: 0, l2: 0, l3: 1 << 63)  // 2^255, the signed minimum

private func hex(_ text: String) -> UInt256 {
    do { return try UInt256(hex: text) } catch { Issue.record("bad hex \(text)"); return .zero }
}

@Test func additionWrapsAndReportsOverflow() {
    #expect(max.addingReportingOverflow(.one) == (partialValue: UInt256.zero, overflow: true))
    #expect(max &+ max == max &- .one)
    #expect(UInt256(l0: .max, l1: .max, l2: .max, l3: 0) &+ 1 == UInt256(l0: 0, l1: 0, l2: 0, l3: 1))
    #expect(UInt256(2).addingReportingOverflow(3) == (partialValue: UInt256(5), overflow: false))
    #expect(min &+ min == .zero)
    var x: UInt256 = 7
    x &+= 5
    #expect(x == 12)
}

@Test func subtractionWrapsAndReportsBorrow() {
    #expect(UInt256.zero.subtractingReportingOverflow(.one) == (partialValue: max, overflow: true))
    #expect(UInt256(l0: 0, l1: 0, l2: 0, l3: 1) &- 1 == UInt256(l0: .max, l1: .max, l2: .max, l3: 0))
    #expect(UInt256(10).subtractingReportingOverflow(3) == (partialValue: UInt256(7), overflow: false))
    #expect(max &- max == .zero)
}

@Test func multiplicationKnownAnswers() {
    #expect(max &* max == .one)  // (-1)^2
    #expect(max &* 0 == .zero && UInt256.one &* max == max)
    let twoTo128 = UInt256(l0: 0, l1: 0, l2: 1, l3: 0)
    #expect(twoTo128 &* twoTo128 == .zero)
    #expect(twoTo128.multipliedFullWidth(by: twoTo128) == (high: UInt256.one, low: UInt256.zero))
    // (2^256 - 1)^2 = (2^256 - 2) * 2^256 + 1
    #expect(max.multipliedFullWidth(by: max) == (high: max &- 1, low: UInt256.one))
    #expect(UInt256(UInt64.max) &* UInt256(UInt64.max) == UInt256(l0: 1, l1: UInt64.max - 1, l2: 0, l3: 0))
    #expect(min.multipliedReportingOverflow(by: 2) == (partialValue: UInt256.zero, overflow: true))
    #expect(UInt256(6).multipliedReportingOverflow(by: 7) == (partialValue: UInt256(42), overflow: false))
    #expect(hex("0x100000000000000000000000000000000") &* hex("0xffffffffffffffffffffffffffffffff")
            == hex("0xffffffffffffffffffffffffffffffff00000000000000000000000000000000"))
}

@Test func exponentiationKnownAnswers() {
    #expect(UInt256.zero.exp(.zero) == .one)  // EVM: 0^0 = 1
    #expect(UInt256.zero.exp(5) == .zero)
    #expect(UInt256(2).exp(255) == min)
    #expect(UInt256(2).exp(256) == .zero)
    #expect(UInt256(10).exp(18) == UInt256(1_000_000_000_000_000_000))
    #expect(max.exp(max) == max)  // (-1)^odd
    #expect(max.exp(2) == .one)
    // The odd residues modulo 2^256 form a group of exponent 2^254, so 3^(2^254) = 1.
    let twoTo254 = UInt256(l0: 0, l1: 0, l2: 0, l3: 1 << 62)
    #expect(UInt256(3).exp(twoTo254) == .one)
    #expect(UInt256(3).exp(min) == .one)
    #expect(UInt256(3).exp(twoTo254 &+ 5) == 243)
    #expect(UInt256(2).exp(max) == .zero)
}
