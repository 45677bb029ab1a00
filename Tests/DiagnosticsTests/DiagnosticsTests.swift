import Diagnostics
import Foundation
import Testing

/// Normality tests and quantiles against the values scipy 1.17, statsmodels 0.15 and numpy 2.4
/// computed for seeded samples (Fixtures/normality.json, written by
/// tools/make-diagnostics-fixtures.py): sizes 3…5,000, normal and four non-normal shapes.
struct DiagnosticsTests {
    struct Case {
        let name: String
        let values: [Double]
        let object: [String: Any]
        func pair(_ test: String) -> (statistic: Double, pValue: Double)? {
            guard let t = object[test] as? [String: Any], let s = number(t["statistic"]), let p = number(t["p_value"])
            else { return nil }
            return (s, p)
        }
    }

    /// A fixture number; JSON cannot spell infinity, so the generator writes "inf" for it.
    static func number(_ value: Any?) -> Double? {
        if let d = value as? Double { return d }
        if let text = value as? String { return Double(text) }
        return nil
    }

    static func cases() throws -> [Case] {
        guard let url = Bundle.module.url(forResource: "normality", withExtension: "json", subdirectory: "Fixtures") else {
            throw DiagnosticsError.tooFewValues(test: "fixture Fixtures/normality.json (missing)", minimum: 1, count: 0)
        }
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
        let cases = (document?["cases"] as? [[String: Any]] ?? []).compactMap { object -> Case? in
            guard let name = object["name"] as? String, let values = object["values"] as? [Double] else { return nil }
            return Case(name: name, values: values, object: object)
        }
        return cases
    }

    /// |actual − expected| ≤ 1e-6 · max(1, |expected|).
    static func close(_ actual: Double, _ expected: Double, _ tolerance: Double = 1e-6) -> Bool {
        if !expected.isFinite { return actual == expected }
        return abs(actual - expected) <= tolerance * max(1, abs(expected))
    }

    @Test func fixturesArePresentAndComplete() throws {
        let cases = try Self.cases()
        #expect(cases.count == 52, "expected all 52 fixture cases, found \(cases.count)")
        #expect(cases.contains { $0.values.count == 5000 })
        #expect(cases.contains { $0.values.count == 3 })
    }

    @Test func shapiroWilkMatchesScipy() throws {
        var checked = 0
        for c in try Self.cases() {
            guard let expected = c.pair("shapiro_wilk") else { Issue.record("\(c.name): no Shapiro-Wilk reference"); continue }
            let result = try ShapiroWilk.test(c.values)
            #expect(Self.close(result.statistic, expected.statistic), "\(c.name): W \(result.statistic) vs \(expected.statistic)")
            #expect(Self.close(result.pValue, expected.pValue), "\(c.name): p \(result.pValue) vs \(expected.pValue)")
            checked += 1
        }
        #expect(checked == 52)
    }

    @Test func andersonDarlingMatchesStatsmodels() throws {
        for c in try Self.cases() {
            guard let expected = c.pair("anderson_darling") else { Issue.record("\(c.name): no Anderson-Darling reference"); continue }
            let result = try AndersonDarling.test(c.values)
            #expect(Self.close(result.statistic, expected.statistic), "\(c.name): A² \(result.statistic) vs \(expected.statistic)")
            #expect(Self.close(result.pValue, expected.pValue), "\(c.name): p \(result.pValue) vs \(expected.pValue)")
        }
    }

    @Test func dAgostinoPearsonMatchesScipy() throws {
        var checked = 0
        for c in try Self.cases() where c.values.count >= 8 {
            guard let expected = c.pair("dagostino_pearson"), let reference = c.object["dagostino_pearson"] as? [String: Any],
                  let skewZ = Self.number(reference["skewness_z"]), let kurtZ = Self.number(reference["kurtosis_z"])
            else { Issue.record("\(c.name): no normaltest reference"); continue }
            let result = try DAgostinoPearson.test(c.values)
            #expect(Self.close(result.statistic, expected.statistic), "\(c.name): K² \(result.statistic) vs \(expected.statistic)")
            #expect(Self.close(result.pValue, expected.pValue), "\(c.name): p \(result.pValue) vs \(expected.pValue)")
            #expect(Self.close(result.skewnessZ, skewZ), "\(c.name): Z(skew) \(result.skewnessZ) vs \(skewZ)")
            #expect(Self.close(result.kurtosisZ, kurtZ), "\(c.name): Z(kurt) \(result.kurtosisZ) vs \(kurtZ)")
            checked += 1
        }
        #expect(checked == 37)
    }

    @Test func quantilesMatchNumpyLinear() throws {
        for c in try Self.cases() {
            guard let q = c.object["quantiles"] as? [String: Any], let ps = q["probabilities"] as? [Double],
                  let expected = q["values"] as? [Double] else { Issue.record("\(c.name): no quantile reference"); continue }
            let actual = try EmpiricalQuantile.quantiles(c.values, ps)
            for (i, p) in ps.enumerated() {
                #expect(Self.close(actual[i], expected[i], 1e-9), "\(c.name): q(\(p)) \(actual[i]) vs \(expected[i])")
            }
        }
    }

    @Test func quantileByHand() throws {
        // h = (4 − 1)·0.5 = 1.5 → halfway between 2 and 10; h = 3·0.9 = 2.7 → 10 + 0.7·(20 − 10).
        #expect(try EmpiricalQuantile.quantile([10, 1, 20, 2], 0.5) == 6)
        #expect(abs(try EmpiricalQuantile.quantile([10, 1, 20, 2], 0.9) - 17) < 1e-12)
        #expect(try EmpiricalQuantile.quantile([10, 1, 20, 2], 1) == 20)
        #expect(try EmpiricalQuantile.quantile([7], 0.3) == 7)
    }

    @Test func residualIntervalUsesThe5And95PercentQuantiles() throws {
        let residuals = (0...100).map { Double($0) - 50 }   // −50 … 50, q(0.05) = −45, q(0.95) = 45
        let band = try ResidualInterval(residuals: residuals, coverage: 0.9)
        #expect(abs(band.lowerOffset + 45) < 1e-12 && abs(band.upperOffset - 45) < 1e-12)
        let (lo, hi) = band.interval(around: 100)
        #expect(abs(lo - 55) < 1e-12 && abs(hi - 145) < 1e-12)
    }

    @Test func normalDataPassAndSkewedDataFail() throws {
        let cases = try Self.cases()
        let normal = try #require(cases.first { $0.name == "normal-1000" })
        let skewed = try #require(cases.first { $0.name == "exponential-1000" })
        let good = try NormalityReport(residuals: normal.values)
        let bad = try NormalityReport(residuals: skewed.values)
        #expect((good.shapiroWilk?.pValue ?? 0) > 0.01 && (good.dAgostinoPearson?.pValue ?? 0) > 0.01)
        #expect((bad.shapiroWilk?.pValue ?? 1) < 1e-6 && (bad.andersonDarling?.pValue ?? 1) < 1e-6)
        #expect((bad.dAgostinoPearson?.pValue ?? 1) < 1e-6)
    }

    @Test func jsonKeepsEveryDigit() throws {
        let values = try #require(try Self.cases().first { $0.name == "normal-200" }).values
        let report = try NormalityReport(residuals: values)
        let interval = try ResidualInterval(residuals: values)
        let text = report.json(interval: interval)
        let back = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        // Foundation's reader on Linux is itself lossy, so the digits are checked in the text:
        // each number is written as the shortest decimal that reads back to the same Double.
        let w = try #require(report.shapiroWilk), a = try #require(report.andersonDarling)
        for (key, value) in [("\"shapiro_wilk\":", w.pValue), ("\"shapiro_wilk\":", w.statistic), ("\"anderson_darling\":", a.statistic),
                             ("\"interval\":", interval.upperOffset)] {
            let member = try #require(text.range(of: key)).upperBound
            let spelled = "\(value)"
            #expect(text[member...].contains(spelled) && Double(spelled) == value, "\(key) \(spelled) missing in \(text)")
        }
        #expect(back["shapiro_wilk"] is [String: Any] && back["interval"] is [String: Any])
        #expect(back["n"] as? Int == 200)
        let small = try NormalityReport(residuals: [0.1, -0.4, 0.3, 0.9, -1.2, 0.05, 0.6])
        #expect(small.json().contains("\"dagostino_pearson\":null"))
    }

    @Test func badInputIsNamed() throws {
        #expect(throws: DiagnosticsError.tooFewValues(test: "Shapiro-Wilk", minimum: 3, count: 2)) { try ShapiroWilk.test([1, 2]) }
        #expect(throws: DiagnosticsError.nonFiniteValue(index: 2)) { try AndersonDarling.test([1, 2, .nan, 4]) }
        #expect(throws: DiagnosticsError.zeroRange(test: "Shapiro-Wilk")) { try ShapiroWilk.test([5, 5, 5, 5]) }
        #expect(throws: DiagnosticsError.tooFewValues(test: "D'Agostino-Pearson", minimum: 8, count: 7)) {
            try DAgostinoPearson.test([1, 2, 3, 4, 5, 6, 8])
        }
        #expect(throws: DiagnosticsError.probabilityOutOfRange(1.5)) { try EmpiricalQuantile.quantile([1, 2], 1.5) }
        // Seven values: the report leaves the D'Agostino-Pearson test out instead of failing.
        let small = try NormalityReport(residuals: [0.1, -0.4, 0.3, 0.9, -1.2, 0.05, 0.6])
        #expect(small.dAgostinoPearson == nil && small.shapiroWilk != nil)
    }
}
