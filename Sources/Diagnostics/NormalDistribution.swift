import Foundation

/// The standard normal distribution, as the tests need it.
public enum StandardNormal {
    /// P(Z ≤ x), through the complementary error function so that both tails keep their
    /// relative precision (1 − Φ is never formed by subtraction here).
    public static func cdf(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }

    /// P(Z > x).
    public static func survival(_ x: Double) -> Double { 0.5 * erfc(x / 2.0.squareRoot()) }
}

/// Evaluates c[0] + c[1]·x + c[2]·x² + … by Horner's rule.
@inline(__always)
func polynomial(_ coefficients: [Double], _ x: Double) -> Double {
    var result = 0.0
    for c in coefficients.reversed() { result = result * x + c }
    return result
}
