/// Streaming mean and variance of one feature by Welford's update (Welford 1962; Knuth TAOCP
/// vol. 2, 4.2.2): numerically stable even when values sit on a large offset (1e9 + noise),
/// where the naive sum-of-squares formula cancels catastrophically.
///
/// The update runs on values shifted by the first one (x - x0, exact when x is near x0 by
/// Sterbenz's lemma). Without the shift the running mean itself is rounded to ulp(1e9) = 1.2e-7
/// at every step, which costs about 4e-5 relative accuracy in the variance of 1e9 + 1e-3 noise;
/// with it, the result agrees with an accurate two-pass computation to about 1e-12.
public struct WelfordAccumulator: Hashable, Sendable {
    public private(set) var count: UInt64 = 0
    private var shift: Double = 0
    /// Mean of the shifted values.
    private var shiftedMean: Double = 0
    /// Sum of squared deviations from the running mean.
    public private(set) var m2: Double = 0
    public private(set) var minimum: Double = .infinity
    public private(set) var maximum: Double = -.infinity

    public init() {}

    public var mean: Double { shift + shiftedMean }

    @inline(__always)
    public mutating func add(_ x: Double) {
        if count == 0 { shift = x }
        count += 1
        let y = x - shift
        let delta = y - shiftedMean
        shiftedMean += delta / Double(count)
        m2 += delta * (y - shiftedMean)
        if x < minimum { minimum = x }
        if x > maximum { maximum = x }
    }

    /// Population variance (divide by n): the dataset is described as it is, the same
    /// convention as numpy's default `var` (ddof = 0). Zero for fewer than one value.
    public var populationVariance: Double { count == 0 ? 0 : m2 / Double(count) }

    public var summary: FeatureSummary {
        FeatureSummary(count: count, mean: mean, variance: populationVariance,
                       minimum: count == 0 ? 0 : minimum, maximum: count == 0 ? 0 : maximum)
    }
}

/// Statistics of one feature, in Double.
public struct FeatureSummary: Hashable, Sendable {
    public let count: UInt64
    public let mean: Double
    /// Population variance.
    public let variance: Double
    public let minimum: Double
    public let maximum: Double
}
