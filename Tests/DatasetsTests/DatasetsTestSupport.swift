import LedgerCrypto
import Datasets
import Foundation
import MLedgerTesting
import Primitives

/// The shared seeded generator, under the name this target's tests use.
typealias SeededGenerator = SplitMix64

/// The commitment computed the slow, obvious way: all leaves, then level by level with the
/// odd node promoted. The streaming implementation must agree with it.
func referenceMerkleRoot(_ data: [UInt8], chunkSize: Int) -> Hash32 {
    var level: [Hash32] = []
    var i = 0
    repeat {
        level.append(Keccak256.hash(Array(data[i..<min(i + chunkSize, data.count)])))
        i += chunkSize
    } while i < data.count
    while level.count > 1 {
        var next: [Hash32] = []
        var j = 0
        while j + 1 < level.count {
            next.append(Keccak256.hash(level[j].bytes + level[j + 1].bytes))
            j += 2
        }
        if j < level.count { next.append(level[j]) }
        level = next
    }
    return level[0]
}

/// Mean and population variance by two passes in Double, the accurate reference. Values are
/// shifted by the first one before summing: a plain running sum of 1e5 values near 1e9 rounds
/// away every noise term below ulp(1e14) = 0.016, which would make the reference itself wrong.
func twoPass(_ xs: [Double]) -> (mean: Double, variance: Double) {
    let shift = xs[0]
    let meanOfShifted = xs.reduce(0) { $0 + ($1 - shift) } / Double(xs.count)
    let variance = xs.reduce(0) { $0 + ($1 - shift - meanOfShifted) * ($1 - shift - meanOfShifted) } / Double(xs.count)
    return (shift + meanOfShifted, variance)
}

/// Scans in-memory bytes, feeding them in blocks of `blockSize` to exercise boundary handling.
func scanBytes(_ bytes: [UInt8], format: DatasetFormat, blockSize: Int, chunkSize: Int = 64 * 1024) throws -> DatasetSummary {
    var scan = DatasetScan(format: format, chunkSize: chunkSize)
    var i = 0
    while i < bytes.count {
        try scan.consume(Array(bytes[i..<min(i + blockSize, bytes.count)]))
        i += blockSize
    }
    return try scan.finish()
}

func relativeError(_ a: Double, _ b: Double) -> Double {
    b == 0 ? abs(a) : abs(a - b) / abs(b)
}

/// NPY version 1 bytes for a little-endian array (header padded to 64 bytes as numpy does).
func npyBytes(descr: String, shape: [Int], payload: [UInt8], fortran: Bool = false) -> [UInt8] {
    let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    var header = "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(shapeText), }"
    let total = 10 + header.utf8.count + 1
    header += String(repeating: " ", count: (64 - total % 64) % 64) + "\n"
    let length = header.utf8.count
    return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xff), UInt8(length >> 8)] + Array(header.utf8) + payload
}

func littleEndianBytes<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
    values.flatMap { v in withUnsafeBytes(of: v.littleEndian) { Array($0) } }
}

func float32Bytes(_ values: [Float]) -> [UInt8] { littleEndianBytes(values.map(\.bitPattern)) }
func float64Bytes(_ values: [Double]) -> [UInt8] { littleEndianBytes(values.map(\.bitPattern)) }

enum ExternalPython {
    static var path: String? {
        guard let p = ProcessInfo.processInfo.environment["MLEDGER_PYTHON"], FileManager.default.isExecutableFile(atPath: p) else { return nil }
        return p
    }

    static func run(_ arguments: [String]) throws -> (status: Int32, out: String) {
        guard let python = path else { return (-1, "") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
