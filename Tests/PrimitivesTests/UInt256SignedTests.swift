import Primitives
import Testing

// Known answers for the two's-complement view: SDIV, SMOD, SLT, SGT and negation.

private let max = UInt256.max  // -1
private let min = UInt256(l0: 0, l1: 0, l2: 0, l3: 1 << 63)  // -2^255

private func neg(_ v: UInt64) -> UInt256 { UInt256(v).negated }

@Test func negationIsTwosComplement() {
    #expect(UInt256.one.negated == max)
    #expect(UInt256.zero.negated == .zero)
    #expect(min.negated == min)
    #expect(min.isNegative && max.isNegative && !(min &- 1).isNegative && !UInt256.zero.isNegative)
}

@Test func signedDivisionTruncatesTowardZero() {
    #expect(neg(8).sdiv(3) == neg(2))
    #expect(UInt256(8).sdiv(neg(3)) == neg(2))
    #expect(neg(8).sdiv(neg(3)) == 2)
    #expect(min.sdiv(max) == min)  // -2^255 / -1 overflows and wraps to -2^255
    #expect(min.sdiv(.one) == min)
    #expect(neg(8).sdiv(.zero) == .zero)
    #expect(UInt256(7).sdiv(9) == .zero)
}

@Test func signedModuloFollowsDividendSign() {
    #expect(neg(8).smod(3) == neg(2))
    #expect(UInt256(8).smod(neg(3)) == 2)
    #expect(neg(8).smod(neg(3)) == neg(2))
    #expect(min.smod(max) == .zero)
    #expect(min.smod(3) == neg(2))  // 2^255 = 2 (mod 3)
    #expect(neg(8).smod(.zero) == .zero)
}

@Test func signedComparisons() {
    #expect(UInt256.slt(max, .zero))
    #expect(UInt256.sgt(.zero, max))
    #expect(UInt256.slt(min, max) && UInt256.slt(min, min &- 1))
    #expect(!UInt256.slt(min, min) && !UInt256.sgt(min, min))
    #expect(UInt256.sgt(min &- 1, 5) && UInt256.slt(neg(5), neg(4)))
}
