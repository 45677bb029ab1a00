import LedgerCrypto
import Datasets
import Foundation
import NIOCore
import ObjectStore
import Primitives
import Registry

/// What an upload produced: where it is, its hashes, and (datasets) what the scan found.
struct IngestedArtifact: Sendable {
    var location: ObjectLocation
    var size: Int64
    var keccak: Hash32
    var leaves: ChunkLeaves
    var summary: DatasetSummary?

    var chunkRoot: Hash32 { leaves.root }

    var info: ArtifactInfo {
        ArtifactInfo(objectKey: location.key, sizeBytes: size, keccak256: keccak.description,
                     chunkRoot: chunkRoot.description, chunkLeaves: leaves.packed)
    }
}

/// Streams one multipart file part into the object store while hashing it (and, for datasets,
/// scanning it). The upload is recorded as pending in the registry first, so that a process
/// that dies half way leaves an entry the start-up sweep finds; on any failure here the upload
/// is aborted and the entry removed, so nothing is left behind.
struct ArtifactIngest {
    let store: any ObjectStore
    let registry: Registry

    func ingest(part reader: MultipartReader, location: ObjectLocation, scanFormat: DatasetFormat?) async throws -> IngestedArtifact {
        let upload = try await begin(location)
        var hasher = ArtifactHasher()
        var scan = scanFormat.map { DatasetScan(format: $0) }
        var scanError: DatasetError?
        do {
            // Per batch of about 1 MiB, three things run at once: the whole-file Keccak on
            // another thread, the chunk leaves (and the dataset scan) here, and the write on the
            // store's I/O pool. The whole-file hash, the one inherently sequential pass, is one
            // batch behind: it runs while the next batch is received and hashed into leaves, so it
            // never waits for the network; and the next batch is received while this one is
            // processed (the reader is only ever used by that one receiving task at a time).
            // Each byte is read three times but never copied.
            let whole = hasher.whole
            var wholeBehind: Task<Void, Never>?
            let receiving = ReaderHandle(reader)
            var next = try await reader.nextBodyBatch(minimumBytes: 1 << 20)
            while let batch = next {
                async let following = receiving.reader.nextBodyBatch(minimumBytes: 1 << 20)
                async let written: Void = Self.write(batch, to: upload)
                for buffer in batch {
                    buffer.withUnsafeReadableBytes { hasher.updateChunks($0) }
                    if scan != nil, scanError == nil {
                        do { try buffer.withUnsafeReadableBytes { (b: UnsafeRawBufferPointer) throws(DatasetError) in try scan!.consume(b) } } catch {
                            scanError = error
                        }
                    }
                }
                await wholeBehind?.value
                wholeBehind = whole.start(batch)
                try await written
                next = try await following
            }
            await wholeBehind?.value
            var summary: DatasetSummary?
            if scan != nil, scanError == nil {
                do { summary = try scan!.finish() } catch { scanError = error }
            }
            if let scanError { throw SharingError.invalidField("file", reason: "\(scanError)") }
            let size = try await upload.commit()
            let (keccak, leaves) = hasher.finish()
            guard size == hasher.size else {
                throw SharingError.internalFailure("store committed \(size) bytes of \(hasher.size)")
            }
            // The scanner folds its own commitment over the same bytes: two implementations of
            // the chunk rule must agree before either is anchored.
            if let summary, summary.commitment != leaves.root {
                throw SharingError.internalFailure("chunk roots disagree (scanner \(summary.commitment), leaves \(leaves.root))")
            }
            return IngestedArtifact(location: location, size: size, keccak: keccak, leaves: leaves, summary: summary)
        } catch {
            await abandon(upload, at: location)
            throw error
        }
    }

    /// Notes the object as pending (for the start-up sweep) and opens its upload; on failure
    /// nothing is left behind.
    func begin(_ location: ObjectLocation) async throws -> any ObjectUpload {
        try await registry.addPendingObject(company: location.company, key: location.key)
        do { return try await store.beginUpload(location) } catch {
            try? await registry.removePendingObject(company: location.company, key: location.key)
            throw error
        }
    }

    private static func write(_ batch: [ByteBuffer], to upload: any ObjectUpload) async throws {
        for buffer in batch { try await upload.write(buffer: buffer) }
    }

    /// Undoes an upload that failed before its object was referenced by a row.
    func abandon(_ upload: any ObjectUpload, at location: ObjectLocation) async {
        await upload.abort()
        try? await store.delete(location)
        try? await registry.removePendingObject(company: location.company, key: location.key)
    }

    /// Undoes a committed upload whose registration failed later.
    func discard(_ artifact: IngestedArtifact) async {
        try? await store.delete(artifact.location)
        try? await registry.removePendingObject(company: artifact.location.company, key: artifact.location.key)
    }

    /// Start-up sweep: temporaries of uploads never committed, and committed objects whose
    /// registration never completed. Returns how many were removed.
    func sweep() async throws -> Int {
        var removed = try await store.sweepIncomplete()
        for pending in try await registry.pendingObjects() {
            if let location = try? ObjectLocation(company: pending.company, key: pending.key) {
                try await store.delete(location)
                removed += 1
            }
            try await registry.removePendingObject(company: pending.company, key: pending.key)
        }
        return removed
    }
}

/// Hands the multipart reader to the task that receives the next batch; sound because exactly
/// one task uses the reader at a time (each receive is awaited before the next starts).
private struct ReaderHandle: @unchecked Sendable {
    let reader: MultipartReader
    init(_ reader: MultipartReader) { self.reader = reader }
}

/// Object-store names for the API's organizations and ids.
enum ObjectNames {
    /// The store's company namespace for an organization: the name itself when it already fits
    /// the store's rules (`[a-z0-9-]`, 3 to 63 characters), else `h-` and 32 hex digits of its
    /// Keccak-256. Names that fit never start with `h-` here, so the two forms cannot collide.
    static func company(_ organization: String) -> String {
        if !organization.hasPrefix("h-"), let location = try? ObjectLocation(company: organization, key: "x") {
            return location.company
        }
        return "h-" + String(Keccak256.hash(Array(organization.utf8)).description.dropFirst(2).prefix(32))
    }

    /// `datasets/<id>/<nonce>` or `models/<id>/<nonce>`: a fresh key per upload, so two
    /// concurrent uploads for one id never overwrite each other and the loser deletes only its own.
    static func location(organization: String, kind: String, id: UUID) throws -> ObjectLocation {
        try ObjectLocation(company: company(organization), key: "\(kind)/\(id.uuidString.lowercased())/\(UUID().uuidString.lowercased())")
    }
}
