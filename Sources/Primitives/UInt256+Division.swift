// Division with remainder: 256/256 for DIV, MOD, SDIV, SMOD and 512/256 for MULMOD and ADDMOD
// (Yellow Paper appendix H: their intermediate results are not reduced modulo 2^256).
// The long division is Knuth's algorithm D (TAOCP vol. 2, 4.3.1) on 64-bit digits, working in
// fixed-size tuples on the stack so that no operation allocates.

/// Scratch limbs for one long division: a dividend of up to 8 limbs plus one for normalisation.
@usableFromInline
typealias DividendLimbs = (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)

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
        var dividend: DividendLimbs = (low.l0, low.l1, low.l2, low.l3, high.l0, high.l1, high.l2, high.l3, 0)
        let count = 4 + high.significantLimbCount
        return withUnsafeMutableBytes(of: &dividend) { raw in
            divide(raw.baseAddress!.assumingMemoryBound(to: UInt64.self), count: count, by: modulus, quotient: nil)
        }
    }

    /// Slow path of `quotientAndRemainder` for dividends wider than one limb.
    @usableFromInline
    static func longDivision(_ dividend: UInt256, _ divisor: UInt256) -> (quotient: UInt256, remainder: UInt256) {
        var u: DividendLimbs = (dividend.l0, dividend.l1, dividend.l2, dividend.l3, 0, 0, 0, 0, 0)
        var q: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
        let count = dividend.significantLimbCount
        let remainder = withUnsafeMutableBytes(of: &u) { uRaw in
            withUnsafeMutableBytes(of: &q) { qRaw in
                divide(uRaw.baseAddress!.assumingMemoryBound(to: UInt64.self), count: count, by: divisor,
                       quotient: qRaw.baseAddress!.assumingMemoryBound(to: UInt64.self))
            }
        }
        return (UInt256(l0: q.0, l1: q.1, l2: q.2, l3: q.3), remainder)
    }

    /// Number of limbs up to and including the most significant non-zero one (0 for zero).
    @inlinable
    var significantLimbCount: Int {
        if l3 != 0 { return 4 }
        if l2 != 0 { return 3 }
        if l1 != 0 { return 2 }
        return l0 != 0 ? 1 : 0
    }

    /// Divides the `count`-limb number at `u` (with one spare limb at `u[count]`) by `divisor`,
    /// writes the quotient limbs to `quotient[0..<count]` when given, and returns the remainder.
    /// `u` is used as scratch and left changed.
    @usableFromInline
    static func divide(_ u: UnsafeMutablePointer<UInt64>, count m: Int, by divisor: UInt256,
                       quotient: UnsafeMutablePointer<UInt64>?) -> UInt256 {
        let n = divisor.significantLimbCount
        if m < n {  // dividend smaller than divisor
            return UInt256(l0: m > 0 ? u[0] : 0, l1: m > 1 ? u[1] : 0, l2: m > 2 ? u[2] : 0, l3: 0)
        }
        if n == 1 {
            // One-limb divisor: schoolbook with the hardware 128/64 division.
            let d = divisor.l0
            var r: UInt64 = 0
            var j = m - 1
            while j >= 0 {
                let (qj, rj) = d.dividingFullWidth((r, u[j]))
                quotient?[j] = qj
                r = rj
                j -= 1
            }
            return UInt256(r)
        }

        // D1: normalise so the divisor's top limb has its high bit set; then each quotient digit
        // estimate from the top two dividend limbs is at most 2 too large.
        let s = UInt64(divisor.limb(n - 1).leadingZeroBitCount)
        var v: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        return withUnsafeMutableBytes(of: &v) { vRaw in
            let v = vRaw.baseAddress!.assumingMemoryBound(to: UInt64.self)
            // `(x >> 1) &>> (63 - s)` is `x >> (64 - s)` that also gives 0 when s is 0.
            var i = n - 1
            while i > 0 {
                v[i] = divisor.limb(i) &<< s | (divisor.limb(i - 1) >> 1) &>> (63 - s)
                i -= 1
            }
            v[0] = divisor.l0 &<< s
            u[m] = (u[m - 1] >> 1) &>> (63 - s)
            i = m - 1
            while i > 0 {
                u[i] = u[i] &<< s | (u[i - 1] >> 1) &>> (63 - s)
                i -= 1
            }
            u[0] = u[0] &<< s

            let vTop = v[n - 1], vNext = v[n - 2]
            var j = m - n
            while j >= 0 {
                // D3: estimate the digit from the top two limbs, refine with the third.
                let uTop = u[j + n], uNext = u[j + n - 1], uThird = u[j + n - 2]
                var qHat: UInt64, rHat: UInt64, rHatOverflow: Bool
                if uTop >= vTop {  // only equality is possible: the digit is at most 2^64 - 1
                    qHat = .max
                    (rHat, rHatOverflow) = uNext.addingReportingOverflow(vTop)
                } else {
                    (qHat, rHat) = vTop.dividingFullWidth((uTop, uNext))
                    rHatOverflow = false
                }
                while !rHatOverflow {
                    let product = qHat.multipliedFullWidth(by: vNext)
                    guard (product.high, product.low) > (rHat, uThird) else { break }
                    qHat -= 1
                    (rHat, rHatOverflow) = rHat.addingReportingOverflow(vTop)
                }

                // D4: subtract qHat * v from the current window of u.
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
                let (t1, b1) = u[j + n].subtractingReportingOverflow(carry)
                let (t2, b2) = t1.subtractingReportingOverflow(borrow ? 1 : 0)
                u[j + n] = t2

                // D6: the estimate was one too large (rare): add the divisor back.
                if b1 || b2 {
                    qHat -= 1
                    var c = false
                    for k in 0..<n {
                        let (s1, c1) = u[j + k].addingReportingOverflow(v[k])
                        let (s2, c2) = s1.addingReportingOverflow(c ? 1 : 0)
                        u[j + k] = s2
                        c = c1 || c2
                    }
                    u[j + n] = u[j + n] &+ (c ? 1 : 0)
                }
                quotient?[j] = qHat
                j -= 1
            }

            // D8: the remainder is the low n limbs, shifted back.
            var r: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
            withUnsafeMutableBytes(of: &r) { rRaw in
                let out = rRaw.baseAddress!.assumingMemoryBound(to: UInt64.self)
                for k in 0..<n {
                    let above = k + 1 < n ? u[k + 1] : 0
                    out[k] = u[k] &>> s | (above &<< 1) &<< (63 - s)
                }
            }
            return UInt256(l0: r.0, l1: r.1, l2: r.2, l3: r.3)
        }
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
