// Addition, subtraction and multiplication on four 64-bit limbs. The EVM's ADD, SUB and MUL
// are the wrapping forms (results modulo 2^256, Yellow Paper appendix H); the reporting forms
// serve balance and gas arithmetic, where an overflow must be noticed rather than wrapped.

extension UInt256 {
    /// `self + other` modulo 2^256, and whether the true sum reached 2^256.
    @inlinable @inline(__always)
    public func addingReportingOverflow(_ other: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        let (s0, c0) = l0.addingReportingOverflow(other.l0)
        let (t1, c1a) = l1.addingReportingOverflow(other.l1)
        let (s1, c1b) = t1.addingReportingOverflow(c0 ? 1 : 0)
        let (t2, c2a) = l2.addingReportingOverflow(other.l2)
        let (s2, c2b) = t2.addingReportingOverflow((c1a || c1b) ? 1 : 0)
        let (t3, c3a) = l3.addingReportingOverflow(other.l3)
        let (s3, c3b) = t3.addingReportingOverflow((c2a || c2b) ? 1 : 0)
        return (UInt256(l0: s0, l1: s1, l2: s2, l3: s3), c3a || c3b)
    }

    /// `self - other` modulo 2^256, and whether `other` was larger (a borrow out of the top limb).
    @inlinable @inline(__always)
    public func subtractingReportingOverflow(_ other: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        let (d0, b0) = l0.subtractingReportingOverflow(other.l0)
        let (t1, b1a) = l1.subtractingReportingOverflow(other.l1)
        let (d1, b1b) = t1.subtractingReportingOverflow(b0 ? 1 : 0)
        let (t2, b2a) = l2.subtractingReportingOverflow(other.l2)
        let (d2, b2b) = t2.subtractingReportingOverflow((b1a || b1b) ? 1 : 0)
        let (t3, b3a) = l3.subtractingReportingOverflow(other.l3)
        let (d3, b3b) = t3.subtractingReportingOverflow((b2a || b2b) ? 1 : 0)
        return (UInt256(l0: d0, l1: d1, l2: d2, l3: d3), b3a || b3b)
    }

    /// Wrapping addition (EVM ADD).
    @inlinable @inline(__always)
    public static func &+ (a: UInt256, b: UInt256) -> UInt256 { a.addingReportingOverflow(b).partialValue }

    /// Wrapping subtraction (EVM SUB).
    @inlinable @inline(__always)
    public static func &- (a: UInt256, b: UInt256) -> UInt256 { a.subtractingReportingOverflow(b).partialValue }

    @inlinable @inline(__always)
    public static func &+= (a: inout UInt256, b: UInt256) { a = a &+ b }

    @inlinable @inline(__always)
    public static func &-= (a: inout UInt256, b: UInt256) { a = a &- b }

    /// `a * b + addend + carry` for 64-bit inputs; never overflows 128 bits
    /// because (2^64-1)^2 + 2(2^64-1) = 2^128 - 1.
    @inlinable @inline(__always)
    static func multiplyAdd(_ a: UInt64, _ b: UInt64, _ addend: UInt64, _ carry: UInt64) -> (high: UInt64, low: UInt64) {
        let product = a.multipliedFullWidth(by: b)
        let (low1, c1) = product.low.addingReportingOverflow(addend)
        let (low2, c2) = low1.addingReportingOverflow(carry)
        return (product.high &+ (c1 ? 1 : 0) &+ (c2 ? 1 : 0), low2)
    }

    /// `accumulator + self * multiplier` as five limbs: the low 256 bits and the limb above.
    @inlinable @inline(__always)
    func multipliedAdding(_ multiplier: UInt64, to accumulator: UInt256) -> (low: UInt256, high: UInt64) {
        let p0 = Self.multiplyAdd(l0, multiplier, accumulator.l0, 0)
        let p1 = Self.multiplyAdd(l1, multiplier, accumulator.l1, p0.high)
        let p2 = Self.multiplyAdd(l2, multiplier, accumulator.l2, p1.high)
        let p3 = Self.multiplyAdd(l3, multiplier, accumulator.l3, p2.high)
        return (UInt256(l0: p0.low, l1: p1.low, l2: p2.low, l3: p3.low), p3.high)
    }

    /// The full 512-bit product, split into high and low 256-bit halves (MULMOD's intermediate).
    @inlinable @inline(__always)
    public func multipliedFullWidth(by other: UInt256) -> (high: UInt256, low: UInt256) {
        // Schoolbook: one row per limb of `other`; each row's lowest limb is final.
        let row0 = multipliedAdding(other.l0, to: .zero)
        let row1 = multipliedAdding(other.l1, to: UInt256(l0: row0.low.l1, l1: row0.low.l2, l2: row0.low.l3, l3: row0.high))
        let row2 = multipliedAdding(other.l2, to: UInt256(l0: row1.low.l1, l1: row1.low.l2, l2: row1.low.l3, l3: row1.high))
        let row3 = multipliedAdding(other.l3, to: UInt256(l0: row2.low.l1, l1: row2.low.l2, l2: row2.low.l3, l3: row2.high))
        let low = UInt256(l0: row0.low.l0, l1: row1.low.l0, l2: row2.low.l0, l3: row3.low.l0)
        let high = UInt256(l0: row3.low.l1, l1: row3.low.l2, l2: row3.low.l3, l3: row3.high)
        return (high, low)
    }

    /// `self * other` modulo 2^256, and whether the true product reached 2^256.
    @inlinable @inline(__always)
    public func multipliedReportingOverflow(by other: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        let (high, low) = multipliedFullWidth(by: other)
        return (low, !high.isZero)
    }

    /// Wrapping multiplication (EVM MUL): only the ten limb products that reach the low 256 bits.
    @inlinable @inline(__always)
    public static func &* (a: UInt256, b: UInt256) -> UInt256 {
        // Column 0 and 1 need exact carries; the top limb only needs wrapping sums.
        let p00 = a.l0.multipliedFullWidth(by: b.l0)
        let p01 = multiplyAdd(a.l0, b.l1, p00.high, 0)
        let p02 = multiplyAdd(a.l0, b.l2, p01.high, 0)
        let r3a = a.l0 &* b.l3 &+ p02.high

        let p10 = multiplyAdd(a.l1, b.l0, p01.low, 0)
        let p11 = multiplyAdd(a.l1, b.l1, p02.low, p10.high)
        let r3b = r3a &+ a.l1 &* b.l2 &+ p11.high

        let p20 = multiplyAdd(a.l2, b.l0, p11.low, 0)
        let r3c = r3b &+ a.l2 &* b.l1 &+ p20.high

        let r3 = r3c &+ a.l3 &* b.l0
        return UInt256(l0: p00.low, l1: p10.low, l2: p20.low, l3: r3)
    }

    @inlinable @inline(__always)
    public static func &*= (a: inout UInt256, b: UInt256) { a = a &* b }

    /// `self ^ exponent` modulo 2^256 (EVM EXP), by square-and-multiply over the exponent's bits.
    @inlinable
    public func exp(_ exponent: UInt256) -> UInt256 {
        var result = UInt256.one
        var base = self
        let bits = exponent.bitWidth
        var i = 0
        while i < bits {
            if exponent.bit(i) { result = result &* base }
            i += 1
            if i < bits { base = base &* base }
        }
        return result
    }

    /// Bit `index` (0 = least significant) of the value; `index` must be in 0..<256.
    @inlinable @inline(__always)
    func bit(_ index: Int) -> Bool {
        let limb: UInt64
        switch index >> 6 {
        case 0: limb = l0
        case 1: limb = l1
        case 2: limb = l2
        default: limb = l3
        }
        return (limb >> UInt64(index & 63)) & 1 == 1
    }
}
