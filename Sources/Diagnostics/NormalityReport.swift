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

    /// The report as compact JSON with sorted keys, every number in its shortest exact decimal
    /// form (Foundation's JSONSerialization drops the last digits on Linux), NaN and infinities
    /// as null, and the D'Agostino-Pearson member null below 8 values. `interval` adds an
    /// "interval" member. The CLI prints this; services can embed or re-parse it.
    public func json(interval: ResidualInterval? = nil) -> String {
        var members: [(String, String)] = [("n", String(count))]
        if let s = shapiroWilk {
            members.append(("shapiro_wilk", JSONText.object([("p_value", JSONText.number(s.pValue)),
                                                             ("p_value_may_be_inaccurate", String(s.pValueMayBeInaccurate)),
                                                             ("statistic", JSONText.number(s.statistic))])))
        }
        if let a = andersonDarling {
            members.append(("anderson_darling", JSONText.object([("adjusted_statistic", JSONText.number(a.adjustedStatistic)),
                                                                 ("p_value", JSONText.number(a.pValue)),
                                                                 ("statistic", JSONText.number(a.statistic))])))
        }
        members.append(("dagostino_pearson", dAgostinoPearson.map { d in
            JSONText.object([("kurtosis_z", JSONText.number(d.kurtosisZ)), ("p_value", JSONText.number(d.pValue)),
                             ("skewness_z", JSONText.number(d.skewnessZ)), ("statistic", JSONText.number(d.statistic))])
        } ?? "null"))
        if let interval {
            members.append(("interval", JSONText.object([("coverage", JSONText.number(interval.coverage)),
                                                         ("lower_offset", JSONText.number(interval.lowerOffset)),
                                                         ("upper_offset", JSONText.number(interval.upperOffset))])))
        }
        return JSONText.object(members)
    }
}

/// The few JSON spellings the report needs (keys are fixed ASCII names, so no escaping).
enum JSONText {
    /// Swift prints the shortest decimal that reads back as the same Double.
    static func number(_ v: Double) -> String { v.isFinite ? "\(v)" : "null" }

    static func object(_ members: [(String, String)]) -> String {
        "{" + members.sorted { $0.0 < $1.0 }.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }
}
