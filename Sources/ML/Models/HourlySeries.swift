import Foundation

/// Reading an hourly series from CSV and cutting it into forecasting windows.
public enum HourlySeries {
    /// Parses CSV text. A first line that is not numeric is a header; with several columns the
    /// header must name `column` (or, when `column` is nil, exactly one column may be numeric).
    /// Any row that is malformed is rejected with its line number.
    public static func parseCSV(_ text: String, column: String? = nil) throws -> [Float] {
        // "\r\n" is one Character in Swift, so it is a separator of its own.
        var lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
        while let last = lines.last, last.trimmingCharacters(in: .whitespaces).isEmpty { lines.removeLast() }
        guard !lines.isEmpty else { throw MLError.invalidInput("CSV is empty") }
        func fields(_ line: Substring) -> [String] {
            line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        }
        let first = fields(lines[0])
        let hasHeader = first.contains { Float($0) == nil }
        var columnIndex = 0
        if hasHeader {
            if let column {
                guard let i = first.firstIndex(of: column) else {
                    throw MLError.invalidInput("CSV header has no column '\(column)' (columns: \(first.joined(separator: ", ")))")
                }
                columnIndex = i
            } else if first.count > 1 {
                // Pick the single column whose second line is numeric.
                let sample = lines.count > 1 ? fields(lines[1]) : []
                let numeric = sample.indices.filter { Float(sample[$0]) != nil }
                guard numeric.count == 1 else {
                    throw MLError.invalidInput("CSV has \(first.count) columns; choose one with --column (columns: \(first.joined(separator: ", ")))")
                }
                columnIndex = numeric[0]
            }
        } else if first.count > 1 {
            guard column == nil else { throw MLError.invalidInput("CSV has no header line, so column '\(column!)' cannot be found") }
            throw MLError.invalidInput("CSV has \(first.count) columns and no header; expected one column of values")
        }
        let width = first.count
        var values = [Float]()
        values.reserveCapacity(lines.count)
        for (index, line) in lines.enumerated() where !(hasHeader && index == 0) {
            let row = fields(line)
            guard row.count == width else {
                throw MLError.invalidInput("CSV line \(index + 1): expected \(width) field\(width == 1 ? "" : "s"), found \(row.count)")
            }
            guard let v = Float(row[columnIndex]), v.isFinite else {
                throw MLError.invalidInput("CSV line \(index + 1): '\(row[columnIndex])' is not a finite number")
            }
            values.append(v)
        }
        return values
    }

    /// Reads and parses a CSV file.
    public static func readCSV(at url: URL, column: String? = nil) throws -> [Float] {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw MLError.invalidInput("cannot read \(url.path): \(error.localizedDescription)") }
        guard let text = String(data: data, encoding: .utf8) else { throw MLError.invalidInput("\(url.path) is not UTF-8 text") }
        return try parseCSV(text, column: column)
    }

    /// Every window of `window` inputs followed by `horizon` targets, in chronological order:
    /// inputs `[count, window, 1]`, targets `[count, horizon]`.
    public static func windows(_ series: [Float], window: Int, horizon: Int) throws -> SupervisedDataset {
        let count = series.count - window - horizon + 1
        guard count >= 1 else {
            throw MLError.invalidInput("series of \(series.count) values is shorter than one window of \(window) + \(horizon)")
        }
        var inputs = [Float](repeating: 0, count: count * window)
        var targets = [Float](repeating: 0, count: count * horizon)
        for i in 0..<count {
            for j in 0..<window { inputs[i * window + j] = series[i + j] }
            for j in 0..<horizon { targets[i * horizon + j] = series[i + window + j] }
        }
        return try SupervisedDataset(inputs: Tensor(shape: [count, window, 1], scalars: inputs),
                                     targets: Tensor(shape: [count, horizon], scalars: targets))
    }
}
