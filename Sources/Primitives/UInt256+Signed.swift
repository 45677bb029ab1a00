// Two's-complement views of a 256-bit word for the EVM's signed opcodes: SDIV, SMOD, SLT, SGT
// (Yellow Paper appendix H). The bits are the same; only the interpretation changes.

extension UInt256 {
    /// Whether the top bit is set: the value is negative when read as two's complement.
    @inlinable @inline(__always)
    public var isNegative: Bool { l3 >> 63 == 1 }

    /// Two's-complement negation, `0 - self` modulo 2^256 (so the minimum, 2^255, maps to itself).
    @inlinable @inline(__always)
    public var negated: UInt256 { UInt256.zero &- self }

    /// The magnitude when read as two's complement (2^255 for the minimum, as an unsigned value).
    @inlinable @inline(__always)
    var signedMagnitude: UInt256 { isNegative ? negated : self }

    /// EVM SDIV: signed quotient truncated toward zero; 0 when `divisor` is 0, and
    /// -2^255 / -1 gives -2^255 (the overflow wraps).
    @inlinable
    public func sdiv(_ divisor: UInt256) -> UInt256 {
        if divisor.isZero { return .zero }
        let quotient = signedMagnitude.quotientAndRemainder(dividingBy: divisor.signedMagnitude).quotient
        return isNegative != divisor.isNegative ? quotient.negated : quotient
    }

    /// EVM SMOD: signed remainder whose sign follows the dividend; 0 when `divisor` is 0.
    @inlinable
    public func smod(_ divisor: UInt256) -> UInt256 {
        if divisor.isZero { return .zero }
        let remainder = signedMagnitude.quotientAndRemainder(dividingBy: divisor.signedMagnitude).remainder
        return isNegative ? remainder.negated : remainder
    }

    /// EVM SLT: `a < b` as two's-complement numbers.
    @inlinable @inline(__always)
    public static func slt(_ a: UInt256, _ b: UInt256) -> Bool {
        let aNegative = a.isNegative, bNegative = b.isNegative
        if aNegative != bNegative { return aNegative }
        return a < b  // same sign: unsigned order agrees with signed order
    }

    /// EVM SGT: `a > b` as two's-complement numbers.
    @inlinable @inline(__always)
    public static func sgt(_ a: UInt256, _ b: UInt256) -> Bool { slt(b, a) }
}
