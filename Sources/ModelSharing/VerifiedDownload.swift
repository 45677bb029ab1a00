import LedgerCrypto
import Foundation
import Hummingbird
import Logging
import NIOCore
import ObjectStore
import Primitives

/// A byte range of a download, from a `Range: bytes=...` header.
struct ByteRange: Equatable {
    var lower: Int64
    /// Exclusive.
    var upper: Int64

    /// One range of `bytes=a-b`, `bytes=a-` or `bytes=-n` against an object of `size` bytes.
    /// nil: no usable Range header (serve everything, as RFC 9110 allows for several ranges).
    /// Throws `.unsatisfiable` for a range wholly past the end.
    static func parse(_ header: String?, size: Int64) throws -> ByteRange? {
        guard let header, header.hasPrefix("bytes=") else { return nil }
        let spec = header.dropFirst("bytes=".count).trimmingCharacters(in: .whitespaces)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return nil }
        let first = spec[..<dash], last = spec[spec.index(after: dash)...]
        if first.isEmpty {
            guard let suffix = Int64(last), suffix > 0 else { return nil }
            guard size > 0 else { throw RangeError.unsatisfiable }
            return ByteRange(lower: max(0, size - suffix), upper: size)
        }
        guard let lower = Int64(first), lower >= 0 else { return nil }
        guard lower < size else { throw RangeError.unsatisfiable }
        if last.isEmpty { return ByteRange(lower: lower, upper: size) }
        guard let end = Int64(last), end >= lower else { return nil }
        return ByteRange(lower: lower, upper: min(end + 1, size))
    }

    enum RangeError: Error { case unsatisfiable }
}

/// Streams a stored object after checking it against trusted chunk leaves: every 64 KiB chunk
/// is hashed and compared with its leaf before any of its bytes is written. The leaves are
/// trusted because the caller checked their Merkle root against the chain first.
///
/// Failures before the first byte (object missing, wrong size, first chunk wrong) are thrown
/// by `prepare` and become 409 responses. A chunk found wrong later ends the response body
/// with an error: the server then closes the connection, so the client sees a body shorter
/// than Content-Length, never a complete-looking wrong body. Both are logged.
struct VerifiedDownload: Sendable {
    let store: any ObjectStore
    let location: ObjectLocation
    let leaves: ChunkLeaves
    let size: Int64
    let logger: Logger
    /// Counts each refusal once (the `mledger_api_integrity_failures_total` metric).
    var onIntegrityFailure: @Sendable () -> Void = {}

    /// Checks the object's presence and size and reads and checks the first chunk of `range`;
    /// returns the response body that streams the rest.
    func prepare(range: ByteRange) async throws -> ResponseBody {
        let chunk = Int64(ChunkLeaves.chunkSize)
        guard ChunkLeaves.chunkCount(size: size) == leaves.hashes.count else {
            throw fail("the registry's chunk list does not fit the recorded size")
        }
        let stored: Int64?
        do { stored = try await store.size(location) } catch { throw fail("object unreadable: \(error)") }
        guard let stored else { throw fail("object \(location) is missing") }
        guard stored == size else { throw fail("object \(location) has \(stored) bytes, the anchored record \(size)") }
        guard range.upper > range.lower else { return ResponseBody() }

        let firstChunk = range.lower / chunk
        let readStart = firstChunk * chunk
        let readEnd = min(size, ((range.upper + chunk - 1) / chunk) * chunk)
        let reader: any ObjectReader
        do { reader = try await store.read(location, range: readStart..<readEnd) } catch {
            throw fail("object unreadable: \(error)")
        }
        let source = ChunkSource(reader: reader, leaves: leaves, size: size, nextChunk: Int(firstChunk), end: readEnd)
        // The first chunk is checked now, so a tampered small file answers 409, not a broken stream.
        let first: [UInt8]
        do {
            guard let bytes = try await source.next(maxChunks: 1) else { throw SharingError.integrity("object \(location) ends early") }
            first = bytes
        } catch let error as SharingError {
            if case .integrity(let detail) = error { throw fail(detail) }
            throw error
        } catch {
            throw fail("\(error)")
        }
        let logger = self.logger, location = self.location, onIntegrityFailure = self.onIntegrityFailure
        return ResponseBody(contentLength: Int(range.upper - range.lower)) { writer in
            var offset = readStart
            var bytes: [UInt8]? = first
            // The next batch is read and verified while this one is written: disk, hashing (on
            // both cores) and the socket overlap instead of taking turns.
            var ahead: Task<[UInt8]?, any Error>? = nil
            defer { ahead?.cancel() }
            while let batch = bytes {
                let batchEnd = offset + Int64(batch.count)
                if batchEnd < range.upper { ahead = Task { try await source.next(maxChunks: ChunkSource.batchChunks) } }
                let from = max(range.lower, offset), to = min(range.upper, batchEnd)
                if to > from {
                    try await writer.write(ByteBuffer(bytes: batch[Int(from - offset)..<Int(to - offset)]))
                }
                offset = batchEnd
                guard let pending = ahead else { break }
                ahead = nil
                do { bytes = try await pending.value } catch {
                    onIntegrityFailure()
                    logger.error("integrity: download of \(location) aborted at byte \(offset): \(error)")
                    throw error
                }
                if bytes == nil, offset < range.upper {
                    onIntegrityFailure()
                    logger.error("integrity: \(location) ended at byte \(offset) of \(range.upper)")
                    throw SharingError.integrity("object ended early")
                }
            }
            try await writer.finish(nil)
        }
    }

    private func fail(_ detail: String) -> SharingError {
        onIntegrityFailure()
        logger.error("integrity: refusing to serve \(location): \(detail)")
        return .integrity(detail)
    }
}

/// The chunks of an object in order, each checked against its leaf before it is handed out.
/// Used by one task at a time (the download awaits each batch before asking for the next),
/// which is why it may be a class shared with the read-ahead task.
final class ChunkSource: @unchecked Sendable {
    /// Chunks per read-ahead batch: 1 MiB, large enough to amortize the store round trip and to
    /// split the hashing across cores, small enough to keep a download's memory flat.
    static let batchChunks = 16

    let reader: any ObjectReader
    let leaves: ChunkLeaves
    let size: Int64
    private(set) var nextChunk: Int
    let end: Int64

    init(reader: any ObjectReader, leaves: ChunkLeaves, size: Int64, nextChunk: Int, end: Int64) {
        self.reader = reader
        self.leaves = leaves
        self.size = size
        self.nextChunk = nextChunk
        self.end = end
    }

    /// The next up to `maxChunks` chunks, verified, as one array; nil after the last one asked for.
    func next(maxChunks: Int) async throws -> [UInt8]? {
        let chunk = Int64(ChunkLeaves.chunkSize)
        let start = Int64(nextChunk) * chunk
        guard start < end || (size == 0 && nextChunk == 0) else { return nil }
        let want = Int(min(chunk * Int64(maxChunks), min(end, size) - start))
        var bytes: [UInt8] = []
        bytes.reserveCapacity(want)
        while bytes.count < want {
            guard let piece = try await reader.next(maxBytes: want - bytes.count) else {
                throw SharingError.integrity("chunk \(nextChunk + bytes.count / Int(chunk)) is truncated")
            }
            bytes.append(contentsOf: piece)
        }
        guard bytes.count == want else { throw SharingError.integrity("chunk \(nextChunk) is longer than recorded") }
        if let bad = await Self.firstMismatch(bytes, leaves: leaves, firstChunk: nextChunk) {
            throw SharingError.integrity("chunk \(bad) does not match its anchored hash")
        }
        nextChunk += max(1, (want + Int(chunk) - 1) / Int(chunk))
        return bytes
    }

    /// The first chunk of `bytes` (numbered from `firstChunk`) whose Keccak-256 is not its leaf.
    /// Batches of eight chunks or more are hashed by two tasks at once, one per half.
    static func firstMismatch(_ bytes: [UInt8], leaves: ChunkLeaves, firstChunk: Int) async -> Int? {
        let chunk = ChunkLeaves.chunkSize
        let count = max(1, (bytes.count + chunk - 1) / chunk)
        @Sendable func check(_ chunks: Range<Int>) -> Int? {
            bytes.withUnsafeBytes { raw in
                let lower = chunks.lowerBound * chunk, upper = min(bytes.count, chunks.upperBound * chunk)
                let hashes = Keccak256.hashChunks(UnsafeRawBufferPointer(rebasing: raw[lower..<upper]), chunkSize: chunk)
                if bytes.isEmpty { return Keccak256.hash([UInt8]()) == leaves.hashes[firstChunk] ? nil : firstChunk }
                for (offset, hash) in hashes.enumerated() where hash != leaves.hashes[firstChunk + chunks.lowerBound + offset] {
                    return firstChunk + chunks.lowerBound + offset
                }
                return nil
            }
        }
        guard count >= 8 else { return check(0..<count) }
        let half = count / 2 / 4 * 4  // whole groups of four for the four-way hash
        async let second = check(half..<count)
        let first = check(0..<half)
        let later = await second
        return first ?? later
    }
}
