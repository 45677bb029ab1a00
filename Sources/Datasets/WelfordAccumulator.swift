/// Streaming mean and variance of one feature by Welford's update (Welford 1962; Knuth TAOCP
/// vol. 2, 4.2.2): numerically stable even when values sit on a large offset (1e9 + noise),
/// where the naive sum-of-squares formula cancels catastrophically.
public struct WelfordAccumulator: Hashable, Sendable {
    public private(set) var count: UInt64 = 0
    public private(set) var mean: Double = 0
    /// Sum of squared deviations from the running mean.
    public private(set) var m2: Double = 0
    public private(set) var minimum: Double = .infinity
    public private(set) var maximum: Double = -.infinity

    public init() {}

    @inline(__always)
    public mutating func add(_ x: Double) {
        count += 1
        let delta = x - mean
        mean += delta / Double(count)
        m2 += delta * (x - mean)
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
