import Hummingbird
import MultipartKit
import NIOCore

/// The headers of one multipart part that the API looks at.
struct MultipartPartHead: Equatable {
    var name: String?
    var filename: String?
    var contentType: String?
}

/// Reads a `multipart/form-data` request body part by part, streaming: at most one request-body
/// buffer is held at a time, so a 10 GiB file part passes through in pieces. Built on
/// MultipartKit's push parser; its callbacks fill a small queue that the pull methods drain.
///
/// Limits: more than `maxBytes` in the whole body is `.payloadTooLarge`; a body that ends
/// before the closing boundary (a client gone mid-upload, a truncated request) is
/// `.incompleteUpload`, so a cut-off file is never taken for a complete one.
final class MultipartReader {
    private enum Event {
        case header(String, String)
        case body(ByteBuffer)
        case partEnd
    }

    private let parser: MultipartParser
    private var iterator: RequestBody.AsyncIterator
    private var queue: [Event] = []
    private var queueStart = 0
    private var finished = false
    private var inPart = false
    private let maxBytes: Int64
    private(set) var bytesRead: Int64 = 0
    /// The last bytes of the raw body, to check that it ends with the closing boundary.
    private var tail: [UInt8] = []
    private let closing: [UInt8]

    init(body: RequestBody, boundary: String, maxBytes: Int64) {
        parser = MultipartParser(boundary: boundary)
        iterator = body.makeAsyncIterator()
        self.maxBytes = maxBytes
        closing = Array("--\(boundary)--".utf8)
        parser.onHeader = { [unowned self] name, value in queue.append(.header(name, value)) }
        parser.onBody = { [unowned self] buffer in queue.append(.body(buffer)) }
        parser.onPartComplete = { [unowned self] in queue.append(.partEnd) }
    }

    /// The boundary of a `multipart/form-data` content type, nil for other types.
    static func boundary(contentType: String) -> String? {
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.first?.lowercased() == "multipart/form-data" else { return nil }
        for parameter in parts.dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2, pair[0].lowercased() == "boundary" else { continue }
            var value = pair[1]
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value.isEmpty || value.utf8.count > 200 ? nil : value
        }
        return nil
    }

    /// The next part's headers, skipping what is left of the current part; nil after the last.
    func nextPart() async throws -> MultipartPartHead? {
        while inPart { _ = try await nextBodyChunk() }
        var headers: [(String, String)] = []
        while true {
            guard let event = try await nextEvent() else {
                if headers.isEmpty { return nil }
                throw SharingError.incompleteUpload("multipart body ends inside a part's headers")
            }
            switch event {
            case .header(let name, let value):
                headers.append((name, value))
            case .body(let buffer):
                pushBack(.body(buffer))
                inPart = true
                return Self.head(headers)
            case .partEnd:
                // A part with an empty body.
                pushBack(.partEnd)
                inPart = true
                return Self.head(headers)
            }
        }
    }

    /// The next bytes of the current part, nil at its end. Adjacent pieces are joined (the
    /// parser cuts a binary body at every CR byte).
    func nextBodyChunk(preferredSize: Int = 1 << 20) async throws -> ByteBuffer? {
        guard inPart else { return nil }
        var joined: ByteBuffer?
        while true {
            if joined != nil, queueStart == queue.count { return joined }  // return what we have before waiting
            guard let event = try await nextEvent() else {
                throw SharingError.incompleteUpload("multipart body ends inside a part")
            }
            switch event {
            case .body(var buffer):
                if joined == nil { joined = buffer } else { joined!.writeBuffer(&buffer) }
                if joined!.readableBytes >= preferredSize { return joined }
            case .partEnd:
                inPart = false
                if joined != nil { pushBack(.partEnd); inPart = true; return joined }
                return nil
            case .header:
                throw SharingError.invalidBody("malformed multipart body")
            }
        }
    }

    /// Collects the current part's body, refusing more than `limit` bytes.
    func collectPart(limit: Int, field: String) async throws -> [UInt8] {
        var out: [UInt8] = []
        while let buffer = try await nextBodyChunk() {
            guard out.count + buffer.readableBytes <= limit else {
                throw SharingError.payloadTooLarge("part \(field) is larger than \(limit) bytes")
            }
            out.append(contentsOf: buffer.readableBytesView)
        }
        return out
    }

    // MARK: Queue

    private func pushBack(_ event: Event) {
        if queueStart > 0 {
            queueStart -= 1
            queue[queueStart] = event
        } else {
            queue.insert(event, at: 0)
        }
    }

    private func nextEvent() async throws -> Event? {
        while queueStart == queue.count {
            queue.removeAll(keepingCapacity: true)
            queueStart = 0
            guard !finished else { return nil }
            try await pull()
        }
        let event = queue[queueStart]
        queueStart += 1
        return event
    }

    private func pull() async throws {
        let next: ByteBuffer?
        do { next = try await iterator.next() } catch {
            throw SharingError.incompleteUpload("the request body was cut off (\(type(of: error)))")
        }
        guard let buffer = next else {
            finished = true
            var end = tail[...]
            while let last = end.last, last == 0x0d || last == 0x0a || last == 0x20 || last == 0x09 { end = end.dropLast() }
            guard end.count >= closing.count, Array(end.suffix(closing.count)) == closing else {
                throw SharingError.incompleteUpload("multipart body ends before its closing boundary")
            }
            return
        }
        bytesRead += Int64(buffer.readableBytes)
        guard bytesRead <= maxBytes else { throw SharingError.payloadTooLarge("request body exceeds \(maxBytes) bytes") }
        tail.append(contentsOf: buffer.readableBytesView.suffix(closing.count + 8))
        if tail.count > 2 * (closing.count + 8) { tail.removeFirst(tail.count - (closing.count + 8)) }
        do { try parser.execute(buffer) } catch {
            throw SharingError.invalidBody("malformed multipart body")
        }
    }

    // MARK: Headers

    static func head(_ headers: [(String, String)]) -> MultipartPartHead {
        var head = MultipartPartHead()
        for (name, value) in headers {
            switch name.lowercased() {
            case "content-disposition":
                let parameters = dispositionParameters(value)
                head.name = parameters["name"]
                head.filename = parameters["filename"]
            case "content-type":
                head.contentType = value
            default: break
            }
        }
        return head
    }

    /// `form-data; name="model"; filename="m.bin"` → ["name": "model", "filename": "m.bin"].
    static func dispositionParameters(_ value: String) -> [String: String] {
        var out: [String: String] = [:]
        var rest = Substring(value)
        // Skip the disposition type.
        guard let semicolon = rest.firstIndex(of: ";") else { return out }
        rest = rest[rest.index(after: semicolon)...]
        while !rest.isEmpty {
            rest = rest.drop { $0 == " " || $0 == "\t" || $0 == ";" }
            guard let equals = rest.firstIndex(of: "=") else { break }
            let key = rest[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            rest = rest[rest.index(after: equals)...]
            var parsed = ""
            if rest.first == "\"" {
                rest = rest.dropFirst()
                var escaped = false
                while let c = rest.first {
                    rest = rest.dropFirst()
                    if escaped { parsed.append(c); escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { break } else { parsed.append(c) }
                }
            } else {
                let end = rest.firstIndex(of: ";") ?? rest.endIndex
                parsed = rest[..<end].trimmingCharacters(in: .whitespaces)
                rest = rest[end...]
            }
            out[key] = parsed
        }
        return out
    }
}
