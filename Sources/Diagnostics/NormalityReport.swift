import Foundation

/// The three normality tests of one sample of residuals, as the diagnostics endpoint reports
/// them. A test the sample is too small for is left out (nil) rather than failing the others.
public struct NormalityReport: Sendable, Equatable {
    public let count: Int
    public let shapiroWilk: ShapiroWilkResult?
    public let andersonDarling: AndersonDarlingResult?
    public let dAgostinoPearson: DAgostinoPearsonResult?

    /// Throws only for non-finite values, fewer than 3 values, or a constant sample.
    public init(residuals: [Double]) throws {
        try DiagnosticsError.checkFinite(residuals)
        count = residuals.count
        shapiroWilk = try ShapiroWilk.test(residuals)
        andersonDarling = try AndersonDarling.test(residuals)
        dAgostinoPearson = residuals.count >= DAgostinoPearson.minimumCount ? try DAgostinoPearson.test(residuals) : nil
    }

    /// A JSONSerialization-ready object (numbers, booleans, nested objects; NaN as null).
    public var jsonObject: [String: Any] {
        func number(_ v: Double) -> Any { v.isFinite ? v : NSNull() }
        var result: [String: Any] = ["n": count]
        if let s = shapiroWilk {
            result["shapiro_wilk"] = ["statistic": number(s.statistic), "p_value": number(s.pValue),
                                      "p_value_may_be_inaccurate": s.pValueMayBeInaccurate]
        }
        if let a = andersonDarling {
            result["anderson_darling"] = ["statistic": number(a.statistic), "adjusted_statistic": number(a.adjustedStatistic),
                                          "p_value": number(a.pValue)]
        }
        if let d = dAgostinoPearson {
            result["dagostino_pearson"] = ["statistic": number(d.statistic), "p_value": number(d.pValue),
                                           "skewness_z": number(d.skewnessZ), "kurtosis_z": number(d.kurtosisZ)]
        }
        return result
    }
}

