#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// A push parser for `multipart/form-data` bodies (RFC 2046 §5.1, RFC 7578) that hands a part's
/// body on as slices of the buffers it was fed, without copying them.
///
/// Why not MultipartKit's parser: it ends a body callback at every CR byte, so a binary upload
/// arrives in pieces of ~256 bytes that must be copied back together; at upload rates of
/// several hundred MB/s that costs more than hashing. Here the delimiter ("CRLF--boundary") is
/// found with `memmem`, and only a possible delimiter prefix at the end of a buffer (at most
/// the delimiter's length) is ever copied.
///
/// The body is read as if it began with CRLF, so the first boundary line needs no special case:
/// the preamble is a "part" whose bytes are dropped. After a delimiter, `--` ends the body
/// (the epilogue is ignored); otherwise optional spaces/tabs and CRLF lead to the part's header
/// block, which ends with an empty line.
package struct MultipartScanner {
    package enum Event: Equatable {
        case partStart(MultipartPartHead)
        case body(ByteBuffer)
        case partEnd
    }

    package enum Failure: Error, Equatable, CustomStringConvertible {
        case headerTooLarge
        case malformedHeader(String)
        case malformedBoundaryLine

        package var description: String {
            switch self {
            case .headerTooLarge: "a part's header block is too large"
            case .malformedHeader(let line): "malformed part header \"\(line)\""
            case .malformedBoundaryLine: "malformed boundary line"
            }
        }
    }

    private enum State {
        case preamble
        case boundaryLine
        case headers
        case body
        case epilogue
    }

    /// "\r\n--" + boundary.
    private let delimiter: [UInt8]
    private let maxHeaderBytes: Int
    private var state = State.preamble
    /// Bytes at the end of the last buffer that may begin a delimiter (body and preamble), or
    /// the boundary line / header block read so far.
    private var carry: [UInt8] = [0x0d, 0x0a]

    package init(boundary: String, maxHeaderBytes: Int = 16 << 10) {
        delimiter = Array("\r\n--\(boundary)".utf8)
        self.maxHeaderBytes = maxHeaderBytes
    }

    /// True once the closing delimiter has been read: the body is complete.
    package var isComplete: Bool { if case .epilogue = state { return true } else { return false } }

    /// Parses `buffer`, appending what it finds to `events`.
    package mutating func feed(_ buffer: ByteBuffer, into events: inout [Event]) throws(Failure) {
        var rest = buffer
        while rest.readableBytes > 0 {
            switch state {
            case .preamble, .body:
                scanBody(&rest, into: &events)
            case .boundaryLine:
                try readBoundaryLine(&rest)
            case .headers:
                try readHeaders(&rest, into: &events)
            case .epilogue:
                return
            }
        }
    }

    // MARK: Body

    /// Emits body bytes up to the next delimiter (or up to a possible delimiter prefix at the end).
    private mutating func scanBody(_ rest: inout ByteBuffer, into events: inout [Event]) {
        let emit = state == .body
        if !carry.isEmpty {
            // The seam: the held-back bytes plus the start of this buffer.
            let head = rest.readableBytesView.prefix(delimiter.count)
            var seam = carry
            seam.append(contentsOf: head)
            if let position = Self.find(delimiter, in: seam) {
                if emit, position > 0 { events.append(.body(ByteBuffer(bytes: seam[0..<position]))) }
                rest.moveReaderIndex(forwardBy: position + delimiter.count - carry.count)
                carry = []
                endOfPart(into: &events)
                return
            }
            if head.count >= delimiter.count - 1 {
                // Any delimiter starting in `carry` would lie inside `seam`: none does.
                if emit { events.append(.body(ByteBuffer(bytes: carry))) }
                carry = []
            } else {
                // A tiny buffer: keep growing the seam.
                rest.moveReaderIndex(forwardBy: head.count)
                let keep = Self.heldBack(seam, delimiter: delimiter)
                if emit, keep > 0 { events.append(.body(ByteBuffer(bytes: seam[0..<keep]))) }
                carry = Array(seam[keep...])
                return
            }
        }
        let found: Int? = rest.withUnsafeReadableBytes { Self.find(delimiter, in: $0) }
        if let position = found {
            if emit, position > 0 { events.append(.body(rest.getSlice(at: rest.readerIndex, length: position)!)) }
            rest.moveReaderIndex(forwardBy: position + delimiter.count)
            endOfPart(into: &events)
            return
        }
        let keep: Int = rest.withUnsafeReadableBytes { Self.heldBack($0, delimiter: delimiter) }
        if emit, keep > 0 { events.append(.body(rest.getSlice(at: rest.readerIndex, length: keep)!)) }
        carry = Array(rest.readableBytesView.dropFirst(keep))
        rest.moveReaderIndex(forwardBy: rest.readableBytes)
    }

    private mutating func endOfPart(into events: inout [Event]) {
        if state == .body { events.append(.partEnd) }
        state = .boundaryLine
        carry = []
    }

    /// The first index from which the bytes to the end could still begin a delimiter.
    private static func heldBack<Bytes: RandomAccessCollection>(_ bytes: Bytes, delimiter: [UInt8]) -> Int
    where Bytes.Element == UInt8, Bytes.Index == Int {
        var start = Swift.max(bytes.startIndex, bytes.endIndex - (delimiter.count - 1))
        while start < bytes.endIndex {
            if bytes[start] == 0x0d {
                var i = start, j = 0
                while i < bytes.endIndex, bytes[i] == delimiter[j] { i += 1; j += 1 }
                if i == bytes.endIndex { return start - bytes.startIndex }
            }
            start += 1
        }
        return bytes.count
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        haystack.withUnsafeBytes { find(needle, in: $0) }
    }

    /// The first occurrence of `needle`: `memchr` for its first byte (vectorised in libc), then
    /// `memcmp` of the rest. (glibc's `memmem` is a GNU extension Swift's Glibc does not export.)
    private static func find(_ needle: [UInt8], in haystack: UnsafeRawBufferPointer) -> Int? {
        guard haystack.count >= needle.count, let base = haystack.baseAddress else { return nil }
        return needle.withUnsafeBytes { n -> Int? in
            let first = Int32(needle[0])
            let lastStart = haystack.count - needle.count
            var offset = 0
            while offset <= lastStart {
                guard let hit = memchr(base + offset, first, lastStart - offset + 1) else { return nil }
                let position = UnsafeRawPointer(hit) - base
                if memcmp(base + position, n.baseAddress!, n.count) == 0 { return position }
                offset = position + 1
            }
            return nil
        }
    }

    // MARK: Boundary line and headers

    /// After a delimiter: `--` closes the body; otherwise optional spaces/tabs, then CRLF.
    private mutating func readBoundaryLine(_ rest: inout ByteBuffer) throws(Failure) {
        while let byte = rest.readInteger(as: UInt8.self) {
            carry.append(byte)
            if carry.count == 2, carry == [0x2d, 0x2d] {
                state = .epilogue
                carry = []
                rest.moveReaderIndex(forwardBy: rest.readableBytes)
                return
            }
            if byte == 0x0a {
                guard carry.count >= 2, carry[carry.count - 2] == 0x0d,
                      carry.dropLast(2).allSatisfy({ $0 == 0x20 || $0 == 0x09 }) else { throw .malformedBoundaryLine }
                state = .headers
                carry = [0x0d, 0x0a]  // so that an empty header block is "CRLF CRLF" too
                return
            }
            guard carry.count <= 256 else { throw .malformedBoundaryLine }
        }
    }

    private mutating func readHeaders(_ rest: inout ByteBuffer, into events: inout [Event]) throws(Failure) {
        let before = carry.count
        let available = rest.readableBytesView.prefix(maxHeaderBytes + 4 - before)
        carry.append(contentsOf: available)
        let terminator: [UInt8] = [0x0d, 0x0a, 0x0d, 0x0a]
        guard let end = Self.find(terminator, in: carry) else {
            guard carry.count < maxHeaderBytes + 4 else { throw .headerTooLarge }
            rest.moveReaderIndex(forwardBy: available.count)
            return
        }
        rest.moveReaderIndex(forwardBy: end + 4 - before)
        let block = end > 2 ? Array(carry[2..<end]) : []
        events.append(.partStart(try Self.head(block)))
        state = .body
        carry = []
    }

    /// The part's head from its header lines (`Name: value`, CRLF-separated).
    private static func head(_ block: [UInt8]) throws(Failure) -> MultipartPartHead {
        var headers: [(String, String)] = []
        var lineStart = 0
        var i = 0
        while i <= block.count {
            if i == block.count || (block[i] == 0x0d && i + 1 < block.count && block[i + 1] == 0x0a) {
                let line = block[lineStart..<i]
                if !line.isEmpty {
                    guard let colon = line.firstIndex(of: 0x3a), colon > line.startIndex else {
                        throw .malformedHeader(String(decoding: line.prefix(80), as: UTF8.self))
                    }
                    let name = String(decoding: line[line.startIndex..<colon], as: UTF8.self)
                    let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingBlanks()
                    headers.append((name, value))
                }
                i += 2
                lineStart = i
                continue
            }
            i += 1
        }
        return MultipartReader.head(headers)
    }
}

private extension String {
    /// Without leading and trailing spaces and tabs.
    func trimmingBlanks() -> String {
        var scalars = Substring(self).unicodeScalars[...]
        while let first = scalars.first, first == " " || first == "\t" { scalars = scalars.dropFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars = scalars.dropLast() }
        return String(String.UnicodeScalarView(scalars))
    }
}
