import Primitives
import Testing

// Known answers for DIV, MOD, ADDMOD and MULMOD, including the zero-divisor rule and the
// results whose intermediate exceeds 2^256.

private let max = UInt256.max
private let min = UInt256(l0: 0, l1: 0, l2: 0, l3: 1 << 63)

@Test func divisionKnownAnswers() {
    #expect(max.quotientAndRemainder(dividingBy: .one) == (quotient: max, remainder: UInt256.zero))
    #expect(max.quotientAndRemainder(dividingBy: max) == (quotient: UInt256.one, remainder: UInt256.zero))
    #expect(max.quotientAndRemainder(dividingBy: min) == (quotient: UInt256.one, remainder: min &- 1))
    #expect(UInt256(7).quotientAndRemainder(dividingBy: 10) == (quotient: UInt256.zero, remainder: UInt256(7)))
    #expect(UInt256(100).quotientAndRemainder(dividingBy: 7) == (quotient: UInt256(14), remainder: UInt256(2)))
    // 2^256 - 1 = 3 * 5 * 17 * 257 * 641 * 65537 * ...: divisible by 2^64 + 1 and 2^128 + 1.
    let twoTo128PlusOne = UInt256(l0: 1, l1: 0, l2: 1, l3: 0)
    #expect(max.quotientAndRemainder(dividingBy: twoTo128PlusOne)
            == (quotient: UInt256(l0: .max, l1: .max, l2: 0, l3: 0), remainder: UInt256.zero))
    #expect(max.quotientAndRemainder(dividingBy: UInt256(l0: 1, l1: 1, l2: 0, l3: 0))
            == (quotient: UInt256(l0: .max, l1: 0, l2: .max, l3: 0), remainder: UInt256.zero))
}

@Test func divAndModByZeroGiveZero() {
    #expect(max.div(.zero) == .zero)
    #expect(max.mod(.zero) == .zero)
    #expect(UInt256(12).div(4) == 3 && UInt256(14).mod(4) == 2)
}

@Test func addModKnownAnswers() {
    #expect(UInt256.addMod(max, max, max) == .zero)
    #expect(UInt256.addMod(max, 1, max) == .one)            // sum is 2^256: overflow past 256 bits
    #expect(UInt256.addMod(max, max, 7) == 2)               // 2^257 - 2 = 2 (mod 7)
    #expect(UInt256.addMod(max, 2, min) == .one)            // 2^256 + 1 (mod 2^255)
    #expect(UInt256.addMod(10, 10, 8) == 4)
    #expect(UInt256.addMod(5, 6, .zero) == .zero)
    #expect(UInt256.addMod(max &- 1, max &- 2, max) == max &- 3)  // reduced operands, wrapped sum
}

@Test func mulModKnownAnswers() {
    #expect(UInt256.mulMod(max, max, max) == .zero)
    #expect(UInt256.mulMod(max, max, max &- 2) == 4)        // 2^256 - 1 = 2 (mod 2^256 - 3)
    #expect(UInt256.mulMod(min, min, max) == UInt256(l0: 0, l1: 0, l2: 0, l3: 1 << 62))  // 2^510 mod (2^256 - 1) = 2^254
    #expect(UInt256.mulMod(min, 2, 3) == .one)              // 2^256 = 1 (mod 3)
    #expect(UInt256.mulMod(max, max, 12) == 9)              // (2^256 - 1) = 3 (mod 12)
    #expect(UInt256.mulMod(7, 8, 5) == 1)
    #expect(UInt256.mulMod(7, 8, .zero) == .zero)
    #expect(UInt256.mulMod(max, max, .one) == .zero)
}
