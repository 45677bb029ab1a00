import Contracts
import LedgerCrypto
import Foundation
import Hummingbird
import ObjectStore
import Primitives
import Registry

/// A dataset file read back from the store, every chunk checked against the commitment its
/// `DatasetRecord` anchors.
public struct VerifiedDatasetFile: Sendable {
    public var datasetId: UUID
    public var contract: Address
    public var commitment: Hash32
    public var bytes: [UInt8]
}

/// What a model's record says about its training recipe.
public struct ModelRecipeState: Sendable, Equatable {
    public var recipeAnchored: Bool
    public var hyperParameters: String
    public var hyperParametersHash: Hash32
    public var seeds: [UInt256]
    public var trainingRecipe: String
    public var finalized: Bool
}

/// The model-sharing operations the training service builds on: scoped model look-ups, verified
/// dataset reads, the recipe anchor and the finalization of a trained model through the same
/// store and accounts as `PUT /model/{id}`.
extension ModelSharingService {
    /// The model `id` when the caller may see it; 404 otherwise (another company's model too).
    public func visibleModel<Context: IdentityRequestContext>(_ id: UUID, context: Context) async throws -> ModelRow {
        try await modelRow(id, context: context)
    }

    /// The model row, unscoped (for the job worker, which acts for the job's company).
    public func storedModel(_ id: UUID) async throws -> ModelRow {
        guard let row = try await registry.model(id: id) else { throw SharingError.notFound("no model \(Self.text(id))") }
        return row
    }

    /// Reads the dataset's stored file, checking its chunk list against the chain's commitment
    /// and every chunk against its leaf. A dataset without a file is a 409, a mismatch an integrity 409.
    public func verifiedDatasetFile(_ id: UUID) async throws -> VerifiedDatasetFile {
        guard let row = try await registry.dataset(id: id) else { throw SharingError.notFound("no dataset \(Self.text(id))") }
        guard let artifact = row.artifact else {
            throw SharingError.conflict("dataset \(Self.text(id)) has no stored file to train on")
        }
        let address = try Self.address(row.contractAddress)
        let anchored = try await reader.read(reader.dataset.commitment(), at: address)
        guard let leaves = ChunkLeaves(packed: artifact.chunkLeaves), leaves.root == anchored else {
            throw SharingError.integrity("dataset \(Self.text(id)): stored chunk list does not match the anchored commitment \(anchored)")
        }
        let location = try ObjectLocation(company: ObjectNames.company(row.company), key: artifact.objectKey)
        guard let stored = try await store.size(location), stored == artifact.sizeBytes else {
            throw SharingError.integrity("dataset \(Self.text(id)): object missing or of the wrong size")
        }
        let object = try await store.read(location, range: nil)
        let source = ChunkSource(reader: object, leaves: leaves, size: artifact.sizeBytes, nextChunk: 0, end: artifact.sizeBytes)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(artifact.sizeBytes))
        while let chunk = try await source.next(maxChunks: ChunkSource.batchChunks) { bytes.append(contentsOf: chunk) }
        guard Int64(bytes.count) == artifact.sizeBytes else { throw SharingError.integrity("dataset \(Self.text(id)) ends early") }
        return VerifiedDatasetFile(datasetId: id, contract: address, commitment: anchored, bytes: bytes)
    }

    /// The recipe fields of the model's record, read from the chain.
    public func recipeState(contract: String) async throws -> ModelRecipeState {
        let address = try Self.address(contract)
        let m = reader.model
        return ModelRecipeState(
            recipeAnchored: try await reader.read(m.recipeAnchored(), at: address),
            hyperParameters: try await reader.read(m.hyperParameters(), at: address),
            hyperParametersHash: try await reader.read(m.hyperParametersHash(), at: address),
            seeds: try await reader.read(m.seeds(), at: address),
            trainingRecipe: try await reader.read(m.trainingRecipe(), at: address),
            finalized: try await reader.read(m.finalized(), at: address))
    }

    /// Sends `anchorRecipe` from the company's account and waits for its receipt.
    public func anchorRecipe(company: String, contract: String, hyperParameters: String, seeds: [UInt256],
                             trainingRecipe: String) async throws {
        let sender = try await senders.sender(company: company)
        _ = try await sender.transact(to: try Self.address(contract),
                                      data: try reader.model.anchorRecipe(hyperParameters: hyperParameters, seeds: seeds,
                                                                          trainingRecipe: trainingRecipe))
    }

    /// Stores a trained weights file for model `id` (as `PUT /model/{id}` does), finalizes its
    /// record with the file's hash, `metricsHash` and the chunk commitment from the company's
    /// account, and marks the registry row final. Any failure deletes the stored object.
    public func finalizeTrainedModel(_ id: UUID, weightsFile: URL, metricsHash: Hash32) async throws -> ArtifactInfo {
        let row = try await storedModel(id)
        guard row.status != .finalized else { throw SharingError.conflict("model \(Self.text(id)) is already finalized") }
        let artifact = try await ingest.ingest(file: weightsFile, location: try ObjectNames.location(organization: row.company, kind: "models", id: id))
        do {
            let sender = try await senders.sender(company: row.company)
            _ = try await sender.transact(to: try Self.address(row.contractAddress),
                                          data: try reader.model.finalizeWithArtifact(weightsHash: artifact.keccak, metricsHash: metricsHash,
                                                                                      artifactCommitment: artifact.chunkRoot))
            try await registry.finalizeModel(id: id, artifact: artifact.info)
        } catch {
            await ingest.discard(artifact)
            throw error
        }
        return artifact.info
    }
}

extension ArtifactIngest {
    /// Copies a local file into the store while hashing it, under a pending-object entry (the
    /// start-up sweep removes it if the process dies before a row references it).
    func ingest(file: URL, location: ObjectLocation) async throws -> IngestedArtifact {
        let upload = try await begin(location)
        var hasher = ArtifactHasher()
        do {
            let handle = try FileHandle(forReadingFrom: file)
            defer { try? handle.close() }
            while let data = try handle.read(upToCount: 1 << 20), !data.isEmpty {
                data.withUnsafeBytes { hasher.update($0) }
                try await upload.write(ArraySlice(data))
            }
            let size = try await upload.commit()
            guard size == hasher.size else { throw SharingError.internalFailure("store committed \(size) bytes of \(hasher.size)") }
            let (keccak, leaves) = hasher.finish()
            return IngestedArtifact(location: location, size: size, keccak: keccak, leaves: leaves, summary: nil)
        } catch {
            await abandon(upload, at: location)
            throw error
        }
    }
}

extension SharingError {
    /// The JSON error response (status and `{"error", "field"?}` body) of any error, mapped as
    /// the model-sharing routes map theirs; for services that mount their routes beside them.
    public static func response(for error: any Error) -> Response { from(error).response }

    /// The API error any lower-layer error maps to.
    public static func mapped(_ error: any Error) -> SharingError { from(error) }
}
