import Hummingbird
import NIOCore

/// The headers of one multipart part that the API looks at.
package struct MultipartPartHead: Equatable {
    package var name: String?
    package var filename: String?
    package var contentType: String?
}

/// Reads a `multipart/form-data` request body part by part, streaming: a part's body is handed
/// on as slices of the request-body buffers (`MultipartScanner`), so a 10 GiB file part passes
/// through in pieces and is never copied on the way.
///
/// Limits: more than `maxBytes` in the whole body is `.payloadTooLarge`; a body that ends
/// before the closing boundary (a client gone mid-upload, a truncated request) is
/// `.incompleteUpload`, so a cut-off file is never taken for a complete one.
final class MultipartReader {
    private var scanner: MultipartScanner
    private var iterator: RequestBody.AsyncIterator
    private var queue: [MultipartScanner.Event] = []
    private var queueStart = 0
    private var finished = false
    private var inPart = false
    private let maxBytes: Int64
    private(set) var bytesRead: Int64 = 0

    init(body: RequestBody, boundary: String, maxBytes: Int64) {
        scanner = MultipartScanner(boundary: boundary)
        iterator = body.makeAsyncIterator()
        self.maxBytes = maxBytes
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
        while let event = try await nextEvent() {
            switch event {
            case .partStart(let head):
                inPart = true
                return head
            case .body, .partEnd:
                throw SharingError.invalidBody("malformed multipart body")
            }
        }
        return nil
    }

    /// The next bytes of the current part (a slice of a request-body buffer), nil at its end.
    func nextBodyChunk() async throws -> ByteBuffer? {
        guard inPart else { return nil }
        while true {
            guard let event = try await nextEvent() else {
                throw SharingError.incompleteUpload("multipart body ends inside a part")
            }
            switch event {
            case .body(let buffer): return buffer
            case .partEnd:
                inPart = false
                return nil
            case .partStart:
                throw SharingError.invalidBody("malformed multipart body")
            }
        }
    }

    /// The next pieces of the current part, at least `minimumBytes` of them unless the part ends
    /// first; nil at its end. Batching lets a consumer hand large amounts to other threads at
    /// once, without joining (copying) the pieces.
    func nextBodyBatch(minimumBytes: Int) async throws -> [ByteBuffer]? {
        var batch: [ByteBuffer] = []
        var total = 0
        while total < minimumBytes, let buffer = try await nextBodyChunk() {
            total += buffer.readableBytes
            batch.append(buffer)
        }
        return batch.isEmpty ? nil : batch
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

    private func nextEvent() async throws -> MultipartScanner.Event? {
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
        do { next = try await iterator.next() } catch let refusal as SharingError {
            throw refusal  // a limit the body itself enforces (the company quota): its own status
        } catch {
            throw SharingError.incompleteUpload("the request body was cut off (\(type(of: error)))")
        }
        guard let buffer = next else {
            finished = true
            guard scanner.isComplete else {
                throw SharingError.incompleteUpload("multipart body ends before its closing boundary")
            }
            return
        }
        bytesRead += Int64(buffer.readableBytes)
        guard bytesRead <= maxBytes else { throw SharingError.payloadTooLarge("request body exceeds \(maxBytes) bytes") }
        do { try scanner.feed(buffer, into: &queue) } catch {
            throw SharingError.invalidBody("malformed multipart body (\(error))")
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
