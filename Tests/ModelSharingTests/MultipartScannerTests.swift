import MLedgerTesting
import ModelSharing
import NIOCore
import Testing

/// `MultipartScanner` against bodies built here: whatever the buffer boundaries, the parts read
/// back byte for byte, including binary bodies full of CR/LF and near-miss delimiters.
@Suite struct MultipartScannerTests {
    struct Part: Equatable {
        var name: String?
        var filename: String?
        var contentType: String?
        var body: [UInt8]
    }

    /// Feeds `body` cut at the given sizes (cycled) and collects the parts.
    static func parse(_ body: [UInt8], boundary: String, cuts: [Int]) throws -> (parts: [Part], complete: Bool) {
        var scanner = MultipartScanner(boundary: boundary)
        var events: [MultipartScanner.Event] = []
        var offset = 0
        var i = 0
        while offset < body.count {
            let size = Swift.min(cuts[i % cuts.count], body.count - offset)
            try scanner.feed(ByteBuffer(bytes: body[offset..<offset + size]), into: &events)
            offset += size
            i += 1
        }
        var parts: [Part] = []
        for event in events {
            switch event {
            case .partStart(let head):
                parts.append(Part(name: head.name, filename: head.filename, contentType: head.contentType, body: []))
            case .body(let buffer):
                #expect(buffer.readableBytes > 0, "empty body events are never emitted")
                parts[parts.count - 1].body += buffer.readableBytesView
            case .partEnd:
                break
            }
        }
        return (parts, scanner.isComplete)
    }

    static func body(_ parts: [Part], boundary: String, preamble: String = "", epilogue: String = "") -> [UInt8] {
        var out = Array(preamble.utf8)
        if !preamble.isEmpty { out += Array("\r\n".utf8) }
        for part in parts {
            out += Array("--\(boundary)\r\n".utf8)
            var disposition = "Content-Disposition: form-data"
            if let name = part.name { disposition += "; name=\"\(name)\"" }
            if let filename = part.filename { disposition += "; filename=\"\(filename)\"" }
            out += Array("\(disposition)\r\n".utf8)
            if let type = part.contentType { out += Array("Content-Type: \(type)\r\n".utf8) }
            out += Array("\r\n".utf8)
            out += part.body
            out += Array("\r\n".utf8)
        }
        out += Array("--\(boundary)--\r\n\(epilogue)".utf8)
        return out
    }

    /// Random bytes rich in the delimiter's own bytes: CR, LF, '-' and prefixes of the delimiter.
    static func nastyBytes(_ count: Int, boundary: String, rng: inout SplitMix64) -> [UInt8] {
        let delimiter = Array("\r\n--\(boundary)".utf8)
        var out: [UInt8] = []
        while out.count < count {
            switch rng.next() % 6 {
            case 0:
                // A near miss: a proper prefix, then a byte the delimiter never has.
                out.append(contentsOf: delimiter.prefix(Int(rng.next() % UInt64(delimiter.count))))
                out.append(0)
            case 1: out.append(0x0d)
            case 2: out.append(contentsOf: [0x0d, 0x0a, 0x2d, 0x2d])
            default: out.append(UInt8(truncatingIfNeeded: rng.next()))
            }
        }
        out = Array(out.prefix(count))
        #expect(!out.indices.contains { i in out[i...].starts(with: delimiter) }, "the generator made a real delimiter")
        return out
    }

    @Test func seededBodiesReadBackUnderEverySplit() throws {
        var rng = SplitMix64(seed: 42)
        let boundary = "----MLedgerBoundary7MA4YWxkTrZu0gW"
        for round in 0..<60 {
            let partCount = 1 + Int(rng.next() % 4)
            var parts: [Part] = []
            for index in 0..<partCount {
                let size = [0, 1, 2, 37, 1000, 70_000][Int(rng.next() % 6)]
                parts.append(Part(name: "p\(index)", filename: index % 2 == 0 ? "f\(index).bin" : nil,
                                  contentType: index % 3 == 0 ? "application/octet-stream" : nil,
                                  body: Self.nastyBytes(size, boundary: boundary, rng: &rng)))
            }
            let body = Self.body(parts, boundary: boundary, preamble: round % 2 == 0 ? "ignored preamble" : "",
                                 epilogue: "trailing epilogue --\(boundary)--")
            for cuts in [[body.count], [1], [2, 3, 5, 7], [Int(rng.next() % 100) + 1], [4096], [65_536, 13]] {
                let (read, complete) = try Self.parse(body, boundary: boundary, cuts: cuts)
                #expect(complete, "round \(round), cuts \(cuts)")
                #expect(read == parts, "round \(round), cuts \(cuts)")
            }
        }
    }

    @Test func emptyHeaderBlockAndTransportPadding() throws {
        let boundary = "b"
        let body = Array("--b  \t\r\n\r\nno headers\r\n--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n\r\n--b--".utf8)
        let (parts, complete) = try Self.parse(body, boundary: boundary, cuts: [1])
        #expect(complete)
        #expect(parts == [Part(name: nil, filename: nil, contentType: nil, body: Array("no headers".utf8)),
                          Part(name: "x", filename: nil, contentType: nil, body: [])])
    }

    @Test func truncatedBodyIsNeverComplete() throws {
        let boundary = "xyz"
        let full = Self.body([Part(name: "model", filename: "m.bin", contentType: nil, body: Array(repeating: 7, count: 5000))],
                             boundary: boundary)
        for cut in [0, 10, 60, 2000, full.count - 9, full.count - 3] {
            let (_, complete) = try Self.parse(Array(full.prefix(cut)), boundary: boundary, cuts: [300])
            #expect(!complete, "cut at \(cut)")
        }
        #expect(try Self.parse(full, boundary: boundary, cuts: [300]).complete)
    }

    @Test func malformedInputIsRefusedByName() {
        func failure(_ text: String, maxHeaderBytes: Int = 16 << 10) -> MultipartScanner.Failure? {
            var scanner = MultipartScanner(boundary: "b", maxHeaderBytes: maxHeaderBytes)
            var events: [MultipartScanner.Event] = []
            do { try scanner.feed(ByteBuffer(string: text), into: &events) } catch { return error }
            return nil
        }
        #expect(failure("--b junk\r\n\r\nx\r\n--b--") == .malformedBoundaryLine)
        #expect(failure("--b\r\nno colon here\r\n\r\nx\r\n--b--") == .malformedHeader("no colon here"))
        #expect(failure("--b\r\nX: " + String(repeating: "a", count: 200) + "\r\n\r\n", maxHeaderBytes: 100) == .headerTooLarge)
        #expect(failure("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--b--") == nil)
    }
}
