// Bitwise operations and shifts: AND, OR, XOR, NOT, BYTE, SIGNEXTEND (Yellow Paper appendix H)
// and SHL, SHR, SAR (EIP-145), whose shift amount is itself a 256-bit word.

extension UInt256 {
    @inlinable @inline(__always)
    public static func & (a: UInt256, b: UInt256) -> UInt256 {
        UInt256(l0: a.l0 & b.l0, l1: a.l1 & b.l1, l2: a.l2 & b.l2, l3: a.l3 & b.l3)
    }

    @inlinable @inline(__always)
    public static func | (a: UInt256, b: UInt256) -> UInt256 {
        UInt256(l0: a.l0 | b.l0, l1: a.l1 | b.l1, l2: a.l2 | b.l2, l3: a.l3 | b.l3)
    }

    @inlinable @inline(__always)
    public static func ^ (a: UInt256, b: UInt256) -> UInt256 {
        UInt256(l0: a.l0 ^ b.l0, l1: a.l1 ^ b.l1, l2: a.l2 ^ b.l2, l3: a.l3 ^ b.l3)
    }

    @inlinable @inline(__always)
    public static prefix func ~ (a: UInt256) -> UInt256 {
        UInt256(l0: ~a.l0, l1: ~a.l1, l2: ~a.l2, l3: ~a.l3)
    }

    @inlinable @inline(__always)
    public static func &= (a: inout UInt256, b: UInt256) { a = a & b }

    @inlinable @inline(__always)
    public static func |= (a: inout UInt256, b: UInt256) { a = a | b }

    @inlinable @inline(__always)
    public static func ^= (a: inout UInt256, b: UInt256) { a = a ^ b }

    /// Logical left shift by `n` bits; `n >= 256` gives 0 and a negative `n` shifts right.
    @inlinable @inline(__always)
    public static func << (a: UInt256, n: Int) -> UInt256 {
        let distance = n.magnitude
        if distance >= 256 { return .zero }
        return n >= 0 ? a.shiftedLeftWithinWidth(UInt64(distance)) : a.shiftedRightWithinWidth(UInt64(distance))
    }

    /// Logical right shift by `n` bits; `n >= 256` gives 0 and a negative `n` shifts left.
    @inlinable @inline(__always)
    public static func >> (a: UInt256, n: Int) -> UInt256 {
        let distance = n.magnitude
        if distance >= 256 { return .zero }
        return n >= 0 ? a.shiftedRightWithinWidth(UInt64(distance)) : a.shiftedLeftWithinWidth(UInt64(distance))
    }

    @inlinable @inline(__always)
    public static func <<= (a: inout UInt256, n: Int) { a = a << n }

    @inlinable @inline(__always)
    public static func >>= (a: inout UInt256, n: Int) { a = a >> n }

    /// Left shift by `n` in 0..<256.
    @inlinable @inline(__always)
    func shiftedLeftWithinWidth(_ n: UInt64) -> UInt256 {
        let bits = n & 63
        // `(x >> 1) &>> (63 - bits)` is `x >> (64 - bits)`, and 0 when bits is 0.
        let back = 63 &- bits
        let s0 = l0 &<< bits
        let s1 = l1 &<< bits | (l0 >> 1) &>> back
        let s2 = l2 &<< bits | (l1 >> 1) &>> back
        let s3 = l3 &<< bits | (l2 >> 1) &>> back
        switch n >> 6 {
        case 0: return UInt256(l0: s0, l1: s1, l2: s2, l3: s3)
        case 1: return UInt256(l0: 0, l1: s0, l2: s1, l3: s2)
        case 2: return UInt256(l0: 0, l1: 0, l2: s0, l3: s1)
        default: return UInt256(l0: 0, l1: 0, l2: 0, l3: s0)
        }
    }

    /// Logical right shift by `n` in 0..<256.
    @inlinable @inline(__always)
    func shiftedRightWithinWidth(_ n: UInt64) -> UInt256 {
        let bits = n & 63
        let back = 63 &- bits
        let s3 = l3 &>> bits
        let s2 = l2 &>> bits | (l3 << 1) &<< back
        let s1 = l1 &>> bits | (l2 << 1) &<< back
        let s0 = l0 &>> bits | (l1 << 1) &<< back
        switch n >> 6 {
        case 0: return UInt256(l0: s0, l1: s1, l2: s2, l3: s3)
        case 1: return UInt256(l0: s1, l1: s2, l2: s3, l3: 0)
        case 2: return UInt256(l0: s2, l1: s3, l2: 0, l3: 0)
        default: return UInt256(l0: s3, l1: 0, l2: 0, l3: 0)
        }
    }

    /// The shift amount as a bit count if it is below 256, else nil.
    @inlinable @inline(__always)
    var shiftAmount: UInt64? {
        (l1 | l2 | l3) == 0 && l0 < 256 ? l0 : nil
    }

    /// EVM SHL (EIP-145): `self << shift`, 0 when `shift >= 256`.
    @inlinable @inline(__always)
    public func shiftedLeft(by shift: UInt256) -> UInt256 {
        guard let n = shift.shiftAmount else { return .zero }
        return shiftedLeftWithinWidth(n)
    }

    /// EVM SHR (EIP-145): logical `self >> shift`, 0 when `shift >= 256`.
    @inlinable @inline(__always)
    public func shiftedRight(by shift: UInt256) -> UInt256 {
        guard let n = shift.shiftAmount else { return .zero }
        return shiftedRightWithinWidth(n)
    }

    /// EVM SAR (EIP-145): two's-complement `self >> shift`, filling with the sign bit; a shift of
    /// 256 or more gives 0 for non-negative values and all ones (-1) for negative ones.
    @inlinable @inline(__always)
    public func arithmeticShiftedRight(by shift: UInt256) -> UInt256 {
        let negative = isNegative
        guard let n = shift.shiftAmount else { return negative ? .max : .zero }
        // For negative x, x >> n (arithmetic) == ~((~x) >> n) (logical).
        return negative ? ~(~self).shiftedRightWithinWidth(n) : shiftedRightWithinWidth(n)
    }

    /// EVM BYTE(i, x) as `x.byte(at: i)`: byte `i` counted from the most significant end
    /// (0 is the top byte), or 0 when `i >= 32`.
    @inlinable @inline(__always)
    public func byte(at index: UInt256) -> UInt256 {
        guard (index.l1 | index.l2 | index.l3) == 0, index.l0 < 32 else { return .zero }
        let fromBottom = 31 - index.l0
        let word = limb(Int(fromBottom >> 3))
        return UInt256((word >> ((fromBottom & 7) * 8)) & 0xff)
    }

    /// EVM SIGNEXTEND(b, x): extends the sign of the two's-complement number held in the low
    /// `b + 1` bytes of `x` to all 256 bits; `x` unchanged when `b >= 31`.
    @inlinable @inline(__always)
    public static func signExtend(byteIndex: UInt256, _ x: UInt256) -> UInt256 {
        guard (byteIndex.l1 | byteIndex.l2 | byteIndex.l3) == 0, byteIndex.l0 < 31 else { return x }
        let signBit = byteIndex.l0 * 8 + 7
        // Mask of the bits below and including the sign bit.
        let keep = UInt256.max.shiftedRightWithinWidth(255 - signBit)
        return x.bit(Int(signBit)) ? x | ~keep : x & keep
    }

    /// Number of bytes needed to hold the value without leading zeros (0 for zero).
    @inlinable
    public var byteWidth: Int { (bitWidth + 7) / 8 }
}
