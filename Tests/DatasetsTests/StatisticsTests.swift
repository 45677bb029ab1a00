import Datasets
import Primitives
import Testing

struct StatisticsTests {
    @Test func welfordMatchesTwoPassOnRandomData() {
        var g = SeededGenerator(seed: 0x5747)
        for trial in 0..<20 {
            let n = Int.random(in: 1...5_000, using: &g)
            let scale = Double.random(in: 0.001...1_000, using: &g)
            let xs = (0..<n).map { _ in Double.random(in: -1...1, using: &g) * scale }
            var w = WelfordAccumulator()
            xs.forEach { w.add($0) }
            let (mean, variance) = twoPass(xs)
            #expect(relativeError(w.mean, mean) < 1e-9 || abs(w.mean - mean) < 1e-12 * scale, "trial \(trial)")
            #expect(relativeError(w.populationVariance, variance) < 1e-9, "trial \(trial)")
            #expect(w.minimum == xs.min() && w.maximum == xs.max() && w.count == UInt64(n))
        }
    }

    @Test func welfordStaysAccurateOnALargeOffset() {
        // 1e9 + noise of about 1e-3: the sum-of-squares shortcut loses every significant digit.
        var g = SeededGenerator(seed: 0x1E9)
        let xs = (0..<100_000).map { _ in 1e9 + Double.random(in: 0..<1e-3, using: &g) }
        var w = WelfordAccumulator()
        xs.forEach { w.add($0) }
        let (mean, variance) = twoPass(xs)
        #expect(relativeError(w.mean, mean) < 1e-15)
        #expect(relativeError(w.populationVariance, variance) < 1e-10, "welford \(w.populationVariance) vs two-pass \(variance)")
        let naive = xs.reduce(0) { $0 + $1 * $1 } / Double(xs.count) - (xs.reduce(0, +) / Double(xs.count)) * (xs.reduce(0, +) / Double(xs.count))
        #expect(relativeError(naive, variance) > 1, "the naive formula should fail here, which makes this test meaningful")
    }

    @Test func fixedPointRoundsExactlyToNearestEven() throws {
        let e18 = FixedPoint.defaultScale
        #expect(try FixedPoint.encode(1.5, scale: e18).decimalString == "1500000000000000000")
        #expect(try FixedPoint.encode(-2.25, scale: e18) == UInt256(2_250_000_000_000_000_000).negated)
        // 0.1 is 0.1000000000000000055511151231257827... in binary: x 1e18 = 100000000000000005.55 -> ...06.
        #expect(try FixedPoint.encode(0.1, scale: e18).decimalString == "100000000000000006")
        // 1e9 + 2^-23 keeps its low bits: 1000000000.00000011920928955078125 x 1e18 = ...289550.78125 -> ...289551.
        #expect(try FixedPoint.encode(1e9 + 0x1p-23, scale: e18).decimalString == "1000000000000000119209289551")
        // Ties go to even.
        for (value, expected) in [(0.5, 0), (1.5, 2), (2.5, 2), (3.5, 4), (-2.5, -2), (-0.5, 0)] as [(Double, Int64)] {
            #expect(try FixedPoint.encode(value, scale: .one) == (expected < 0 ? UInt256(UInt64(-expected)).negated : UInt256(UInt64(expected))), "\(value)")
        }
        #expect(try FixedPoint.encode(Double.leastNonzeroMagnitude, scale: e18) == .zero)
        #expect(FixedPoint.decode(try FixedPoint.encode(-1234.5678, scale: e18), scale: e18) == -1234.5678)
        #expect(throws: DatasetError.fixedPointOverflow(value: 1e60)) { try FixedPoint.encode(1e60, scale: e18) }
        #expect(throws: DatasetError.self) { try FixedPoint.encode(.nan, scale: e18) }
        #expect(throws: DatasetError.self) { try FixedPoint.encode(-.infinity, scale: e18) }
        let big = try FixedPoint.encode(1e58, scale: e18)
        #expect(!big.isNegative && relativeError(FixedPoint.decode(big, scale: e18), 1e58) < 1e-15)
    }
}
