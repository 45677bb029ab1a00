import Datasets
import Foundation
import Primitives
import Testing

struct ScanTests {
    static let sharedDatasets = ["/work/shared/datasets/pv-greensboro-hourly.csv", "/work/shared/datasets/pv-sandpoint-hourly.csv"]

    @Test(arguments: sharedDatasets)
    func sharedCSVMatchesIndependentComputation(path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            Issue.record("shared dataset \(path) is missing")
            return
        }
        let started = Date()
        let summary = try DatasetScanner.scan(path: path)
        let seconds = Date().timeIntervalSince(started)
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        // Independent parse: split the text, skip the header.
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let values = lines.dropFirst().filter { !$0.isEmpty }.compactMap(Double.init)
        #expect(summary.format == "csv")
        #expect(summary.featureNames == [lines[0]])
        #expect(summary.sampleCount == UInt64(values.count))
        #expect(summary.sampleCount == 8_760)
        #expect(summary.sampleShape == [1])
        #expect(summary.sizeBytes == UInt64(bytes.count))
        #expect(summary.commitment == referenceMerkleRoot(bytes, chunkSize: 64 * 1024))
        let (mean, variance) = twoPass(values)
        let f = try #require(summary.features.first)
        #expect(relativeError(f.mean, mean) < 1e-12)
        #expect(relativeError(f.variance, variance) < 1e-10)
        #expect(f.minimum == values.min() && f.maximum == values.max())
        // The fixed-point form round-trips to the same numbers at 1e18.
        let fixed = try summary.fixedPointFeatures()
        #expect(relativeError(FixedPoint.decode(fixed[0].mean), f.mean) < 1e-15)
        // Block boundaries do not matter.
        #expect(try scanBytes(bytes, format: .csv, blockSize: 7) == summary)
        print("[Datasets] \(path.split(separator: "/").last ?? ""): \(summary.sampleCount) samples, mean \(f.mean), "
              + "variance \(f.variance), commitment \(summary.commitment), \(bytes.count) bytes in \(String(format: "%.1f", seconds * 1000)) ms")
    }

    @Test func csvErrorsNameTheLine() {
        let cases: [(String, DatasetError)] = [
            ("a,b\n1,2\n3,x\n", .malformedRow(line: 3, reason: "column 2 (b): \"x\" is not a number")),
            ("a,b\n1,2\n3\n", .malformedRow(line: 3, reason: "1 fields, the header has 2")),
            ("a,b\n1,2,3\n", .malformedRow(line: 2, reason: "3 fields, the header has 2")),
            ("a,\n1,2\n", .emptyHeader),
            ("", .emptyHeader),
            ("a\n1\nnan\n", .nonFiniteValue(location: "line 3, column 1")),
            ("a\n\"1\"\n", .malformedRow(line: 2, reason: "column 1 (a): \"\\\"1\\\"\" is not a number")),
        ]
        for (text, expected) in cases {
            for block in [1, 3, 1 << 20] {
                #expect(throws: expected, "\(text.debugDescription) in blocks of \(block)") {
                    try scanBytes(Array(text.utf8), format: .csv, blockSize: block)
                }
            }
        }
    }

    @Test func csvAcceptsCRLFBlankLinesAndNoFinalNewline() throws {
        let summary = try scanBytes(Array("x, y\r\n1, -2\r\n\r\n3,4".utf8), format: .csv, blockSize: 2)
        #expect(summary.featureNames == ["x", "y"])
        #expect(summary.sampleCount == 2)
        #expect(summary.features.map(\.mean) == [2, 1])
        #expect(summary.features.map(\.variance) == [1, 9])
        #expect(summary.schemaJSON == #"{"dtype":"float64","features":["x","y"],"format":"csv","sampleShape":[2]}"#)
    }

    @Test func npyFloat32Matrix() throws {
        var g = SeededGenerator(seed: 0x4E9)
        let rows = 50, cols = 3
        let values = (0..<(rows * cols)).map { _ in Float.random(in: -10...10, using: &g) }
        let file = npyBytes(descr: "<f4", shape: [rows, cols], payload: float32Bytes(values))
        for block in [1, 5, 64, 1 << 20] {
            let s = try scanBytes(file, format: .npy, blockSize: block, chunkSize: 256)
            #expect(s.sampleCount == UInt64(rows) && s.sampleShape == [UInt64(cols)] && s.dtype == "float32")
            #expect(s.commitment == referenceMerkleRoot(file, chunkSize: 256))
            for c in 0..<cols {
                let column = stride(from: c, to: values.count, by: cols).map { Double(values[$0]) }
                let (mean, variance) = twoPass(column)
                #expect(relativeError(s.features[c].mean, mean) < 1e-12 || abs(s.features[c].mean - mean) < 1e-12)
                #expect(relativeError(s.features[c].variance, variance) < 1e-12)
                #expect(s.features[c].minimum == column.min() && s.features[c].count == UInt64(rows))
            }
        }
    }

    /// A headerless float array: the same statistics as the NPY file holding the same elements,
    /// the sample count from the size, and a size that is not whole samples refused by name.
    @Test func rawFloatArraysMatchTheirNPYTwin() throws {
        var g = SeededGenerator(seed: 0x4A7)
        let rows = 41, cols = 3
        let values = (0..<(rows * cols)).map { _ in Double.random(in: -1e3...1e3, using: &g) }
        for (payload, dtype, descr) in [(float32Bytes(values.map { Float($0) }), NumericDType.float32, "<f4"),
                                        (float64Bytes(values), NumericDType.float64, "<f8")] {
            let twin = try scanBytes(npyBytes(descr: descr, shape: [rows, cols], payload: payload), format: .npy, blockSize: 1 << 20)
            for block in [1, 7, 4096] {
                let raw = try scanBytes(payload, format: .raw(dtype, features: cols), blockSize: block)
                #expect(raw.format == "raw-\(dtype.rawValue)" && raw.dtype == dtype.rawValue)
                #expect(raw.sampleCount == UInt64(rows) && raw.sampleShape == [UInt64(cols)])
                #expect(raw.features == twin.features)
                #expect(raw.commitment == referenceMerkleRoot(payload, chunkSize: 64 * 1024))
            }
            #expect(throws: DatasetError.partialSample(fileSize: UInt64(payload.count - 1), sampleBytes: UInt64(dtype.byteWidth * cols))) {
                try scanBytes(Array(payload.dropLast()), format: .raw(dtype, features: cols), blockSize: 64)
            }
        }
        #expect(try DatasetFormat(path: "x.F32") == .raw(.float32, features: 1))
        #expect(throws: DatasetError.nonFiniteValue(location: "element 1")) {
            try scanBytes(float32Bytes([1, .infinity]), format: .raw(.float32, features: 1), blockSize: 3)
        }
    }

    @Test func npyIntegerVectorAndErrors() throws {
        let ints: [Int16] = [-3, 7, 1000, -32768, 5]
        let file = npyBytes(descr: "<i2", shape: [5], payload: littleEndianBytes(ints))
        let s = try scanBytes(file, format: .npy, blockSize: 3)
        #expect(s.sampleCount == 5 && s.sampleShape == [] && s.features.count == 1)
        #expect(s.features[0].minimum == -32768 && s.features[0].maximum == 1000)
        #expect(throws: DatasetError.sizeMismatch(expected: 10, actual: 8)) {
            try scanBytes(Array(file.dropLast(2)), format: .npy, blockSize: 4)
        }
        #expect(throws: DatasetError.malformedHeader("not an NPY file")) { try scanBytes([0x92] + file.dropFirst(), format: .npy, blockSize: 9) }
        #expect(throws: DatasetError.unsupportedDType(">f8")) {
            try scanBytes(npyBytes(descr: ">f8", shape: [1], payload: [UInt8](repeating: 0, count: 8)), format: .npy, blockSize: 9)
        }
        #expect(throws: DatasetError.self) {
            try scanBytes(npyBytes(descr: "<f8", shape: [1], payload: [UInt8](repeating: 0, count: 8), fortran: true), format: .npy, blockSize: 9)
        }
        #expect(throws: DatasetError.nonFiniteValue(location: "element 1")) {
            try scanBytes(npyBytes(descr: "<f8", shape: [2], payload: float64Bytes([1, .nan])), format: .npy, blockSize: 9)
        }
    }

    static func safetensors(_ header: String, _ payload: [UInt8]) -> [UInt8] {
        littleEndianBytes([UInt64(header.utf8.count)]) + Array(header.utf8) + payload
    }

    @Test func safetensorsTensorSelection() throws {
        let a = float64Bytes([1, 2, 3, 4, 5, 6])
        let b = float32Bytes([10, 20])
        let two = Self.safetensors(#"{"__metadata__":{"k":"v"},"a":{"dtype":"F64","shape":[3,2],"data_offsets":[0,48]},"b":{"dtype":"F32","shape":[2],"data_offsets":[48,56]}}"#, a + b)
        #expect(throws: DatasetError.ambiguousTensor(names: ["a", "b"])) { try scanBytes(two, format: .safetensors(tensor: nil), blockSize: 5) }
        #expect(throws: DatasetError.missingTensor("c")) { try scanBytes(two, format: .safetensors(tensor: "c"), blockSize: 5) }
        let sa = try scanBytes(two, format: .safetensors(tensor: "a"), blockSize: 5)
        #expect(sa.sampleCount == 3 && sa.sampleShape == [2] && sa.features.map(\.mean) == [3, 4] && sa.tensorName == "a")
        let sb = try scanBytes(two, format: .safetensors(tensor: "b"), blockSize: 3)
        #expect(sb.sampleCount == 2 && sb.features.map(\.mean) == [15] && sb.sizeBytes == UInt64(two.count))
        let wrong = Self.safetensors(#"{"a":{"dtype":"F64","shape":[3,2],"data_offsets":[0,40]}}"#, a)
        #expect(throws: DatasetError.sizeMismatch(expected: 48, actual: 40)) { try scanBytes(wrong, format: .safetensors(tensor: nil), blockSize: 64) }
        #expect(throws: DatasetError.self) { try scanBytes(Self.safetensors("[1]", []), format: .safetensors(tensor: nil), blockSize: 64) }
        #expect(throws: DatasetError.self) { try scanBytes([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], format: .safetensors(tensor: nil), blockSize: 64) }
    }

    @Test func randomBytesNeverCrashTheParsers() {
        var g = SeededGenerator(seed: 0xBAD)
        var rejected = 0
        for round in 0..<600 {
            var bytes = (0..<Int.random(in: 0...200, using: &g)).map { _ in UInt8.random(in: 0...255, using: &g) }
            let formats: [DatasetFormat] = [.csv, .npy, .safetensors(tensor: nil)]
            if round % 3 == 1, bytes.count > 10 { bytes.replaceSubrange(0..<6, with: [0x93] + Array("NUMPY".utf8)) }
            do { _ = try scanBytes(bytes, format: formats[round % 3], blockSize: Int.random(in: 1...64, using: &g)) } catch { rejected += 1 }
        }
        #expect(rejected > 0)
    }

    @Test func numpyAgreesWhenAvailable() throws {
        guard ExternalPython.path != nil, (try? ExternalPython.run(["-c", "import numpy"]).status) == 0 else {
            print("[Datasets] SKIPPED numpy cross-check: MLEDGER_PYTHON is unset or has no numpy (run tools/setup, or tools/test)")
            return
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mledger-npy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("x.npy").path
        let script = """
        import numpy as np
        rng = np.random.default_rng(7)
        x = (1e9 + rng.random((20000, 4)) * 1e-3).astype(np.float64)
        np.save('\(path)', x)
        d = x - x[0]  # shift first: a plain sum near 1e9 * 20000 would round the noise away
        print(repr(float(x[0][2] + d.mean(axis=0)[2])), repr(float(d.var(axis=0)[2])), repr(float(x.min())))
        """
        let (status, out) = try ExternalPython.run(["-c", script])
        try #require(status == 0)
        let numbers = out.split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        try #require(numbers.count == 3)
        let s = try DatasetScanner.scan(path: path)
        #expect(s.sampleCount == 20_000 && s.sampleShape == [4] && s.dtype == "float64")
        #expect(relativeError(s.features[2].mean, numbers[0]) < 1e-15)  // both within an ulp of 1e9
        #expect(relativeError(s.features[2].variance, numbers[1]) < 1e-10)
        #expect(s.features.map(\.minimum).min() == numbers[2])
        print("[Datasets] numpy cross-check on 1e9 + noise: variance \(s.features[2].variance) vs numpy \(numbers[1])")
    }
}
