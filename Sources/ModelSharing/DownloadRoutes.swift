import LedgerCrypto
import Foundation
import Hummingbird
import NIOCore
import ObjectStore
import Primitives
import Registry

extension ModelSharingService {
    enum DownloadKind { case dataset, model }

    /// `GET /dataset/{id}`, `GET /model/{id}`: the stored bytes, checked against the chain.
    ///
    /// Trust chain: the root of the file's 64 KiB chunk tree is on chain (a `DatasetRecord`'s
    /// `commitment`, a `ModelRecord`'s `artifactCommitment`), so the registry's leaf list is
    /// checked against that root (no read of the file), and then every chunk against its leaf as
    /// it streams. A model finalized without `artifactCommitment` (through the verification API)
    /// has only the whole file's Keccak-256 on chain, which no chunk can be checked against
    /// alone: its file is read once before the response starts, its Keccak compared with the
    /// chain and its leaves with the registry's, and the streamed chunks are checked against
    /// those leaves, so bytes changed between the two reads are caught too.
    func download<Context: IdentityRequestContext>(kind: DownloadKind, id: UUID, request: Request,
                                                   context: Context) async throws -> Reply {
        let company: String, contract: String, artifact: ArtifactInfo?, name: String
        switch kind {
        case .dataset:
            let row = try await datasetRow(id, context: context)
            (company, contract, artifact, name) = (row.company, row.contractAddress, row.artifact, "dataset")
        case .model:
            let row = try await modelRow(id, context: context)
            (company, contract, artifact, name) = (row.company, row.contractAddress, row.artifact, "model")
        }
        guard let artifact else { throw SharingError.notFound("\(name) \(Self.text(id)) has no stored file") }
        let location = try ObjectLocation(company: ObjectNames.company(company), key: artifact.objectKey)
        guard let leaves = ChunkLeaves(packed: artifact.chunkLeaves), leaves.root.description == artifact.chunkRoot else {
            throw integrityFailure(location, "the registry's chunk list does not match its chunk root")
        }
        let address = try Self.address(contract)
        switch kind {
        case .dataset:
            let anchored = try await reader.read(reader.dataset.commitment(), at: address)
            guard anchored == leaves.root else {
                throw integrityFailure(location, "the chunk root \(leaves.root) is not the anchored commitment \(anchored)")
            }
        case .model:
            let anchored = try await reader.read(reader.model.weightsHash(), at: address)
            guard anchored.description == artifact.keccak256 else {
                throw integrityFailure(location, "the recorded keccak256 is not the anchored weightsHash \(anchored)")
            }
            let commitment = try await reader.read(reader.model.artifactCommitment(), at: address)
            if commitment == .zero {
                // Finalized with `finalize` alone (no chunk root on chain): check the whole file first.
                try await preverify(location: location, size: artifact.sizeBytes, keccak: anchored, leaves: leaves)
            } else if commitment != leaves.root {
                throw integrityFailure(location, "the chunk root \(leaves.root) is not the anchored artifactCommitment \(commitment)")
            }
        }

        let size = artifact.sizeBytes
        var headers: HTTPFields = [
            .contentType: "application/octet-stream",
            .eTag: "\"\(artifact.keccak256)\"",
            .acceptRanges: "bytes",
        ]
        let range: ByteRange?
        do { range = try ByteRange.parse(request.headers[.range], size: size) } catch {
            headers[.contentRange] = "bytes */\(size)"
            headers[.contentType] = "application/json"  // the body is the JSON error, not the object
            return .response(Response(status: .rangeNotSatisfiable, headers: headers,
                                      body: ResponseBody(byteBuffer: ByteBuffer(string: SharingError.invalidField("Range", reason: "outside the object").body.serialized))))
        }
        let download = VerifiedDownload(store: store, location: location, leaves: leaves, size: size, logger: logger,
                                        onIntegrityFailure: { [metrics] in metrics.integrityFailure(kind) })
        let served = range ?? ByteRange(lower: 0, upper: size)
        let body = try await download.prepare(range: served)
        headers[.contentLength] = String(served.upper - served.lower)
        if let range {
            headers[.contentRange] = "bytes \(range.lower)-\(range.upper - 1)/\(size)"
            return .response(Response(status: .partialContent, headers: headers, body: body))
        }
        return .response(Response(status: .ok, headers: headers, body: body))
    }

    /// Reads the whole object once: its Keccak-256 must be `keccak` and its chunk leaves `leaves`.
    private func preverify(location: ObjectLocation, size: Int64, keccak: Hash32, leaves: ChunkLeaves) async throws {
        let object: any ObjectReader
        do { object = try await store.read(location, range: nil) } catch {
            throw integrityFailure(location, "object unreadable: \(error)")
        }
        var hasher = ArtifactHasher()
        do {
            while let piece = try await object.next(maxBytes: 1 << 20) {
                piece.withUnsafeBytes { hasher.update($0) }
                if hasher.size > size { break }
            }
        } catch {
            throw integrityFailure(location, "object unreadable: \(error)")
        }
        guard hasher.size == size else { throw integrityFailure(location, "object has \(hasher.size)+ bytes, the record \(size)") }
        let (whole, read) = hasher.finish()
        guard whole == keccak, read == leaves else {
            throw integrityFailure(location, "stored bytes do not match the anchored weightsHash")
        }
    }

    private func integrityFailure(_ location: ObjectLocation, _ detail: String) -> SharingError {
        metrics.integrityFailure(location.key.hasPrefix("datasets/") ? .dataset : .model)
        logger.error("integrity: refusing to serve \(location): \(detail)")
        return .integrity(detail)
    }
}
