// TEMPORARY: the UInt256 arithmetic of uint256-api.md, until the Primitives engineer's version
// lands in main. Same names; this file is deleted on that merge.
import Primitives

extension UInt256 {
    @inlinable @inline(__always)
    public func addingReportingOverflow(_ b: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        let (r0, c0) = l0.addingReportingOverflow(b.l0)
        var (r1, c1) = l1.addingReportingOverflow(b.l1)
        var c: Bool
        if c0 { let t = r1.addingReportingOverflow(1); r1 = t.0; c1 = c1 || t.1 }
        var (r2, c2) = l2.addingReportingOverflow(b.l2)
        if c1 { let t = r2.addingReportingOverflow(1); r2 = t.0; c2 = c2 || t.1 }
        var (r3, c3) = l3.addingReportingOverflow(b.l3)
        if c2 { let t = r3.addingReportingOverflow(1); r3 = t.0; c3 = c3 || t.1 }
        c = c3
        return (UInt256(l0: r0, l1: r1, l2: r2, l3: r3), c)
    }

    @inlinable @inline(__always)
    public func subtractingReportingOverflow(_ b: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        let (r0, c0) = l0.subtractingReportingOverflow(b.l0)
        var (r1, c1) = l1.subtractingReportingOverflow(b.l1)
        if c0 { let t = r1.subtractingReportingOverflow(1); r1 = t.0; c1 = c1 || t.1 }
        var (r2, c2) = l2.subtractingReportingOverflow(b.l2)
        if c1 { let t = r2.subtractingReportingOverflow(1); r2 = t.0; c2 = c2 || t.1 }
        var (r3, c3) = l3.subtractingReportingOverflow(b.l3)
        if c2 { let t = r3.subtractingReportingOverflow(1); r3 = t.0; c3 = c3 || t.1 }
        return (UInt256(l0: r0, l1: r1, l2: r2, l3: r3), c3)
    }

    @inlinable @inline(__always)
    public static func &+ (a: UInt256, b: UInt256) -> UInt256 { a.addingReportingOverflow(b).partialValue }
    @inlinable @inline(__always)
    public static func &- (a: UInt256, b: UInt256) -> UInt256 { a.subtractingReportingOverflow(b).partialValue }

    @inlinable
    public func multipliedFullWidth(by b: UInt256) -> (high: UInt256, low: UInt256) {
        let a = [l0, l1, l2, l3], bb = [b.l0, b.l1, b.l2, b.l3]
        var r = [UInt64](repeating: 0, count: 8)
        for i in 0..<4 {
            var carry: UInt64 = 0
            for j in 0..<4 {
                let (hi, lo) = a[i].multipliedFullWidth(by: bb[j])
                let (s1, o1) = lo.addingReportingOverflow(r[i + j])
                let (s2, o2) = s1.addingReportingOverflow(carry)
                r[i + j] = s2
                carry = hi &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
            }
            r[i + 4] = carry
        }
        return (UInt256(l0: r[4], l1: r[5], l2: r[6], l3: r[7]), UInt256(l0: r[0], l1: r[1], l2: r[2], l3: r[3]))
    }

    @inlinable @inline(__always)
    public static func &* (a: UInt256, b: UInt256) -> UInt256 {
        // Low 256 bits only: schoolbook over limbs, dropping terms above limb 3.
        let (h00, p00) = a.l0.multipliedFullWidth(by: b.l0)
        let (h01, p01) = a.l0.multipliedFullWidth(by: b.l1)
        let (h10, p10) = a.l1.multipliedFullWidth(by: b.l0)
        let (h02, p02) = a.l0.multipliedFullWidth(by: b.l2)
        let (h11, p11) = a.l1.multipliedFullWidth(by: b.l1)
        let (h20, p20) = a.l2.multipliedFullWidth(by: b.l0)
        var r1 = h00, c2: UInt64 = 0, o = false
        (r1, o) = r1.addingReportingOverflow(p01); c2 &+= o ? 1 : 0
        (r1, o) = r1.addingReportingOverflow(p10); c2 &+= o ? 1 : 0
        var r2 = c2 &+ h01
        var c3: UInt64 = r2 < h01 ? 1 : 0
        (r2, o) = r2.addingReportingOverflow(h10); c3 &+= o ? 1 : 0
        (r2, o) = r2.addingReportingOverflow(p02); c3 &+= o ? 1 : 0
        (r2, o) = r2.addingReportingOverflow(p11); c3 &+= o ? 1 : 0
        (r2, o) = r2.addingReportingOverflow(p20); c3 &+= o ? 1 : 0
        let r3 = c3 &+ h02 &+ h11 &+ h20 &+ a.l0 &* b.l3 &+ a.l1 &* b.l2 &+ a.l2 &* b.l1 &+ a.l3 &* b.l0
        return UInt256(l0: p00, l1: r1, l2: r2, l3: r3)
    }

    @inlinable
    public static func & (a: UInt256, b: UInt256) -> UInt256 { UInt256(l0: a.l0 & b.l0, l1: a.l1 & b.l1, l2: a.l2 & b.l2, l3: a.l3 & b.l3) }
    @inlinable
    public static func | (a: UInt256, b: UInt256) -> UInt256 { UInt256(l0: a.l0 | b.l0, l1: a.l1 | b.l1, l2: a.l2 | b.l2, l3: a.l3 | b.l3) }
    @inlinable
    public static func ^ (a: UInt256, b: UInt256) -> UInt256 { UInt256(l0: a.l0 ^ b.l0, l1: a.l1 ^ b.l1, l2: a.l2 ^ b.l2, l3: a.l3 ^ b.l3) }
    @inlinable
    public static prefix func ~ (a: UInt256) -> UInt256 { UInt256(l0: ~a.l0, l1: ~a.l1, l2: ~a.l2, l3: ~a.l3) }

    @inlinable
    public static func << (a: UInt256, s: Int) -> UInt256 {
        if s <= 0 { return s == 0 ? a : a >> -s }
        if s >= 256 { return .zero }
        var w = [a.l0, a.l1, a.l2, a.l3]
        let limbs = s / 64, bits = UInt64(s % 64)
        var out = [UInt64](repeating: 0, count: 4)
        for i in stride(from: 3, through: limbs, by: -1) {
            out[i] = w[i - limbs] << bits
            if bits > 0 && i - limbs - 1 >= 0 { out[i] |= w[i - limbs - 1] >> (64 - bits) }
        }
        w = out
        return UInt256(l0: w[0], l1: w[1], l2: w[2], l3: w[3])
    }

    @inlinable
    public static func >> (a: UInt256, s: Int) -> UInt256 {
        if s <= 0 { return s == 0 ? a : a << -s }
        if s >= 256 { return .zero }
        let w = [a.l0, a.l1, a.l2, a.l3]
        let limbs = s / 64, bits = UInt64(s % 64)
        var out = [UInt64](repeating: 0, count: 4)
        for i in 0..<(4 - limbs) {
            out[i] = w[i + limbs] >> bits
            if bits > 0 && i + limbs + 1 < 4 { out[i] |= w[i + limbs + 1] << (64 - bits) }
        }
        return UInt256(l0: out[0], l1: out[1], l2: out[2], l3: out[3])
    }

    public func shiftedLeft(by s: UInt256) -> UInt256 { guard let n = s.uint64, n < 256 else { return .zero }; return self << Int(n) }
    public func shiftedRight(by s: UInt256) -> UInt256 { guard let n = s.uint64, n < 256 else { return .zero }; return self >> Int(n) }
    public func arithmeticShiftedRight(by s: UInt256) -> UInt256 {
        let neg = isNegative
        guard let n = s.uint64, n < 256 else { return neg ? .max : .zero }
        if !neg { return self >> Int(n) }
        return ~((~self) >> Int(n))
    }

    public var isNegative: Bool { l3 >> 63 == 1 }
    public var negated: UInt256 { (~self) &+ .one }
    public static func slt(_ a: UInt256, _ b: UInt256) -> Bool {
        let an = a.isNegative, bn = b.isNegative
        if an != bn { return an }
        return a < b
    }
    public static func sgt(_ a: UInt256, _ b: UInt256) -> Bool { slt(b, a) }
    public var byteWidth: Int { (bitWidth + 7) / 8 }

    /// Long division, bit by bit above 64-bit divisors.
    public func quotientAndRemainder(dividingBy d: UInt256) -> (quotient: UInt256, remainder: UInt256) {
        precondition(!d.isZero)
        if self < d { return (.zero, self) }
        if let a = uint64, let b = d.uint64 { return (UInt256(a / b), UInt256(a % b)) }
        if d.l1 == 0 && d.l2 == 0 && d.l3 == 0 {
            let b = d.l0
            var r: UInt64 = 0
            var q = [UInt64](repeating: 0, count: 4)
            let w = [l0, l1, l2, l3]
            for i in stride(from: 3, through: 0, by: -1) {
                let (qq, rr) = b.dividingFullWidth((high: r, low: w[i]))
                q[i] = qq; r = rr
            }
            return (UInt256(l0: q[0], l1: q[1], l2: q[2], l3: q[3]), UInt256(r))
        }
        var q = UInt256.zero, r = UInt256.zero
        let n = bitWidth
        for i in stride(from: n - 1, through: 0, by: -1) {
            r = r << 1
            if (self >> i).l0 & 1 == 1 { r.l0 |= 1 }
            if r >= d { r = r &- d; q = q | (UInt256.one << i) }
        }
        return (q, r)
    }

    public func div(_ d: UInt256) -> UInt256 { d.isZero ? .zero : quotientAndRemainder(dividingBy: d).quotient }
    public func mod(_ d: UInt256) -> UInt256 { d.isZero ? .zero : quotientAndRemainder(dividingBy: d).remainder }
    public func sdiv(_ d: UInt256) -> UInt256 {
        if d.isZero { return .zero }
        let an = isNegative, bn = d.isNegative
        let q = (an ? negated : self).quotientAndRemainder(dividingBy: bn ? d.negated : d).quotient
        return an != bn ? q.negated : q
    }
    public func smod(_ d: UInt256) -> UInt256 {
        if d.isZero { return .zero }
        let an = isNegative
        let r = (an ? negated : self).quotientAndRemainder(dividingBy: d.isNegative ? d.negated : d).remainder
        return an ? r.negated : r
    }

    /// 512-bit by 256-bit remainder, bit by bit.
    static func mod512(high: UInt256, low: UInt256, _ m: UInt256) -> UInt256 {
        var r = high.mod(m)
        for i in stride(from: 255, through: 0, by: -1) {
            let top = r.isNegative
            r = r << 1
            if (low >> i).l0 & 1 == 1 { r.l0 |= 1 }
            if top || r >= m { r = r &- m }
        }
        return r
    }

    public static func addMod(_ a: UInt256, _ b: UInt256, _ m: UInt256) -> UInt256 {
        if m.isZero { return .zero }
        let (s, o) = a.addingReportingOverflow(b)
        return mod512(high: o ? .one : .zero, low: s, m)
    }
    public static func mulMod(_ a: UInt256, _ b: UInt256, _ m: UInt256) -> UInt256 {
        if m.isZero { return .zero }
        let (h, l) = a.multipliedFullWidth(by: b)
        return mod512(high: h, low: l, m)
    }
    public func exp(_ e: UInt256) -> UInt256 {
        var result = UInt256.one, base = self
        let n = e.bitWidth
        for i in 0..<n {
            if (e >> i).l0 & 1 == 1 { result = result &* base }
            base = base &* base
        }
        return result
    }
    public static func signExtend(byteIndex b: UInt256, _ x: UInt256) -> UInt256 {
        guard let n = b.uint64, n < 31 else { return x }
        let bit = Int(n) * 8 + 7
        let mask = (UInt256.one << (bit + 1)) &- .one
        if (x >> bit).l0 & 1 == 1 { return x | ~mask }
        return x & mask
    }
    public func byte(at i: UInt256) -> UInt256 {
        guard let n = i.uint64, n < 32 else { return .zero }
        return UInt256((self >> Int((31 - n) * 8)).l0 & 0xff)
    }
}
