import Foundation

/// Sample quantiles and residual-based prediction intervals.
///
/// Definition (Hyndman & Fan type 7, numpy's default `method="linear"`): for sorted values
/// x₀ ≤ … ≤ xₙ₋₁ and probability p, h = (n − 1)·p, and the quantile is
/// x⌊h⌋ + (h − ⌊h⌋)·(x⌊h⌋₊₁ − x⌊h⌋), interpolated from the nearer end (as numpy does) so that
/// p = 1 gives the maximum exactly.
public enum EmpiricalQuantile {
    public static func quantile(_ values: [Double], _ p: Double) throws -> Double {
        try quantiles(values, [p])[0]
    }

    /// Several quantiles of one sample (sorted once).
    public static func quantiles(_ values: [Double], _ probabilities: [Double]) throws -> [Double] {
        try DiagnosticsError.checkFinite(values)
        guard !values.isEmpty else { throw DiagnosticsError.tooFewValues(test: "quantile", minimum: 1, count: 0) }
        if let bad = probabilities.first(where: { !($0 >= 0 && $0 <= 1) }) { throw DiagnosticsError.probabilityOutOfRange(bad) }
        let sorted = values.sorted()
        return probabilities.map { interpolate(sorted, $0) }
    }

    static func interpolate(_ sorted: [Double], _ p: Double) -> Double {
        let h = Double(sorted.count - 1) * p
        let lower = min(Int(h.rounded(.down)), sorted.count - 1)
        let upper = min(lower + 1, sorted.count - 1)
        let t = h - Double(lower)
        let a = sorted[lower], b = sorted[upper]
        let difference = b - a
        return t >= 0.5 ? b - difference * (1 - t) : a + difference * t
    }
}

/// A central prediction interval for a forecast, from the empirical distribution of past
/// residuals (actual − forecast): [forecast + q((1−c)/2), forecast + q((1+c)/2)].
public struct ResidualInterval: Sendable, Equatable {
    public let coverage: Double
    /// Residual quantiles added to a forecast for the lower and upper bound.
    public let lowerOffset: Double
    public let upperOffset: Double

    /// `coverage` in (0, 1), e.g. 0.9 for a 90 % interval.
    public init(residuals: [Double], coverage: Double = 0.9) throws {
        guard coverage > 0 && coverage < 1 else { throw DiagnosticsError.probabilityOutOfRange(coverage) }
        let q = try EmpiricalQuantile.quantiles(residuals, [(1 - coverage) / 2, (1 + coverage) / 2])
        self.coverage = coverage
        lowerOffset = q[0]
        upperOffset = q[1]
    }

    public func interval(around forecast: Double) -> (lower: Double, upper: Double) {
        (forecast + lowerOffset, forecast + upperOffset)
    }
}
