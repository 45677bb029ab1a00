import ArgumentParser
import Foundation
import OnlineLearning
import Plot
import Primitives

/// `mledger ol …`: operator tools for online-learning services.
struct OnlineLearningCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ol",
        abstract: "Online-learning services: reports from a node's data directory.",
        subcommands: [OnlineReportCommand.self])
}

/// `mledger ol report`: the serving snapshot on its validation windows — MSE on scaled data,
/// normality p-values of the residuals, the 90 % interval — and a PNG of actual vs forecast.
/// Reads the service's files only, so it runs beside a live node.
struct OnlineReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Evaluate a service's serving snapshot on its held-out validation windows and draw actual vs forecast with the 90% band.")

    @Option(help: "The node's data directory.")
    var datadir: String

    @Option(help: "The service's name.")
    var name: String

    @Option(help: "PNG file to write (actual vs forecast with the 90% band).")
    var out: String

    @Option(help: "Hours of the validation period drawn, the most recent ones.")
    var hours: Int = 168

    @Flag(help: "Print the figures as JSON instead of text.")
    var json = false

    func run() throws {
        let report: OnlineReport
        do {
            report = try OnlineReport.make(dataDirectory: URL(fileURLWithPath: datadir), name: name, hours: hours)
        } catch let error as OnlineLearningError {
            throw CommandFailure(error.message)
        }
        let series = ForecastSeries(
            labels: report.points.map { Self.label($0.hour) }, actual: report.points.map(\.actual),
            forecast: report.points.map(\.forecast), lower: report.points.map(\.lower), upper: report.points.map(\.upper))
        let chart: ForecastChart
        do {
            chart = try ForecastChart(series: series, title: "\(name): validation forecasts vs actual (MSE \(Self.short(report.validationMSE)) scaled)",
                                      yAxisLabel: "W", width: 1200, height: 460)
        } catch let error as PlotError {
            throw CommandFailure(error.description)
        }
        try PlotCommand.writeAtomically(chart.png(), to: out)
        if json {
            print(report.json.canonicalString)
            return
        }
        let p = report.normality
        print("service \(name), serving snapshot \(report.snapshot.contractAddress) (step \(report.snapshot.step))")
        print("validation windows: \(report.validationWindows) (\(Self.label(report.snapshot.firstHour)) … \(Self.label(report.snapshot.lastHour)) buffered)")
        print("validation MSE (scaled): \(report.validationMSE) (recorded at the snapshot: \(report.snapshot.validationMSE))")
        print("normality p-values of the residuals: Shapiro-Wilk \(p.shapiroWilk.map { "\($0.pValue)" } ?? "n/a"), "
              + "Anderson-Darling \(p.andersonDarling.map { "\($0.pValue)" } ?? "n/a"), "
              + "D'Agostino-Pearson \(p.dAgostinoPearson.map { "\($0.pValue)" } ?? "n/a")")
        print("90% interval of the residuals: [\(report.interval.lowerOffset), \(report.interval.upperOffset)] W; "
              + "validation targets inside their forecast's band: \(Self.short(report.bandCoverage * 100)) %")
        print("chart: \(out) (\(report.points.count) hours)")
    }

    static func label(_ hour: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: Date(timeIntervalSince1970: Double(hour) * 3600))
    }

    static func short(_ value: Double) -> String { String(format: "%.4g", value) }
}
