import Foundation
import Plot
import Testing

/// Checksums against published check values, deflate and PNG files read back by Python's zlib
/// (a real inflater) with every chunk CRC checked, and chart pixels at places the layout names.
struct PlotTests {
    @Test func checksumsMatchPublishedCheckValues() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([UInt8]()) == 0)
        #expect(Adler32.checksum(Array("Wikipedia".utf8)) == 0x11E6_0398)
        #expect(Adler32.checksum([]) == 1)
        // Long input crosses the 5552-byte reduction boundary several times.
        let long = [UInt8](repeating: 0xFF, count: 20_000)
        var a: UInt64 = 1, b: UInt64 = 0
        for byte in long { a = (a + UInt64(byte)) % 65521; b = (b + a) % 65521 }
        #expect(Adler32.checksum(long) == UInt32(b << 16 | a))
    }

    @Test func zlibStreamsInflateWithPythonZlib() throws {
        var g = SystemRandomNumberGenerator()
        let random = (0..<5000).map { _ in UInt8.random(in: 0...255, using: &g) }
        let repetitive = (0..<70_000).map { UInt8(($0 / 7) % 5) }
        let text = Array(String(repeating: "MLedger forecasts PV power. ", count: 400).utf8)
        for (name, data) in [("empty", [UInt8]()), ("random", random), ("repetitive", repetitive), ("text", text)] {
            let compressed = Deflate.zlib(data)
            let inflated = try Python.run("import sys, zlib; sys.stdout.buffer.write(zlib.decompress(sys.stdin.buffer.read()))",
                                          input: compressed)
            #expect(inflated == data, "\(name): zlib.decompress gave \(inflated.count) bytes, expected \(data.count)")
            if name == "repetitive" { #expect(compressed.count < data.count / 50, "repetitive data barely compressed: \(compressed.count)") }
        }
    }

    static func sampleSeries() -> ForecastSeries {
        let n = 25
        let actual = (0..<n).map { 50 + 30 * sin(Double($0) / 4) }
        let forecast = actual.map { $0 + 5 }
        return ForecastSeries(labels: (0..<n).map { "2026-06-01T\(String(format: "%02d", $0 % 24)):00:00Z" },
                              actual: actual.map { $0 }, forecast: forecast.map { $0 },
                              lower: forecast.map { $0 - 20 }, upper: forecast.map { $0 + 20 })
    }

    @Test func chartPixelsDecodedByPythonAreWhereTheLayoutSays() throws {
        let series = Self.sampleSeries()
        let chart = try ForecastChart(series: series, title: "PV forecast", yAxisLabel: "W", width: 640, height: 360)
        let l = chart.layout
        let colors = ForecastChart.Colors()
        let gridRows = Set(stride(from: l.yMinimum, through: l.yMaximum + l.yStep / 2, by: l.yStep).map { l.pixelY(value: $0) })
        var probes: [(name: String, x: Int, y: Int, expected: [RGB])] = []
        for i in [3, 12, 20] {
            let x = l.pixelX(index: Double(i))
            probes.append(("actual \(i)", x, l.pixelY(value: series.actual[i]!), [colors.actual]))
            probes.append(("forecast \(i)", x, l.pixelY(value: series.forecast[i]!), [colors.forecast]))
            var y = l.pixelY(value: series.forecast[i]! + 13)
            if gridRows.contains(y) { y += 1 }
            probes.append(("band \(i)", x, y, [colors.band.blended(over: .white, alpha: colors.bandAlpha)]))
            var outside = l.pixelY(value: series.lower[i]! - 6)
            if gridRows.contains(outside) { outside += 1 }
            if outside < l.plotTop + l.plotHeight - 1 { probes.append(("below band \(i)", x, outside, [.white])) }
        }
        probes.append(("corner", 1, 1, [.white]))
        probes.append(("y axis", l.plotLeft - 1, l.plotTop + l.plotHeight / 2, [.black]))
        probes.append(("x axis", l.plotLeft + l.plotWidth / 2, l.plotTop + l.plotHeight, [.black]))

        let png = chart.png()
        let query = probes.map { "\($0.x),\($0.y)" }.joined(separator: ";")
        let answer = try Python.run(Self.decoderScript, input: png, arguments: [query])
        let lines = String(decoding: answer, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(lines.first == "640x360 chunks-ok IHDR,IDAT,IEND", "decoder said: \(lines.first ?? "nothing")")
        #expect(lines.count == probes.count + 2)
        for (probe, line) in zip(probes, lines.dropFirst()) {
            let c = line.split(separator: ",").compactMap { UInt8($0) }
            let got = c.count == 3 ? RGB(c[0], c[1], c[2]) : RGB(1, 2, 3)
            #expect(probe.expected.contains(got), "\(probe.name) at (\(probe.x), \(probe.y)): \(got), expected \(probe.expected)")
        }
        // The title row holds text pixels; the band colour appears in the legend row.
        #expect(lines.last.map { Int($0) ?? 0 } ?? 0 > 50, "title area has too few dark pixels: \(lines.last ?? "")")
    }

    @Test func badSeriesAreNamed() {
        let good = Self.sampleSeries()
        var short = good
        short.upper.removeLast()
        #expect(throws: PlotError.lengthMismatch(column: "upper", count: 24, expected: 25)) { try ForecastChart(series: short, title: "") }
        var infinite = good
        infinite.actual[4] = .infinity
        #expect(throws: PlotError.nonFiniteValue(column: "actual", index: 4)) { try ForecastChart(series: infinite, title: "") }
        let empty = ForecastSeries(labels: [], actual: [], forecast: [], lower: [], upper: [])
        #expect(throws: PlotError.emptySeries) { try ForecastChart(series: empty, title: "") }
        #expect(throws: PlotError.imageTooSmall(width: 100, height: 100)) {
            try ForecastChart(series: good, title: "", width: 100, height: 100)
        }
    }

    /// Parses a PNG from stdin with zlib only: checks the signature and every chunk's CRC,
    /// inflates the IDAT data, undoes filter type 0, prints the size, chunk names, the colour
    /// at each "x,y" of argv[1], and the number of dark pixels in the title band (rows 8-22).
    static let decoderScript = """
    import sys, struct, zlib
    data = sys.stdin.buffer.read()
    assert data[:8] == b"\\x89PNG\\r\\n\\x1a\\n", "bad signature"
    pos, names, idat = 8, [], b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        crc, = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert zlib.crc32(kind + body) == crc, "CRC mismatch in " + kind.decode()
        if kind == b"IHDR":
            width, height, depth, ctype, comp, filt, inter = struct.unpack(">IIBBBBB", body)
            assert (depth, ctype, comp, filt, inter) == (8, 2, 0, 0, 0)
        if kind == b"IDAT":
            idat += body
        if not names or names[-1] != kind.decode():
            names.append(kind.decode())
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * 3 + 1
    assert len(raw) == stride * height, "wrong pixel data length"
    assert all(raw[y * stride] == 0 for y in range(height)), "unexpected filter type"
    def pixel(x, y):
        i = y * stride + 1 + x * 3
        return raw[i:i + 3]
    print(f"{width}x{height} chunks-ok {','.join(names)}")
    for point in sys.argv[1].split(";"):
        x, y = map(int, point.split(","))
        print(",".join(str(v) for v in pixel(x, y)))
    print(sum(1 for y in range(8, 23) for x in range(width) if sum(pixel(x, y)) < 300))
    """
}

/// Runs the Python that tools/test names in MLEDGER_PYTHON (python3 from PATH otherwise).
enum Python {
    struct Failure: Error, CustomStringConvertible { let description: String }

    static func run(_ script: String, input: [UInt8], arguments: [String] = []) throws -> [UInt8] {
        let process = Process()
        if let python = ProcessInfo.processInfo.environment["MLEDGER_PYTHON"], !python.isEmpty {
            process.executableURL = URL(fileURLWithPath: python)
            process.arguments = ["-c", script] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-c", script] + arguments
        }
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        // Write on another thread so a large output cannot deadlock against a full input pipe.
        let writer = Thread {
            stdin.fileHandleForWriting.write(Data(input))
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw Failure(description: "python failed: \(errors)") }
        return [UInt8](output)
    }
}
