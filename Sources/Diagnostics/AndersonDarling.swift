import Foundation

/// Anderson–Darling test for normality with mean and variance estimated from the data
/// (statsmodels' `normal_ad`): A² over the standardised order statistics, then the p-value of
/// the small-sample-corrected A²* = A²(1 + 0.75/n + 2.25/n²) from D'Agostino & Stephens' (1986)
/// piecewise exponential fits.
public struct AndersonDarlingResult: Sendable, Equatable {
    /// A², uncorrected.
    public let statistic: Double
    /// A²* that the p-value is read from.
    public let adjustedStatistic: Double
    public let pValue: Double
}

public enum AndersonDarling {
    public static let minimumCount = 3

    public static func test(_ values: [Double]) throws -> AndersonDarlingResult {
        try DiagnosticsError.checkFinite(values)
        let n = values.count
        guard n >= minimumCount else { throw DiagnosticsError.tooFewValues(test: "Anderson-Darling", minimum: minimumCount, count: n) }
        let moments = CentralMoments(values)
        let sd = moments.sampleStandardDeviation
        guard sd > 0 else { throw DiagnosticsError.zeroRange(test: "Anderson-Darling") }
        let z = values.sorted().map { StandardNormal.cdf(($0 - moments.mean) / sd) }
        let count = Double(n)
        var sum = 0.0
        for i in 0..<n {
            // log(1 − z) of the mirrored order statistic via log1p, as the reference does.
            sum += (2 * Double(i + 1) - 1) / count * (log(z[i]) + log1p(-z[n - 1 - i]))
        }
        let a2 = -count - sum
        let adjusted = a2 * (1 + 0.75 / count + 2.25 / (count * count))
        return AndersonDarlingResult(statistic: a2, adjustedStatistic: adjusted, pValue: pValue(adjusted: adjusted))
    }

    static func pValue(adjusted a: Double) -> Double {
        if a >= 0 && a < 0.2 { return 1 - exp(-13.436 + 101.14 * a - 223.73 * a * a) }
        if a < 0.34 { return 1 - exp(-8.318 + 42.796 * a - 59.938 * a * a) }
        if a < 0.6 { return exp(0.9177 - 4.279 * a - 1.38 * a * a) }
        if a <= 13 { return exp(1.2937 - 5.709 * a + 0.0186 * a * a) }
        return 0
    }
}
