import Foundation

/// Shapiro–Wilk W test for normality with Royston's approximations (algorithm AS R94, 1995):
/// the coefficients from normal scores with polynomial corrections for the two extreme pairs,
/// and the p-value from a normalising transformation of W (log(1 − W) for n ≥ 12, a second
/// log transform for 4 ≤ n ≤ 11, exact for n = 3). The same computation as scipy.stats.shapiro,
/// including its shift of the data by the input's middle element before the sums.
public struct ShapiroWilkResult: Sendable, Equatable {
    public let statistic: Double
    public let pValue: Double
    /// Royston's approximation is only calibrated up to 5,000 values.
    public var pValueMayBeInaccurate: Bool
}

public enum ShapiroWilk {
    public static let minimumCount = 3

    public static func test(_ values: [Double]) throws -> ShapiroWilkResult {
        try DiagnosticsError.checkFinite(values)
        let n = values.count
        guard n >= minimumCount else { throw DiagnosticsError.tooFewValues(test: "Shapiro-Wilk", minimum: minimumCount, count: n) }
        // Shifting by a value inside the range leaves W unchanged but keeps x/range well scaled.
        let shift = values[n / 2]
        let x = values.sorted().map { $0 - shift }
        let range = x[n - 1] - x[0]
        guard range >= 1e-19 else { throw DiagnosticsError.zeroRange(test: "Shapiro-Wilk") }

        let a = coefficients(count: n)
        // Signed coefficient of the i-th order statistic: −a[i] in the lower half, +a[n−1−i] above.
        func signedCoefficient(_ i: Int) -> Double {
            let mirror = n - 1 - i
            if i == mirror { return 0 }
            return i < mirror ? -a[i] : a[mirror]
        }
        var meanA = 0.0, meanX = 0.0
        for i in 0..<n {
            meanA += signedCoefficient(i)
            meanX += x[i] / range
        }
        meanA /= Double(n)
        meanX /= Double(n)
        var ssa = 0.0, ssx = 0.0, sax = 0.0
        for i in 0..<n {
            let da = signedCoefficient(i) - meanA
            let dx = x[i] / range - meanX
            ssa += da * da
            ssx += dx * dx
            sax += da * dx
        }
        // 1 − W as a product of two factors, which keeps its precision when W is close to 1.
        let root = (ssa * ssx).squareRoot()
        let oneMinusW = (root - sax) * (root + sax) / (ssa * ssx)
        let w = 1 - oneMinusW
        return ShapiroWilkResult(statistic: w, pValue: pValue(w: w, oneMinusW: oneMinusW, count: n),
                                 pValueMayBeInaccurate: n > 5000)
    }

    /// The n/2 coefficients of the lower-half order statistics (positive numbers).
    static func coefficients(count n: Int) -> [Double] {
        let half = n / 2
        if n == 3 { return [(0.5 as Double).squareRoot()] }
        let an = Double(n)
        var m = (0..<half).map { normalQuantileAS111((Double($0 + 1) - 0.375) / (an + 0.25)) }
        let sumSquares = 2 * m.reduce(0) { $0 + $1 * $1 }
        let rootSum = sumSquares.squareRoot()
        let rsn = 1 / an.squareRoot()
        let a1 = polynomial([0, 0.221157, -0.147981, -2.07119, 4.434685, -2.706056], rsn) - m[0] / rootSum
        var a = m
        let firstScaled: Int
        let factor: Double
        if n > 5 {
            let a2 = -m[1] / rootSum + polynomial([0, 0.042981, -0.293762, -1.752461, 5.682633, -3.582633], rsn)
            factor = ((sumSquares - 2 * m[0] * m[0] - 2 * m[1] * m[1]) / (1 - 2 * a1 * a1 - 2 * a2 * a2)).squareRoot()
            a[1] = a2
            firstScaled = 2
        } else {
            factor = ((sumSquares - 2 * m[0] * m[0]) / (1 - 2 * a1 * a1)).squareRoot()
            firstScaled = 1
        }
        a[0] = a1
        for i in firstScaled..<half { a[i] = -m[i] / factor }
        m.removeAll()
        return a
    }

    static func pValue(w: Double, oneMinusW: Double, count n: Int) -> Double {
        if n == 3 {
            // Exact: W is at least 3/4 for three values.
            guard w >= 0.75 else { return 0 }
            return 1 - 6 / Double.pi * acos(w.squareRoot())
        }
        var y = log(oneMinusW)
        let an = Double(n)
        let mean: Double, sd: Double
        if n <= 11 {
            let gamma = polynomial([-2.273, 0.459], an)
            if y >= gamma { return 1e-19 }
            y = -log(gamma - y)
            mean = polynomial([0.544, -0.39978, 0.025054, -6.714e-4], an)
            sd = exp(polynomial([1.3822, -0.77857, 0.062767, -0.0020322], an))
        } else {
            let logN = log(an)
            mean = polynomial([-1.5861, -0.31082, -0.083751, 0.0038915], logN)
            sd = exp(polynomial([-0.4803, -0.082676, 0.0030302], logN))
        }
        return upperTailAS66((y - mean) / sd)
    }

    /// Normal quantile by Beasley–Springer (AS 111), the approximation Royston's coefficients
    /// were fitted with (about 7 significant digits); kept so W matches the reference exactly.
    static func normalQuantileAS111(_ p: Double) -> Double {
        let q = p - 0.5
        if abs(q) <= 0.42 {
            let r = q * q
            return q * (((-25.44106049637 * r + 41.39119773534) * r - 18.61500062529) * r + 2.50662823884)
                / ((((3.13082909833 * r - 21.06224101826) * r + 23.08336743743) * r - 8.47351093090) * r + 1)
        }
        var r = q > 0 ? 1 - p : p
        guard r > 0 else { return 0 }
        r = (-log(r)).squareRoot()
        let value = (((2.32121276858 * r + 4.85014127135) * r - 2.29796479134) * r - 2.78718931138)
            / ((1.63706781897 * r + 3.54388924762) * r + 1)
        return q < 0 ? -value : value
    }

    /// Upper normal tail P(Z > z) by Hill's AS 66, the routine Royston's p-value uses
    /// (absolute accuracy about 1e-9; `StandardNormal` is more exact but would differ slightly).
    static func upperTailAS66(_ z: Double) -> Double {
        var upper = true
        var x = z
        if !(x > 0) { upper = false; x = -x }
        guard x <= 7 || (upper && x <= 38) else { return upper ? 0 : 1 }
        let y = 0.5 * x * x
        let tail: Double
        if x <= 1.28 {
            tail = 0.5 - x * (0.398942280444 - 0.399903438504 * y
                / (y + 5.75885480458 - 29.8213557808 / (y + 2.62433121679 + 48.6959930692 / (y + 5.92885724438))))
        } else {
            tail = 0.398942280385 * exp(-y)
                / (x - 3.8052e-8 + 1.00000615302 / (x + 3.98064794e-4 + 1.98615381364 / (x - 0.151679116635 + 5.29330324926
                    / (x + 4.8385912808 - 15.1508972451 / (x + 0.742380924027 + 30.789933034 / (x + 3.99019417011))))))
        }
        return upper ? tail : 1 - tail
    }
}
