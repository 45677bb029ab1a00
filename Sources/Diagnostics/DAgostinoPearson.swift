import Foundation

/// D'Agostino–Pearson omnibus test K² = Z(√b₁)² + Z(b₂)² (scipy.stats.normaltest): the
/// skewness test of D'Agostino (1970) and the kurtosis test of Anscombe & Glynn (1983), each
/// transformed to an approximately standard normal Z; K² is χ² with 2 degrees of freedom,
/// whose survival function is exp(−K²/2).
public struct DAgostinoPearsonResult: Sendable, Equatable {
    public let statistic: Double
    public let pValue: Double
    public let skewnessZ: Double
    public let kurtosisZ: Double
    /// The kurtosis test is unreliable below 20 values (scipy warns there too).
    public var kurtosisMayBeInaccurate: Bool
}

public enum DAgostinoPearson {
    /// The skewness test needs 8 values.
    public static let minimumCount = 8

    public static func test(_ values: [Double]) throws -> DAgostinoPearsonResult {
        try DiagnosticsError.checkFinite(values)
        let count = values.count
        guard count >= minimumCount else {
            throw DiagnosticsError.tooFewValues(test: "D'Agostino-Pearson", minimum: minimumCount, count: count)
        }
        let moments = CentralMoments(values)
        guard moments.m2 > 0 else { throw DiagnosticsError.zeroRange(test: "D'Agostino-Pearson") }
        let n = Double(count)
        let skewZ = skewnessZ(sampleSkewness: moments.m3 / pow(moments.m2, 1.5), n: n)
        let kurtZ = kurtosisZ(sampleKurtosis: moments.m4 / (moments.m2 * moments.m2), n: n)
        let k2 = skewZ * skewZ + kurtZ * kurtZ
        return DAgostinoPearsonResult(statistic: k2, pValue: exp(-k2 / 2), skewnessZ: skewZ, kurtosisZ: kurtZ,
                                      kurtosisMayBeInaccurate: count < 20)
    }

    static func skewnessZ(sampleSkewness b: Double, n: Double) -> Double {
        var y = b * ((n + 1) * (n + 3) / (6 * (n - 2))).squareRoot()
        let beta2 = 3 * (n * n + 27 * n - 70) * (n + 1) * (n + 3) / ((n - 2) * (n + 5) * (n + 7) * (n + 9))
        let w2 = -1 + (2 * (beta2 - 1)).squareRoot()
        let delta = 1 / (0.5 * log(w2)).squareRoot()
        let alpha = (2 / (w2 - 1)).squareRoot()
        if y == 0 { y = 1 }
        let ratio = y / alpha
        return delta * log(ratio + (ratio * ratio + 1).squareRoot())
    }

    static func kurtosisZ(sampleKurtosis b2: Double, n: Double) -> Double {
        let expected = 3 * (n - 1) / (n + 1)
        let variance = 24 * n * (n - 2) * (n - 3) / ((n + 1) * (n + 1) * (n + 3) * (n + 5))
        let x = (b2 - expected) / variance.squareRoot()
        let rootBeta1 = 6 * (n * n - 5 * n + 2) / ((n + 7) * (n + 9)) * (6 * (n + 3) * (n + 5) / (n * (n - 2) * (n - 3))).squareRoot()
        let a = 6 + 8 / rootBeta1 * (2 / rootBeta1 + (1 + 4 / (rootBeta1 * rootBeta1)).squareRoot())
        let term1 = 1 - 2 / (9 * a)
        let denominator = 1 + x * (2 / (a - 4)).squareRoot()
        // Undefined when the denominator is zero; NaN propagates into K² as in the reference.
        guard denominator != 0 else { return .nan }
        let sign: Double = denominator > 0 ? 1 : -1
        let term2 = sign * pow((1 - 2 / a) / abs(denominator), 1.0 / 3.0)
        return (term1 - term2) / (2 / (9 * a)).squareRoot()
    }
}
