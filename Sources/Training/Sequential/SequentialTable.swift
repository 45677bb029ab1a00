import Foundation
import ML

/// A dataset file as a table of Float columns, whatever its format: CSV (a header line names
/// the columns), NumPy `.npy` (a 1-D or 2-D C-order array of f4/f8/i4/i8/u1) or safetensors
/// (one F32 tensor, or the one named `data`, 1-D or 2-D). Columns are found by header name (CSV)
/// or by index (any format). The format is recognised by content: the `.npy` magic, a
/// safetensors length prefix followed by `{`, otherwise CSV text.
public struct SequentialTable: Sendable {
    public let names: [String]?
    public let rowCount: Int
    public let columnCount: Int
    /// Row-major values.
    public let values: [Float]

    public init(bytes: [UInt8]) throws(TrainingRunFailure) {
        if bytes.starts(with: [0x93] + Array("NUMPY".utf8)) {
            (rowCount, columnCount, values) = try Self.npy(bytes)
            names = nil
        } else if bytes.count >= 9, bytes[8] == UInt8(ascii: "{"), Self.littleEndian(bytes, 0, 8) <= UInt64(bytes.count - 8) {
            (rowCount, columnCount, values) = try Self.safetensors(bytes)
            names = nil
        } else {
            (names, rowCount, columnCount, values) = try Self.csv(bytes)
        }
        guard rowCount > 0, columnCount > 0 else { throw TrainingRunFailure("dataset: the table is empty") }
    }

    /// The index of `column` in this table.
    public func index(of column: SequentialColumn, field: String) throws(TrainingRunFailure) -> Int {
        switch column {
        case .index(let i):
            guard i < columnCount else { throw TrainingRunFailure("\(field): column #\(i) does not exist (the dataset has \(columnCount) columns)") }
            return i
        case .name(let name):
            guard let names else { throw TrainingRunFailure("\(field): column \"\(name)\" cannot be found by name: the dataset has no header; use indices") }
            guard let i = names.firstIndex(of: name) else {
                throw TrainingRunFailure("\(field): the dataset has no column \"\(name)\" (columns: \(names.joined(separator: ", ")))")
            }
            return i
        }
    }

    /// Samples as `layout` declares them; class-index targets become one-hot rows for
    /// cross-entropy (`classes` > 0).
    public func samples(_ layout: SequentialDataLayout, classes: Int) throws(TrainingRunFailure) -> SupervisedDataset {
        let inputColumns: [Int], targetColumns: [Int], window: Int, horizon: Int
        switch layout {
        case .tabular(let features, let targets):
            inputColumns = try features.map { c throws(TrainingRunFailure) in try index(of: c, field: "data.features") }
            targetColumns = try targets.map { c throws(TrainingRunFailure) in try index(of: c, field: "data.targets") }
            (window, horizon) = (1, 0)
        case .windowed(let inputs, let targets, let w, let h):
            inputColumns = try inputs.map { c throws(TrainingRunFailure) in try index(of: c, field: "data.inputs") }
            targetColumns = try targets.map { c throws(TrainingRunFailure) in try index(of: c, field: "data.targets") }
            (window, horizon) = (w, h)
        }
        let windowed = horizon > 0
        // A tabular sample reads its targets from its own row; a window from the rows after it.
        let count = windowed ? rowCount - window - horizon + 1 : rowCount
        guard count >= 1 else {
            throw TrainingRunFailure("data.window: \(rowCount) rows are too few for windows of \(window) with horizon \(horizon)")
        }
        func value(_ row: Int, _ column: Int) -> Float { values[row * columnCount + column] }
        var inputs = [Float](), targets = [Float]()
        inputs.reserveCapacity(count * window * inputColumns.count)
        let targetRows = windowed ? horizon : 1
        for sample in 0..<count {
            for row in sample..<(sample + window) { for c in inputColumns { inputs.append(value(row, c)) } }
            let first = windowed ? sample + window : sample
            for row in first..<(first + targetRows) {
                for c in targetColumns {
                    let v = value(row, c)
                    guard classes > 0 else { targets.append(v); continue }
                    guard v >= 0, v < Float(classes), v.rounded() == v else {
                        throw TrainingRunFailure("data.targets: row \(row + 1) holds \(v), not a class index in 0…\(classes - 1)")
                    }
                    for k in 0..<classes { targets.append(k == Int(v) ? 1 : 0) }
                }
            }
        }
        let inputShape = windowed ? [count, window, inputColumns.count] : [count, inputColumns.count]
        let targetWidth = classes > 0 ? classes : targetRows * targetColumns.count
        do {
            return try SupervisedDataset(inputs: Tensor(shape: inputShape, scalars: inputs), targets: Tensor(shape: [count, targetWidth], scalars: targets))
        } catch { throw TrainingRunFailure("dataset: \(error)") }
    }

    // MARK: Formats

    private static func csv(_ bytes: [UInt8]) throws(TrainingRunFailure) -> ([String]?, Int, Int, [Float]) {
        guard let text = String(bytes: bytes, encoding: .utf8) else { throw TrainingRunFailure("dataset is neither .npy, safetensors nor UTF-8 CSV text") }
        var lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
        while let last = lines.last, last.trimmingCharacters(in: .whitespaces).isEmpty { lines.removeLast() }
        guard !lines.isEmpty else { throw TrainingRunFailure("dataset: CSV is empty") }
        func fields(_ line: Substring) -> [String] {
            line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        }
        let first = fields(lines[0])
        let header = first.contains { Float($0) == nil } ? first : nil
        var values: [Float] = []
        values.reserveCapacity(lines.count * first.count)
        for (index, line) in lines.enumerated() where !(header != nil && index == 0) {
            let row = fields(line)
            guard row.count == first.count else {
                throw TrainingRunFailure("dataset: CSV line \(index + 1) has \(row.count) fields, expected \(first.count)")
            }
            for field in row {
                guard let v = Float(field), v.isFinite else { throw TrainingRunFailure("dataset: CSV line \(index + 1): '\(field)' is not a finite number") }
                values.append(v)
            }
        }
        return (header, values.count / first.count, first.count, values)
    }

    private static func littleEndian(_ bytes: [UInt8], _ start: Int, _ count: Int) -> UInt64 {
        (0..<count).reduce(UInt64(0)) { $0 | UInt64(bytes[start + $1]) << (8 * UInt64($1)) }
    }

    /// `.npy` versions 1–3: magic, version, header length, a Python dict literal with `descr`,
    /// `fortran_order` and `shape`, then the raw array.
    private static func npy(_ bytes: [UInt8]) throws(TrainingRunFailure) -> (Int, Int, [Float]) {
        guard bytes.count >= 10 else { throw TrainingRunFailure("dataset: .npy file is truncated") }
        let major = bytes[6]
        let lengthBytes = major == 1 ? 2 : 4
        guard major >= 1, major <= 3, bytes.count >= 8 + lengthBytes else { throw TrainingRunFailure("dataset: .npy version \(major) is not supported") }
        let headerLength = Int(littleEndian(bytes, 8, lengthBytes))
        let start = 8 + lengthBytes + headerLength
        guard start <= bytes.count, let header = String(bytes: bytes[(8 + lengthBytes)..<start], encoding: .utf8) else {
            throw TrainingRunFailure("dataset: .npy header is truncated")
        }
        func entry(_ key: String) -> Substring? {
            guard let range = header.range(of: "'\(key)':") else { return nil }
            return header[range.upperBound...].drop { $0 == " " }
        }
        guard let descrText = entry("descr"), descrText.first == "'", let close = descrText.dropFirst().firstIndex(of: "'") else {
            throw TrainingRunFailure("dataset: .npy header has no descr")
        }
        let descr = String(descrText[descrText.index(after: descrText.startIndex)..<close])
        guard entry("fortran_order")?.hasPrefix("False") == true else { throw TrainingRunFailure("dataset: .npy arrays must be in C order") }
        guard let shapeText = entry("shape"), shapeText.first == "(", let end = shapeText.firstIndex(of: ")") else {
            throw TrainingRunFailure("dataset: .npy header has no shape")
        }
        let shape = shapeText[shapeText.index(after: shapeText.startIndex)..<end].split(separator: ",").compactMap {
            Int($0.trimmingCharacters(in: .whitespaces))
        }
        guard (1...2).contains(shape.count), shape.allSatisfy({ $0 >= 0 && $0 < Int(Int32.max) }) else {
            throw TrainingRunFailure("dataset: .npy array must be 1-D or 2-D, found shape \(shape)")
        }
        let rows = shape[0], columns = shape.count == 2 ? shape[1] : 1
        let sizes = ["<f4": 4, "<f8": 8, "<i4": 4, "<i8": 8, "|u1": 1, "<u1": 1]
        guard let size = sizes[descr] else { throw TrainingRunFailure("dataset: .npy dtype \(descr) is not supported (little-endian f4, f8, i4, i8, u1)") }
        let (count, overflow) = rows.multipliedReportingOverflow(by: columns)
        guard !overflow, bytes.count - start == count * size else {
            throw TrainingRunFailure("dataset: .npy data has \(bytes.count - start) bytes, shape \(shape) of \(descr) needs \(count * size)")
        }
        var values = [Float](repeating: 0, count: count)
        for i in 0..<count {
            let raw = littleEndian(bytes, start + i * size, size)
            switch descr {
            case "<f4": values[i] = Float(bitPattern: UInt32(raw))
            case "<f8": values[i] = Float(Double(bitPattern: raw))
            case "<i4": values[i] = Float(Int32(bitPattern: UInt32(raw)))
            case "<i8": values[i] = Float(Int64(bitPattern: raw))
            default: values[i] = Float(raw)
            }
            guard values[i].isFinite else { throw TrainingRunFailure("dataset: .npy element \(i) is not a finite Float") }
        }
        return (rows, columns, values)
    }

    private static func safetensors(_ bytes: [UInt8]) throws(TrainingRunFailure) -> (Int, Int, [Float]) {
        let tensors: [String: Tensor]
        do { tensors = try SafeTensors.decode(Data(bytes)).tensors } catch { throw TrainingRunFailure("dataset: \(error)") }
        guard let tensor = tensors.count == 1 ? tensors.values.first : tensors["data"] else {
            throw TrainingRunFailure("dataset: safetensors file must hold one tensor or one named \"data\" (has \(tensors.keys.sorted().joined(separator: ", ")))")
        }
        guard (1...2).contains(tensor.rank) else { throw TrainingRunFailure("dataset: safetensors tensor must be 1-D or 2-D, found \(tensor.shape)") }
        guard tensor.scalars.allSatisfy(\.isFinite) else { throw TrainingRunFailure("dataset: safetensors tensor holds a non-finite value") }
        return (tensor.shape[0], tensor.rank == 2 ? tensor.shape[1] : 1, tensor.scalars)
    }
}
