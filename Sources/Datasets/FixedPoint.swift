import Primitives

/// Conversion of statistics to the fixed-point int256 values `DatasetRecord` stores:
/// stored = round(value × scale), as 256-bit two's complement.
///
/// Rounding is exact: a Double is m × 2^e with an integer m, so value × scale = (m × scale) × 2^e
/// is computed in integers and rounded once, to nearest with ties to even. No intermediate
/// floating-point product loses digits (1e9 + 1e-7 at scale 1e18 keeps all its bits).
public enum FixedPoint {
    /// 10^18, the scale MLedger declares by default (18 decimals, as token amounts use).
    public static let defaultScale = UInt256(1_000_000_000_000_000_000)

    public static func encode(_ value: Double, scale: UInt256 = defaultScale) throws(DatasetError) -> UInt256 {
        guard value.isFinite else { throw .nonFiniteValue(location: "fixed-point conversion") }
        if value == 0 || scale.isZero { return .zero }
        let magnitude = value.magnitude
        let significand: UInt64
        let exponent: Int
        if magnitude.isNormal {
            significand = (1 << 52) | magnitude.significandBitPattern
            exponent = Int(magnitude.exponent) - 52
        } else {
            significand = magnitude.significandBitPattern
            exponent = -1074
        }
        let (product, overflow) = UInt256(significand).multipliedReportingOverflow(by: scale)
        guard !overflow else { throw .fixedPointOverflow(value: value) }
        var result: UInt256
        if exponent >= 0 {
            guard product.bitWidth + exponent <= 255 else { throw .fixedPointOverflow(value: value) }
            result = product << exponent
        } else {
            result = roundedShiftRight(product, by: -exponent)
        }
        // int256 holds -2^255 ... 2^255 - 1.
        let limit = UInt256.one << 255
        if value < 0 {
            guard result <= limit else { throw .fixedPointOverflow(value: value) }
            return result.negated
        }
        guard result < limit else { throw .fixedPointOverflow(value: value) }
        return result
    }

    /// x / 2^shift rounded to nearest, ties to even.
    static func roundedShiftRight(_ x: UInt256, by shift: Int) -> UInt256 {
        if shift > 256 { return .zero }  // x < 2^256 <= half of 2^shift
        let quotient = shift == 256 ? UInt256.zero : x >> shift
        let remainder = shift == 256 ? x : x & ((UInt256.one << shift) &- .one)
        let half = UInt256.one << (shift - 1)
        if remainder > half || (remainder == half && quotient.l0 & 1 == 1) { return quotient &+ .one }
        return quotient
    }

    /// The approximate real value of a stored fixed-point number (for display and checks).
    public static func decode(_ stored: UInt256, scale: UInt256 = defaultScale) -> Double {
        let negative = stored.isNegative
        let m = negative ? stored.negated : stored
        let magnitude = Double(m.l3) * 0x1p192 + Double(m.l2) * 0x1p128 + Double(m.l1) * 0x1p64 + Double(m.l0)
        let s = Double(scale.l3) * 0x1p192 + Double(scale.l2) * 0x1p128 + Double(scale.l1) * 0x1p64 + Double(scale.l0)
        return (negative ? -magnitude : magnitude) / s
    }
}

/// One feature's statistics as fixed-point int256 values (two's complement), ready for
/// `DatasetRecord.setStatistics`.
public struct FixedPointFeature: Hashable, Sendable {
    public let count: UInt256
    public let mean: UInt256
    public let variance: UInt256
    public let minimum: UInt256
    public let maximum: UInt256

    public init(_ summary: FeatureSummary, scale: UInt256 = FixedPoint.defaultScale) throws(DatasetError) {
        count = UInt256(summary.count)
        mean = try FixedPoint.encode(summary.mean, scale: scale)
        variance = try FixedPoint.encode(summary.variance, scale: scale)
        minimum = try FixedPoint.encode(summary.minimum, scale: scale)
        maximum = try FixedPoint.encode(summary.maximum, scale: scale)
    }
}
