// Division with remainder: 256/256 for DIV, MOD, SDIV, SMOD and 512/256 for MULMOD and ADDMOD
// (Yellow Paper appendix H: their intermediate results are not reduced modulo 2^256).
// The long division is Knuth's algorithm D (TAOCP vol. 2, 4.3.1) on 64-bit digits, with each
// quotient digit taken by a reciprocal (Moeller-Granlund) instead of a hardware division, working
// in fixed-size tuples on the stack so that no operation allocates.

/// Scratch limbs for one long division, on the stack: the dividend (up to 8 limbs plus one
/// for normalisation) at 0..<9, the divisor at 9..<13, the quotient digits at 13..<21.
typealias DivisionScratch = (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                             UInt64, UInt64, UInt64, UInt64,
                             UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)

extension UInt256 {
    /// Quotient and remainder of unsigned division. The divisor must not be zero; the EVM forms
    /// `div(_:)` and `mod(_:)` handle a zero divisor as the Yellow Paper says.
    @inlinable
    public func quotientAndRemainder(dividingBy divisor: UInt256) -> (quotient: UInt256, remainder: UInt256) {
        precondition(!divisor.isZero, "UInt256 division by zero")
        if self < divisor { return (.zero, self) }
        if (l1 | l2 | l3) == 0 {  // both fit in one limb, since divisor <= self
            return (UInt256(l0 / divisor.l0), UInt256(l0 % divisor.l0))
        }
        return Self.longDivision(self, divisor)
    }

    /// EVM DIV: the quotient, or 0 when `divisor` is 0.
    @inlinable
    public func div(_ divisor: UInt256) -> UInt256 {
        divisor.isZero ? .zero : quotientAndRemainder(dividingBy: divisor).quotient
    }

    /// EVM MOD: the remainder, or 0 when `divisor` is 0.
    @inlinable
    public func mod(_ divisor: UInt256) -> UInt256 {
        divisor.isZero ? .zero : quotientAndRemainder(dividingBy: divisor).remainder
    }

    /// EVM ADDMOD: `(a + b) mod m` with the sum taken at full 257-bit width; 0 when `m` is 0.
    @inlinable
    public static func addMod(_ a: UInt256, _ b: UInt256, _ m: UInt256) -> UInt256 {
        if m.isZero { return .zero }
        if a < m && b < m {
            // Already reduced operands: the sum is below 2m, so one conditional subtraction is enough.
            let (sum, carried) = a.addingReportingOverflow(b)
            return (carried || sum >= m) ? sum &- m : sum
        }
        let (sum, carried) = a.addingReportingOverflow(b)
        if !carried { return sum.quotientAndRemainder(dividingBy: m).remainder }
        return remainder(high: .one, low: sum, modulus: m)
    }

    /// EVM MULMOD: `(a * b) mod m` with the 512-bit product; 0 when `m` is 0.
    @inlinable
    public static func mulMod(_ a: UInt256, _ b: UInt256, _ m: UInt256) -> UInt256 {
        if m.isZero { return .zero }
        let (high, low) = a.multipliedFullWidth(by: b)
        if high.isZero { return low.quotientAndRemainder(dividingBy: m).remainder }
        return remainder(high: high, low: low, modulus: m)
    }

    /// `(high * 2^256 + low) mod modulus`; `modulus` must not be zero.
    @usableFromInline
    package static func remainder(high: UInt256, low: UInt256, modulus: UInt256) -> UInt256 {
        divide(high: high, low: low, count: 4 + high.significantLimbCount, by: modulus).remainder
    }

    /// Slow path of `quotientAndRemainder` for dividends wider than one limb.
    @usableFromInline
    static func longDivision(_ dividend: UInt256, _ divisor: UInt256) -> (quotient: UInt256, remainder: UInt256) {
        divide(high: .zero, low: dividend, count: dividend.significantLimbCount, by: divisor)
    }

    /// Number of limbs up to and including the most significant non-zero one (0 for zero).
    @inlinable
    var significantLimbCount: Int {
        if l3 != 0 { return 4 }
        if l2 != 0 { return 3 }
        if l1 != 0 { return 2 }
        return l0 != 0 ? 1 : 0
    }

    /// Divides `high * 2^256 + low`, whose significant limbs number `count`, by a non-zero
    /// `divisor`: the low 256 bits of the quotient, and the remainder.
    @usableFromInline
    static func divide(high: UInt256, low: UInt256, count m: Int, by divisor: UInt256)
        -> (quotient: UInt256, remainder: UInt256) {
        let n = divisor.significantLimbCount
        if m < n { return (.zero, low) }  // then the dividend is below the divisor
        if n == 1 {
            // One-limb divisor: schoolbook in registers with the hardware 128-by-64 division,
            // which with at most eight digits beats setting up a reciprocal.
            let d = divisor.l0
            var r: UInt64 = 0
            @inline(__always) func digit(_ limb: UInt64) -> UInt64 {
                let (q, rest) = d.dividingFullWidth((r, limb))
                r = rest
                return q
            }
            if m > 4 {  // the high quotient digits are dropped: callers take the low 256 bits
                _ = digit(high.l3); _ = digit(high.l2); _ = digit(high.l1); _ = digit(high.l0)
            }
            let q3 = m > 3 ? digit(low.l3) : 0
            let q2 = m > 2 ? digit(low.l2) : 0
            let q1 = m > 1 ? digit(low.l1) : 0
            let q0 = digit(low.l0)
            return (UInt256(l0: q0, l1: q1, l2: q2, l3: q3), UInt256(r))
        }

        // D1: normalise so the divisor's top limb has its high bit set, which the reciprocal
        // estimates below require. `(x >> 1) &>> (63 - s)` is `x >> (64 - s)`, and 0 when s is 0.
        let s = UInt64(divisor.limb(n - 1).leadingZeroBitCount)
        let back = 63 &- s
        @inline(__always) func join(_ upper: UInt64, _ lower: UInt64) -> UInt64 {
            upper &<< s | (lower >> 1) &>> back
        }
        var scratch: DivisionScratch = (
            low.l0 &<< s, join(low.l1, low.l0), join(low.l2, low.l1), join(low.l3, low.l2),
            join(high.l0, low.l3), join(high.l1, high.l0), join(high.l2, high.l1), join(high.l3, high.l2),
            join(0, high.l3),
            divisor.l0 &<< s, join(divisor.l1, divisor.l0), join(divisor.l2, divisor.l1), join(divisor.l3, divisor.l2),
            0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &scratch) { raw in
            let u = raw.baseAddress!.assumingMemoryBound(to: UInt64.self)
            let v = u + 9
            let quotient = u + 13
            let d1 = v[n - 1], d0 = v[n - 2]
            let reciprocal = Self.reciprocal(d1, d0)
            var j = m - n
            while j >= 0 {
                let u2 = u[j + n], u1 = u[j + n - 1], u0 = u[j + n - 2]
                var qHat: UInt64
                if u2 == d1 && u1 == d0 {
                    // The 3-by-2 estimate would be 2^64 or more; the digit is then exactly
                    // 2^64 - 1 (the window is below B * v). Subtract over the whole window.
                    qHat = .max
                    var carry: UInt64 = 0
                    var borrow = false
                    for k in 0..<n {
                        let p = multiplyAdd(qHat, v[k], carry, 0)
                        carry = p.high
                        let (d1, b1) = u[j + k].subtractingReportingOverflow(p.low)
                        let (d2, b2) = d1.subtractingReportingOverflow(borrow ? 1 : 0)
                        u[j + k] = d2
                        borrow = b1 || b2
                    }
                    u[j + n] = u2 &- carry &- (borrow ? 1 : 0)
                } else {
                    // D3: the digit of the top three limbs over the top two divisor limbs is
                    // exact for that prefix and at most one too large for the whole window.
                    let (q, r1, r0) = Self.divide3by2(u2, u1, u0, d1, d0, reciprocal)
                    qHat = q
                    // D4: subtract qHat times the divisor's lower limbs; the top three limbs
                    // already hold (r1, r0).
                    var carry: UInt64 = 0
                    var borrow = false
                    for k in 0..<(n - 2) {
                        let p = multiplyAdd(qHat, v[k], carry, 0)
                        carry = p.high
                        let (d1, b1) = u[j + k].subtractingReportingOverflow(p.low)
                        let (d2, b2) = d1.subtractingReportingOverflow(borrow ? 1 : 0)
                        u[j + k] = d2
                        borrow = b1 || b2
                    }
                    let (x0, b0a) = r0.subtractingReportingOverflow(carry)
                    let (y0, b0b) = x0.subtractingReportingOverflow(borrow ? 1 : 0)
                    let (y1, b1) = r1.subtractingReportingOverflow((b0a || b0b) ? 1 : 0)
                    u[j + n - 2] = y0
                    u[j + n - 1] = y1
                    u[j + n] = 0
                    if b1 {
                        // D6: one too large (rare): add the divisor back; the carry out of the
                        // top limb cancels the borrow.
                        qHat -= 1
                        var c = false
                        for k in 0..<n {
                            let (s1, c1) = u[j + k].addingReportingOverflow(v[k])
                            let (s2, c2) = s1.addingReportingOverflow(c ? 1 : 0)
                            u[j + k] = s2
                            c = c1 || c2
                        }
                    }
                }
                quotient[j] = qHat
                j &-= 1
            }
        }

        // D8: the remainder is the low n limbs shifted back; the limbs above are now zero.
        let remainder = UInt256(l0: scratch.0, l1: scratch.1, l2: scratch.2, l3: scratch.3).shiftedRightWithinWidth(s)
        return (UInt256(l0: scratch.13, l1: scratch.14, l2: scratch.15, l3: scratch.16), remainder)
    }

    // Division by invariant integers (Moeller and Granlund, "Improved division by invariant
    // integers", IEEE Trans. Computers 2011): one hardware division computes a reciprocal of
    // the normalised divisor, after which each quotient digit costs a few multiplications.

    /// floor((2^128 - 1) / d) - 2^64 for a normalised `d` (top bit set).
    @inlinable @inline(__always)
    static func reciprocal(_ d: UInt64) -> UInt64 {
        d.dividingFullWidth((~d, .max)).quotient
    }

    /// floor((2^192 - 1) / (d1 * 2^64 + d0)) - 2^64 for a normalised `d1`.
    @inlinable @inline(__always)
    static func reciprocal(_ d1: UInt64, _ d0: UInt64) -> UInt64 {
        var v = reciprocal(d1)
        var p = d1 &* v &+ d0
        if p < d0 {  // the addition wrapped: v was too large for the two-limb divisor
            v &-= 1
            if p >= d1 { v &-= 1; p &-= d1 }
            p &-= d1
        }
        let t = v.multipliedFullWidth(by: d0)
        let (sum, wrapped) = p.addingReportingOverflow(t.high)
        if wrapped {
            v &-= 1
            if (sum, t.low) >= (d1, d0) { v &-= 1 }
        }
        return v
    }

    /// (u2, u1, u0) divided by the normalised two-limb (d1, d0), with (u2, u1) < (d1, d0) and
    /// `v = reciprocal(d1, d0)`: the quotient digit and the two-limb remainder.
    @inlinable @inline(__always)
    static func divide3by2(_ u2: UInt64, _ u1: UInt64, _ u0: UInt64, _ d1: UInt64, _ d0: UInt64,
                           _ v: UInt64) -> (quotient: UInt64, r1: UInt64, r0: UInt64) {
        let p = v.multipliedFullWidth(by: u2)
        let (q0, c) = p.low.addingReportingOverflow(u1)
        var q1 = p.high &+ u2 &+ (c ? 1 : 0)
        // (r1, r0) = (u1 - q1 * d1, u0) - q1 * d0 - (d1, d0), all modulo 2^128.
        let r1a = u1 &- q1 &* d1
        let t = d0.multipliedFullWidth(by: q1)
        var (r1, r0) = subtract128((r1a, u0), (t.high, t.low))
        (r1, r0) = subtract128((r1, r0), (d1, d0))
        q1 &+= 1
        if r1 >= q0 {
            q1 &-= 1
            (r1, r0) = add128((r1, r0), (d1, d0))
        }
        if (r1, r0) >= (d1, d0) {  // rare
            q1 &+= 1
            (r1, r0) = subtract128((r1, r0), (d1, d0))
        }
        return (q1, r1, r0)
    }

    @inlinable @inline(__always)
    static func subtract128(_ a: (UInt64, UInt64), _ b: (UInt64, UInt64)) -> (UInt64, UInt64) {
        let (low, borrow) = a.1.subtractingReportingOverflow(b.1)
        return (a.0 &- b.0 &- (borrow ? 1 : 0), low)
    }

    @inlinable @inline(__always)
    static func add128(_ a: (UInt64, UInt64), _ b: (UInt64, UInt64)) -> (UInt64, UInt64) {
        let (low, carry) = a.1.addingReportingOverflow(b.1)
        return (a.0 &+ b.0 &+ (carry ? 1 : 0), low)
    }

    /// Limb `index` (0 = least significant); `index` must be in 0..<4.
    @inlinable @inline(__always)
    func limb(_ index: Int) -> UInt64 {
        switch index {
        case 0: return l0
        case 1: return l1
        case 2: return l2
        default: return l3
        }
    }
}
