import ArgumentParser
import Diagnostics
import Foundation

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
        // One JSON shape for the CLI and the services: the library's own, with exact numbers.
        print(report.json(interval: interval))
    }
}
