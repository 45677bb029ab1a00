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

private func hex(_ text: String) -> UInt256 {
    do { return try UInt256(hex: text) } catch { Issue.record("bad hex \(text)"); return .zero }
}

// Operands found by simulating the long division offline: in each, one quotient digit estimate
// survives the two-limb refinement and is still one too large, so the rare add-back step runs.
@Test func divisionAddBackStepMatchesReference() {
    let cases: [(String, String)] = [
        ("0xffffffffffffffffffffffffffffffff00000000000000020000000000000002",
         "0x7fffffffffffffffffffffffffffffffffffffffffffffff"),
        ("0xffffffffffffffff800000000000000100000000000000020000000000000003",
         "0xffffffffffffffff80000000000000017fffffffffffffff"),
        ("0x8000000000000001800000000000000080000000000000008000000000000001",
         "0x800000000000000000000000000000008000000000000000"),
    ]
    for (dividendHex, divisorHex) in cases {
        let a = hex(dividendHex), b = hex(divisorHex)
        let (q, r) = ReferenceNatural(a).dividedWithRemainder(by: ReferenceNatural(b))
        #expect(a.quotientAndRemainder(dividingBy: b) == (quotient: q.truncated, remainder: r.truncated))
    }
    // 512-bit dividends (high, low), as MULMOD reduces them.
    let wide: [(String, String, String)] = [
        ("0x1800000000000000180000000000000017fffffffffffffff",
         "0x0000000000000002000000000000000300000000000000017fffffffffffffff",
         "0x1000000000000000100000000000000010000000000000003"),
        ("0x2fffffffffffffffe00000000000000007fffffffffffffff",
         "0x0000000000000003000000000000000200000000000000020000000000000001",
         "0x3000000000000000100000000000000028000000000000000"),
        ("0xffffffffffffffffffffffffffffffff00000000000000010000000000000000",
         "0x7fffffffffffffff800000000000000080000000000000000000000000000000",
         "0xffffffffffffffff0000000000000000ffffffffffffffff8000000000000001"),
    ]
    for (highHex, lowHex, modulusHex) in wide {
        let high = hex(highHex), low = hex(lowHex), m = hex(modulusHex)
        let dividend = ReferenceNatural(high) * ReferenceNatural.modulus + ReferenceNatural(low)
        #expect(UInt256.remainder(high: high, low: low, modulus: m)
                == dividend.dividedWithRemainder(by: ReferenceNatural(m)).remainder.truncated)
    }
}
