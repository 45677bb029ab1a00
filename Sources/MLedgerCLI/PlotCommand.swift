import ArgumentParser
import Foundation
import Plot

/// `mledger plot`: a PNG of actual vs forecast with the prediction band, from a CSV file.
struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Draw actual vs forecast with a shaded 90% band as PNG from a CSV with columns time, actual, forecast, lower, upper.")

    @Option(help: "CSV with a header naming the columns time, actual, forecast, lower, upper (any order; empty cells are gaps).")
    var csv: String

    @Option(help: "PNG file to write.")
    var out: String

    @Option(help: "Chart title.")
    var title: String = "Forecast vs actual"

    @Option(help: "Label above the y axis (e.g. the unit).")
    var yLabel: String = ""

    @Option(help: "Image width in pixels.")
    var width: Int = 960

    @Option(help: "Image height in pixels.")
    var height: Int = 420

    func run() throws {
        let series = try Self.readSeries(csv)
        let chart: ForecastChart
        do {
            chart = try ForecastChart(series: series, title: title, yAxisLabel: yLabel, width: width, height: height)
        } catch let error as PlotError {
            throw CommandFailure(error.description)
        }
        let png = chart.png()
        try Self.writeAtomically(png, to: out)
        let l = chart.layout
        print("{\"bytes\":\(png.count),\"height\":\(l.height),\"plot\":{\"height\":\(l.plotHeight),\"left\":\(l.plotLeft),"
              + "\"top\":\(l.plotTop),\"width\":\(l.plotWidth)},\"points\":\(l.pointCount),\"width\":\(l.width),"
              + "\"y_max\":\(l.yMaximum),\"y_min\":\(l.yMinimum)}")
    }

    /// Write-then-rename so a reader never sees half a file.
    static func writeAtomically(_ png: [UInt8], to out: String) throws {
        let target = URL(fileURLWithPath: out)
        let temporary = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).\(getpid()).tmp")
        do {
            try Data(png).write(to: temporary)
            guard rename(temporary.path, target.path) == 0 else { throw CommandFailure(String(cString: strerror(errno))) }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw CommandFailure("cannot write \(out): \(error.localizedDescription)")
        }
    }

    static func readSeries(_ path: String) throws -> ForecastSeries {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw CommandFailure("cannot read \(path)") }
        var lines = text.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        guard !lines.isEmpty else { throw CommandFailure("\(path) is empty") }
        let header = lines.removeFirst().split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        var index = [String: Int]()
        for name in ["time", "actual", "forecast", "lower", "upper"] {
            guard let i = header.firstIndex(of: name) else { throw CommandFailure("\(path): header has no column '\(name)'") }
            index[name] = i
        }
        var series = ForecastSeries(labels: [], actual: [], forecast: [], lower: [], upper: [])
        for (n, line) in lines.enumerated() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == header.count else {
                throw CommandFailure("\(path) line \(n + 2): \(cells.count) cells, the header has \(header.count)")
            }
            func number(_ column: String) throws -> Double? {
                let cell = cells[index[column]!]
                if cell.isEmpty { return nil }
                guard let v = Double(cell), v.isFinite else {
                    throw CommandFailure("\(path) line \(n + 2): \(column) '\(cell)' is not a finite number")
                }
                return v
            }
            series.labels.append(cells[index["time"]!])
            series.actual.append(try number("actual"))
            series.forecast.append(try number("forecast"))
            series.lower.append(try number("lower"))
            series.upper.append(try number("upper"))
        }
        return series
    }
}
