/// Streaming CSV reader for numeric tables: a header row of column names, then one sample per
/// line with one number per column. Lines end in LF or CRLF; blank lines are skipped; quoting is
/// not supported (a quoted field is reported as not a number). Values go straight into one
/// Welford accumulator per column; only the current partial line is buffered (at most 1 MiB).
struct CSVStatisticsParser {
    static let maxLineLength = 1 << 20

    private(set) var columns: [String] = []
    private(set) var accumulators: [WelfordAccumulator] = []
    private(set) var rows: UInt64 = 0
    private var line = 0
    private var partial: [UInt8] = []
    private var fields: [Double] = []

    mutating func consume(_ bytes: UnsafeRawBufferPointer) throws(DatasetError) {
        var start = 0
        let newline = UInt8(ascii: "\n")
        for i in 0..<bytes.count where bytes[i] == newline {
            if partial.isEmpty {
                try handle(UnsafeRawBufferPointer(rebasing: bytes[start..<i]))
            } else {
                partial.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<i]))
                let whole = partial
                partial.removeAll(keepingCapacity: true)
                try withBytes(whole) { (b: UnsafeRawBufferPointer) throws(DatasetError) in try handle(b) }
            }
            start = i + 1
        }
        if start < bytes.count {
            partial.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start...]))
            guard partial.count <= Self.maxLineLength else { throw .lineTooLong(line: line + 1) }
        }
    }

    /// Handles a final line without a newline and checks a header was seen.
    mutating func finish() throws(DatasetError) {
        if !partial.isEmpty {
            let whole = partial
            partial.removeAll()
            try withBytes(whole) { (b: UnsafeRawBufferPointer) throws(DatasetError) in try handle(b) }
        }
        guard !columns.isEmpty else { throw .emptyHeader }
    }

    private mutating func handle(_ raw: UnsafeRawBufferPointer) throws(DatasetError) {
        line += 1
        var text = raw
        if let last = text.last, last == UInt8(ascii: "\r") { text = UnsafeRawBufferPointer(rebasing: text.dropLast()) }
        let cells = Self.split(text)
        if cells.count == 1 && cells[0].isEmpty { return }  // blank line
        if columns.isEmpty {
            guard cells.allSatisfy({ !$0.isEmpty }) else { throw .emptyHeader }
            columns = cells
            accumulators = Array(repeating: WelfordAccumulator(), count: cells.count)
            return
        }
        guard cells.count == columns.count else {
            throw .malformedRow(line: line, reason: "\(cells.count) fields, the header has \(columns.count)")
        }
        fields.removeAll(keepingCapacity: true)
        for (index, cell) in cells.enumerated() {
            guard let value = Double(cell) else {
                throw .malformedRow(line: line, reason: "column \(index + 1) (\(columns[index])): \(cell.debugDescription) is not a number")
            }
            guard value.isFinite else { throw .nonFiniteValue(location: "line \(line), column \(index + 1)") }
            fields.append(value)
        }
        // Only a fully valid row counts, so statistics never include half a row.
        for (index, value) in fields.enumerated() { accumulators[index].add(value) }
        rows += 1
    }

    /// Comma-separated cells with surrounding spaces and tabs trimmed.
    private static func split(_ text: UnsafeRawBufferPointer) -> [String] {
        var cells: [String] = []
        var start = 0
        for i in 0...text.count where i == text.count || text[i] == UInt8(ascii: ",") {
            var a = start, b = i
            while a < b, text[a] == 0x20 || text[a] == 0x09 { a += 1 }
            while b > a, text[b - 1] == 0x20 || text[b - 1] == 0x09 { b -= 1 }
            cells.append(String(decoding: UnsafeRawBufferPointer(rebasing: text[a..<b]), as: UTF8.self))
            start = i + 1
        }
        return cells
    }
}
