import ArgumentParser
import Diagnostics
import Foundation
import Primitives

/// `mledger diagnostics`: normality tests and the 90 % residual interval of a residual sample.
struct DiagnosticsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diagnostics",
        abstract: "Shapiro-Wilk, Anderson-Darling and D'Agostino-Pearson tests of residuals, and their empirical 90% interval.")

    @Option(help: "JSON file with {\"residuals\": [numbers]} or a bare array of numbers; - for standard input.")
    var residuals: String

    @Option(help: "Coverage of the residual interval (default 0.9).")
    var coverage: Double = 0.9

    func run() throws {
        let document = try CLIJSON.document(residuals)
        guard let items = document["residuals"]?.arrayValue ?? document.arrayValue else {
            throw CommandFailure("\(residuals) must hold {\"residuals\": [numbers]} or an array of numbers")
        }
        let values = try CLIJSON.numbers(items, name: "residuals")
        let report: NormalityReport
        let interval: ResidualInterval
        do {
            report = try NormalityReport(residuals: values)
            interval = try ResidualInterval(residuals: values, coverage: coverage)
        } catch let error as DiagnosticsError {
            throw CommandFailure(error.description)
        }
        var out: [String: JSONValue] = ["n": .int(report.count)]
        if let s = report.shapiroWilk {
            out["shapiro_wilk"] = .object(["statistic": .double(s.statistic), "p_value": .double(s.pValue),
                                           "p_value_may_be_inaccurate": .bool(s.pValueMayBeInaccurate)])
        }
        if let a = report.andersonDarling {
            out["anderson_darling"] = .object(["statistic": .double(a.statistic), "adjusted_statistic": .double(a.adjustedStatistic),
                                               "p_value": .double(a.pValue)])
        }
        out["dagostino_pearson"] = report.dAgostinoPearson.map { d in
            .object(["statistic": .double(d.statistic), "p_value": .double(d.pValue),
                     "skewness_z": .double(d.skewnessZ), "kurtosis_z": .double(d.kurtosisZ)])
        } ?? .null
        out["interval"] = .object(["coverage": .double(coverage), "lower_offset": .double(interval.lowerOffset),
                                   "upper_offset": .double(interval.upperOffset)])
        print(JSONValue.object(out).canonicalString)
    }
}
