/// Vectorised exponential, sigmoid and tanh for the recurrent kernels.
///
/// `exp` uses Cody–Waite range reduction, x = n·ln2 + r with |r| ≤ ln2/2, a degree-6 Taylor
/// polynomial for eʳ (truncation error below 1.2e-7 relative) and 2ⁿ built in the exponent
/// bits. Only multiply, add, divide, min and max are used, so each SIMD lane performs exactly
/// the IEEE operations of the scalar version: results are the same whichever path or thread
/// computed them. Rounding to n uses the 1.5·2²³ trick, which baseline x86-64 (no SSE4.1
/// `roundps`) vectorises.
package enum FastMath {
    private static let log2e: Float = 1.442_695_04
    private static let ln2High: Float = 0.693_359_375
    private static let ln2Low: Float = -2.121_944_4e-4
    private static let roundingMagic: Float = 12_582_912  // 1.5 · 2²³
    private static let lowest: Float = -87.3
    private static let highest: Float = 88.3

    @inline(__always)
    package static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
        // Compare-and-select rather than `clamped`, whose generic min/max were not inlined; the
        // same two comparisons as the scalar version below, lane by lane.
        let low = SIMD8<Float>(repeating: lowest), high = SIMD8<Float>(repeating: highest)
        let raised = x.replacing(with: low, where: x .< low)
        let clamped = raised.replacing(with: high, where: raised .> high)
        let shifted = clamped * log2e + roundingMagic
        let n = shifted - roundingMagic
        let r = (clamped - n * ln2High) - n * ln2Low
        var p = r * (1 / 720) + (1 / 120)
        p = p * r + (1 / 24)
        p = p * r + (1 / 6)
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        // n sits in the low mantissa bits of `shifted`; move it (plus the bias 127) into the exponent.
        let bits = (unsafeBitCast(shifted, to: SIMD8<UInt32>.self) &- 0x4B40_0000 &+ 127) &<< 23
        return p * unsafeBitCast(bits, to: SIMD8<Float>.self)
    }

    @inline(__always)
    package static func exp(_ x: Float) -> Float {
        let raised = x < lowest ? lowest : x
        let clamped = raised > highest ? highest : raised
        let shifted = clamped * log2e + roundingMagic
        let n = shifted - roundingMagic
        let r = (clamped - n * ln2High) - n * ln2Low
        var p = r * (1 / 720) + (1 / 120)
        p = p * r + (1 / 24)
        p = p * r + (1 / 6)
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        let bits = (shifted.bitPattern &- 0x4B40_0000 &+ 127) &<< 23
        return p * Float(bitPattern: bits)
    }

    @inline(__always) package static func sigmoid(_ x: SIMD8<Float>) -> SIMD8<Float> { 1 / (1 + exp(-x)) }
    @inline(__always) package static func sigmoid(_ x: Float) -> Float { 1 / (1 + exp(-x)) }
    /// tanh x = 1 − 2/(e²ˣ + 1); absolute error about 1e-7.
    @inline(__always) package static func tanh(_ x: SIMD8<Float>) -> SIMD8<Float> { 1 - 2 / (exp(x + x) + 1) }
    @inline(__always) package static func tanh(_ x: Float) -> Float { 1 - 2 / (exp(x + x) + 1) }
}
