/// Mean and central moments in double precision, summed left to right.
struct CentralMoments {
    let count: Int
    let mean: Double
    /// Biased (divide-by-n) central moments m2, m3, m4.
    let m2: Double, m3: Double, m4: Double

    init(_ values: [Double]) {
        count = values.count
        let n = Double(values.count)
        mean = values.reduce(0, +) / n
        var s2 = 0.0, s3 = 0.0, s4 = 0.0
        for v in values {
            let d = v - mean
            let d2 = d * d
            s2 += d2
            s3 += d2 * d
            s4 += d2 * d2
        }
        m2 = s2 / n
        m3 = s3 / n
        m4 = s4 / n
    }

    /// Sample standard deviation with n − 1 in the denominator.
    var sampleStandardDeviation: Double { (m2 * Double(count) / Double(count - 1)).squareRoot() }
}
