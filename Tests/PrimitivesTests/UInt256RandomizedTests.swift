import MLedgerTesting
import Primitives
import Testing

// Seeded cross-checks of every UInt256 operation against ReferenceNatural. Fixed seeds and
// iteration counts keep the runs repeatable; a failure prints the operands in hex.

private let iterations = 600
private let two256 = ReferenceNatural.modulus

/// The value modulo 2^256: its low 256 bits.
private func reduced(_ n: ReferenceNatural) -> UInt256 { n.truncated }

@Test func randomizedAddSubMulMatchReference() {
    var g = SplitMix64(seed: 0x5eed_0001)
    for _ in 0..<iterations {
        let a = g.operand(), b = g.operand()
        let ra = ReferenceNatural(a), rb = ReferenceNatural(b)
        let sum = ra + rb
        let add = a.addingReportingOverflow(b)
        #expect(add.partialValue == reduced(sum), "add \(a) \(b)")
        #expect(add.overflow == (sum >= two256), "add overflow \(a) \(b)")

        let sub = a.subtractingReportingOverflow(b)
        #expect(sub.overflow == (ra < rb), "sub overflow \(a) \(b)")
        #expect(sub.partialValue == reduced(ra + two256 - rb), "sub \(a) \(b)")

        let product = ra * rb
        let (high, low) = a.multipliedFullWidth(by: b)
        #expect(low == product.truncated, "mul low \(a) \(b)")
        let highReference = product.dividedWithRemainder(by: two256).quotient.truncated
        #expect(high == highReference, "mul high \(a) \(b)")
        #expect(a &* b == product.truncated, "wrapping mul \(a) \(b)")
        #expect(a.multipliedReportingOverflow(by: b).overflow == (product >= two256))
    }
}

@Test func randomizedDivisionMatchesReference() {
    var g = SplitMix64(seed: 0x5eed_0002)
    for _ in 0..<iterations {
        let a = g.operand(), b = g.operand()
        guard !b.isZero else {
            #expect(a.div(b) == .zero && a.mod(b) == .zero)
            continue
        }
        let (q, r) = ReferenceNatural(a).dividedWithRemainder(by: ReferenceNatural(b))
        let result = a.quotientAndRemainder(dividingBy: b)
        #expect(result.quotient == q.truncated, "div \(a) / \(b)")
        #expect(result.remainder == r.truncated, "mod \(a) % \(b)")
        #expect(a.div(b) == q.truncated && a.mod(b) == r.truncated)
    }
}

@Test func randomizedAddModAndMulModMatchReference() {
    var g = SplitMix64(seed: 0x5eed_0003)
    for _ in 0..<iterations {
        let a = g.operand(), b = g.operand(), m = g.operand()
        guard !m.isZero else {
            #expect(UInt256.addMod(a, b, m) == .zero && UInt256.mulMod(a, b, m) == .zero)
            continue
        }
        let ra = ReferenceNatural(a), rb = ReferenceNatural(b), rm = ReferenceNatural(m)
        #expect(UInt256.addMod(a, b, m) == (ra + rb).dividedWithRemainder(by: rm).remainder.truncated,
                "addmod \(a) \(b) \(m)")
        #expect(UInt256.mulMod(a, b, m) == (ra * rb).dividedWithRemainder(by: rm).remainder.truncated,
                "mulmod \(a) \(b) \(m)")
    }
}

@Test func randomizedExpMatchesReference() {
    var g = SplitMix64(seed: 0x5eed_0004)
    for _ in 0..<iterations / 6 {
        let base = g.operand(), exponent = g.operand()
        // Reference: left-to-right binary powering (the implementation goes right to left).
        var result = ReferenceNatural(small: 1)
        let rb = ReferenceNatural(base)
        let re = ReferenceNatural(exponent)
        for i in stride(from: re.bitCount - 1, through: 0, by: -1) {
            result = ReferenceNatural(reduced(result * result))
            if re.bit(i) { result = ReferenceNatural(reduced(result * rb)) }
        }
        #expect(base.exp(exponent) == result.truncated, "exp \(base) ** \(exponent)")
    }
    // Small exponents by plain repeated multiplication.
    for _ in 0..<50 {
        let base = g.operand()
        let e = g.below(20)
        var power = ReferenceNatural(small: 1)
        for _ in 0..<e { power = ReferenceNatural(reduced(power * ReferenceNatural(base))) }
        #expect(base.exp(UInt256(e)) == power.truncated, "exp \(base) ** \(e)")
    }
}

@Test func randomizedShiftsMatchReference() {
    var g = SplitMix64(seed: 0x5eed_0005)
    for _ in 0..<iterations {
        let a = g.operand()
        let n = Int(g.below(300))
        let ra = ReferenceNatural(a)
        let left = n >= 256 ? UInt256.zero : reduced(ra * ReferenceNatural.powerOfTwo(n))
        let right = n >= 256 ? UInt256.zero : ra.dividedWithRemainder(by: ReferenceNatural.powerOfTwo(n)).quotient.truncated
        #expect(a << n == left, "\(a) << \(n)")
        #expect(a >> n == right, "\(a) >> \(n)")
        #expect(a.shiftedLeft(by: UInt256(UInt64(n))) == left)
        #expect(a.shiftedRight(by: UInt256(UInt64(n))) == right)

        // SAR: floor division of the signed value by 2^n.
        let (negative, magnitude) = ReferenceNatural.signed(a)
        let sar: UInt256
        if !negative {
            sar = right
        } else if n >= 256 {
            sar = .max
        } else {
            // floor(-m / 2^n) = -ceil(m / 2^n)
            let (q, r) = magnitude.dividedWithRemainder(by: ReferenceNatural.powerOfTwo(n))
            let ceiling = r.isZero ? q : q + ReferenceNatural(small: 1)
            sar = ReferenceNatural.word(negative: true, magnitude: ceiling)
        }
        #expect(a.arithmeticShiftedRight(by: UInt256(UInt64(n))) == sar, "sar \(a) by \(n)")
    }
}

@Test func randomizedSignedOpsMatchReference() {
    var g = SplitMix64(seed: 0x5eed_0006)
    for _ in 0..<iterations {
        let a = g.operand(), b = g.operand()
        let (an, am) = ReferenceNatural.signed(a)
        let (bn, bm) = ReferenceNatural.signed(b)
        if b.isZero {
            #expect(a.sdiv(b) == .zero && a.smod(b) == .zero)
        } else {
            let (q, r) = am.dividedWithRemainder(by: bm)
            #expect(a.sdiv(b) == ReferenceNatural.word(negative: an != bn, magnitude: q), "sdiv \(a) \(b)")
            #expect(a.smod(b) == ReferenceNatural.word(negative: an, magnitude: r), "smod \(a) \(b)")
        }
        let less = (an && !bn) || (!an && !bn && am < bm) || (an && bn && bm < am)
        let greater = (!an && bn) || (!an && !bn && bm < am) || (an && bn && am < bm)
        #expect(UInt256.slt(a, b) == less, "slt \(a) \(b)")
        #expect(UInt256.sgt(a, b) == greater, "sgt \(a) \(b)")
        #expect(a.negated == ReferenceNatural.word(negative: !an, magnitude: am), "negate \(a)")
    }
}

@Test func randomizedDecimalRoundTrip() throws {
    var g = SplitMix64(seed: 0x5eed_0007)
    for _ in 0..<iterations / 3 {
        let a = g.operand()
        let text = a.decimalString
        #expect(try UInt256(decimal: text) == a)
        // Digits agree with the reference: peel them off by dividing by ten.
        var rest = ReferenceNatural(a)
        var digits = ""
        repeat {
            let (q, r) = rest.dividedWithRemainder(by: ReferenceNatural(small: 10))
            digits = String(r.truncated.l0) + digits
            rest = q
        } while !rest.isZero
        #expect(text == digits)
    }
}
