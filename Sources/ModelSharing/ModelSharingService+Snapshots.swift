import Contracts
import LedgerCrypto
import Foundation
import LedgerClient
import ObjectStore
import Primitives
import Registry

/// What a service built on model sharing (online learning) hands over to anchor one model
/// snapshot: the weights file's bytes and the fields of its `ModelRecord`.
public struct SnapshotRegistration: Sendable {
    /// The registry id of the new record; chosen by the caller so that a caller that dies after
    /// asking can find out, on restart, whether the record was committed.
    public var id: UUID
    public var company: String
    public var developer: String
    public var weights: [UInt8]
    /// Canonical JSON stored on chain as the record's hyper-parameters (at most 4,096 bytes).
    public var hyperParameters: String
    public var trainingRecipe: String
    public var backend: String
    public var architectureHash: Hash32
    public var inputShape: [UInt256]
    public var outputShape: [UInt256]
    public var parameterCount: UInt256
    /// The record this one continues (its parent, which must be final); nil for a first snapshot.
    public var parent: Address?
    public var relation: ModelRelation
    /// The document stored as the registry row's posted metadata (what `GET /model/{id}/metadata` shows).
    public var metadata: JSONValue

    public init(id: UUID, company: String, developer: String, weights: [UInt8], hyperParameters: String, trainingRecipe: String,
                backend: String, architectureHash: Hash32, inputShape: [UInt256], outputShape: [UInt256], parameterCount: UInt256,
                parent: Address?, relation: ModelRelation, metadata: JSONValue) {
        self.id = id
        self.company = company
        self.developer = developer
        self.weights = weights
        self.hyperParameters = hyperParameters
        self.trainingRecipe = trainingRecipe
        self.backend = backend
        self.architectureHash = architectureHash
        self.inputShape = inputShape
        self.outputShape = outputShape
        self.parameterCount = parameterCount
        self.parent = parent
        self.relation = relation
        self.metadata = metadata
    }
}

/// A snapshot as anchored: where its record is and what it commits to.
public struct AnchoredSnapshot: Sendable, Equatable {
    public var id: UUID
    public var contractAddress: Address
    public var weightsHash: Hash32
    public var chunkRoot: Hash32

    public init(id: UUID, contractAddress: Address, weightsHash: Hash32, chunkRoot: Hash32) {
        self.id = id
        self.contractAddress = contractAddress
        self.weightsHash = weightsHash
        self.chunkRoot = chunkRoot
    }
}

/// Model sharing as seen by services that keep models of their own (online learning): store
/// and anchor a snapshot in the usual order, read back a stored model's verified bytes, sign
/// with a company's account, read the chain height.
extension ModelSharingService {
    /// Stores the weights, deploys and finalizes a `ModelRecord` from the company's account and
    /// commits the registry row, in that order (the order and clean-up rules of uploads: a
    /// failure deletes the stored object; a deployed contract that could not be indexed stays
    /// unreferenced). Returns only once the row exists, so the snapshot is anchored before any
    /// caller serves it.
    public func anchorSnapshot(_ snapshot: SnapshotRegistration) async throws -> AnchoredSnapshot {
        let location = try ObjectNames.location(organization: snapshot.company, kind: "models", id: snapshot.id)
        try await registry.addPendingObject(company: location.company, key: location.key)
        var hasher = ArtifactHasher()
        snapshot.weights.withUnsafeBytes { hasher.update($0) }
        let (keccak, leaves) = hasher.finish()
        let upload: any ObjectUpload
        do { upload = try await store.beginUpload(location) } catch {
            try? await registry.removePendingObject(company: location.company, key: location.key)
            throw error
        }
        do {
            try await upload.write(snapshot.weights[...])
            let size = try await upload.commit()
            guard size == Int64(snapshot.weights.count) else { throw SharingError.internalFailure("store committed \(size) of \(snapshot.weights.count) bytes") }
        } catch {
            await upload.abort()
            try? await store.delete(location)
            try? await registry.removePendingObject(company: location.company, key: location.key)
            throw error
        }
        let artifact = IngestedArtifact(location: location, size: Int64(snapshot.weights.count), keccak: keccak, leaves: leaves, summary: nil)
        do {
            try await faults.afterStore?()
            let registration = ModelRegistration(
                modelId: Self.text(snapshot.id), developerId: snapshot.developer, backend: snapshot.backend,
                architectureHash: snapshot.architectureHash, hyperParameters: snapshot.hyperParameters, seeds: [],
                trainingRecipe: snapshot.trainingRecipe, datasets: [], inputShape: snapshot.inputShape,
                outputShape: snapshot.outputShape, parameterCount: snapshot.parameterCount,
                parent: snapshot.parent ?? .zero, relation: snapshot.parent == nil ? .none : snapshot.relation)
            let address = try await anchorModel(company: snapshot.company, registration: registration, weights: keccak,
                                                artifactCommitment: artifact.chunkRoot)
            try await faults.afterAnchor?()
            try await registry.insert(ModelRow(id: snapshot.id, company: snapshot.company, developer: snapshot.developer,
                                               contractAddress: address.description, status: .finalized, unverified: false,
                                               created: Self.now(), datasetId: nil, artifact: artifact.info,
                                               metadata: snapshot.metadata.serialized))
            return AnchoredSnapshot(id: snapshot.id, contractAddress: address, weightsHash: keccak, chunkRoot: artifact.chunkRoot)
        } catch {
            await ingest.discard(artifact)
            throw error
        }
    }

    /// The registry row of a model and its record address, when indexed (whatever its company).
    public func indexedModel(id: UUID) async throws -> (row: ModelRow, address: Address)? {
        guard let row = try await registry.model(id: id) else { return nil }
        return (row, try Self.address(row.contractAddress))
    }

    /// The whole stored file of a final model of `company`, checked against the Keccak-256 its
    /// record anchors before it is returned (a model of another company is "not found").
    public func verifiedModelBytes(id: UUID, company: String) async throws -> (bytes: [UInt8], address: Address, weightsHash: Hash32) {
        guard let row = try await registry.model(id: id), row.company == company else {
            throw SharingError.notFound("no model \(Self.text(id)) of organization \(company)")
        }
        guard let artifact = row.artifact, let location = try? ObjectLocation(company: ObjectNames.company(company), key: artifact.objectKey) else {
            throw SharingError.conflict("model \(Self.text(id)) has no stored weights file")
        }
        let address = try Self.address(row.contractAddress)
        let anchored = try await reader.read(try reader.model.weightsHash(), at: address)
        let source = try await store.read(location)
        var bytes = [UInt8]()
        while let part = try await source.next(maxBytes: 1 << 20) { bytes += part }
        let hash = Keccak256.hash(bytes)
        guard hash == anchored else { throw SharingError.integrity("model \(Self.text(id)) does not match its anchored weights hash") }
        return (bytes, address, hash)
    }

    /// The address of `company`'s signing account (created on first use, as for registrations).
    public func companyAddress(company: String) throws -> Address {
        do { return try verification.keyring.signingKey(company: company, createIfMissing: true).address } catch {
            if case .invalidCompanyName = error { throw SharingError.invalidField("organization_id", reason: error.description) }
            throw SharingError.internalFailure("company account of \(company): \(error)")
        }
    }

    /// An EIP-191 personal-message signature (`personal_sign`, version 0x45) of `message` by
    /// `company`'s account: 65 bytes r ‖ s ‖ v with v = 27 or 28, as eth-account's
    /// `Account.recover_message` takes it.
    public func signPersonalMessage(_ message: [UInt8], company: String) throws -> (signature: [UInt8], signer: Address) {
        let key: SigningKey
        do { key = try verification.keyring.signingKey(company: company, createIfMissing: true) } catch {
            throw SharingError.internalFailure("company account of \(company): \(error)")
        }
        let hash = Self.personalMessageHash(message)
        let signature = try Secp256k1.sign(hash: hash, privateKey: key.privateKey)
        var bytes = signature.bytes65
        bytes[64] = bytes[64] &+ 27
        return (bytes, key.address)
    }

    /// Keccak-256 of "\u{19}Ethereum Signed Message:\n" + decimal length + message.
    public static func personalMessageHash(_ message: [UInt8]) -> Hash32 {
        Keccak256.hash(Array("\u{19}Ethereum Signed Message:\n\(message.count)".utf8) + message)
    }

    /// The ledger's current block number.
    public func blockNumber() async throws -> UInt64 { try await reader.client.blockNumber() }
}
