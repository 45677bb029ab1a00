import Contracts
import LedgerCrypto
import Foundation
import Hummingbird
import NIOCore
import ObjectStore
import Primitives
import Registry

/// A model made from another by a service (a translation, an online-learning snapshot): its
/// file, how it relates to the parent, and what it adds to the parent's posted fields.
public struct DerivedModel: Sendable {
    public var parent: UUID
    public var relation: ModelRelation
    /// The record's backend, e.g. `onnx`.
    public var backend: String
    /// The derived model's file; its Keccak-256 becomes the record's weights hash.
    public var artifact: Data
    /// Anchored as the record's `metricsHash` (a translation anchors its certificate's hash).
    public var metricsHash: Hash32
    /// Fields added to `model_params` of the parent's posted document (the parent's own
    /// fields, its invariant metadata, are copied; `res_hash` and `backend` are replaced).
    public var addedFields: [String: JSONValue]

    public init(parent: UUID, relation: ModelRelation, backend: String, artifact: Data, metricsHash: Hash32,
                addedFields: [String: JSONValue] = [:]) {
        self.parent = parent
        self.relation = relation
        self.backend = backend
        self.artifact = artifact
        self.metricsHash = metricsHash
        self.addedFields = addedFields
    }
}

/// A finalized model's registry row, its posted document and its stored file, checked against
/// the weights hash anchored on the chain.
public struct FinalizedModelFile: Sendable {
    public var row: ModelRow
    public var posted: JSONValue
    public var bytes: Data
}

extension ModelSharingService {
    /// The caller's finalized model `id` with its file: another company's model (or none) is
    /// `notFound`, a model without a final file is a `conflict`, a file larger than `maxBytes`
    /// is `payloadTooLarge`, bytes that do not hash to the anchored weights hash are `integrity`.
    public func finalizedModelFile(id: UUID, company: String, maxBytes: Int) async throws -> FinalizedModelFile {
        guard let row = try await registry.model(id: id), row.company == company else {
            throw SharingError.notFound("no model \(Self.text(id))")
        }
        guard row.status == .finalized else { throw SharingError.conflict("model \(Self.text(id)) is not finalized") }
        guard let artifact = row.artifact else { throw SharingError.conflict("model \(Self.text(id)) has no stored file") }
        guard artifact.sizeBytes <= Int64(maxBytes) else {
            throw SharingError.payloadTooLarge("model file of \(artifact.sizeBytes) bytes (limit \(maxBytes))")
        }
        let location = try ObjectLocation(company: ObjectNames.company(row.company), key: artifact.objectKey)
        let anchored = try await reader.read(reader.model.weightsHash(), at: try Self.address(row.contractAddress))
        var bytes = [UInt8]()
        let object = try await store.read(location, range: nil)
        while let piece = try await object.next(maxBytes: 1 << 20) {
            bytes += piece
            if bytes.count > maxBytes { throw SharingError.integrity("stored object is larger than its record") }
        }
        guard Keccak256.hash(bytes) == anchored else {
            throw SharingError.integrity("stored bytes of model \(Self.text(id)) do not match the anchored weightsHash")
        }
        return FinalizedModelFile(row: row, posted: JSONValue.parse(Array(row.metadata.utf8)) ?? .object([:]), bytes: Data(bytes))
    }

    /// Registers `derived` for `company`: the file is stored, a `ModelRecord` anchored with the
    /// parent's invariant fields (developer, architecture, hyper-parameters, seeds, recipe,
    /// datasets, shapes, parameter count), `parent` and `relation` set, finalized with the
    /// file's hash, its chunk root and `metricsHash`; then the registry row is committed. A
    /// failure after the file is stored deletes it (the pending-object entry covers a crash).
    public func registerDerivedModel(company: String, _ derived: DerivedModel) async throws -> UUID {
        guard let parent = try await registry.model(id: derived.parent), parent.company == company else {
            throw SharingError.notFound("no model \(Self.text(derived.parent))")
        }
        guard parent.status == .finalized else { throw SharingError.conflict("model \(Self.text(derived.parent)) is not finalized") }
        let id = UUID()
        let posted = Self.derivedDocument(parent: JSONValue.parse(Array(parent.metadata.utf8)) ?? .object([:]), derived: derived)
        let plan: ModelPlan
        do {
            plan = try await modelPlan(posted, caller: RequestIdentity(company: company, developer: parent.developer), id: id)
        } catch {
            throw SharingError.conflict("model \(Self.text(derived.parent)) has no registration a derived model can copy: \(SharingError.from(error))")
        }
        var registration = plan.registration
        registration.backend = derived.backend
        registration.parent = try Self.address(parent.contractAddress)
        registration.relation = derived.relation

        let artifact = try await ingest.ingest(bytes: derived.artifact,
                                               location: try ObjectNames.location(organization: company, kind: "models", id: id))
        do {
            try await faults.afterStore?()
            let sender = try await senders.sender(company: company)
            let (address, _) = try await sender.deploy(initCode: try reader.model.deployData(registration))
            _ = try await sender.transact(to: address, data: try reader.model.finalizeWithArtifact(
                weightsHash: artifact.keccak, metricsHash: derived.metricsHash, artifactCommitment: artifact.chunkRoot))
            try await faults.afterAnchor?()
            try await registry.insert(ModelRow(id: id, company: company, developer: registration.developerId, contractAddress: address.description,
                                               status: .finalized, unverified: false, created: Self.now(), datasetId: plan.dataset,
                                               artifact: artifact.info, metadata: posted.serialized))
        } catch {
            await ingest.discard(artifact)
            throw error
        }
        return id
    }

    /// The parent's posted document with `model_params` (or the flat fields) amended.
    static func derivedDocument(parent: JSONValue, derived: DerivedModel) -> JSONValue {
        guard case .object(var top) = parent else { return parent }
        func amend(_ fields: inout [String: JSONValue]) {
            fields["res_hash"] = nil
            fields["backend"] = .string(derived.backend)
            fields["parent_model_id"] = .string(text(derived.parent))
            for (k, v) in derived.addedFields { fields[k] = v }
        }
        if case .object(var params)? = top["model_params"] {
            amend(&params)
            top["model_params"] = .object(params)
        } else {
            amend(&top)
        }
        return .object(top)
    }

    /// The caller of a request handled by a service built on model sharing.
    public func caller<Context: IdentityRequestContext>(_ context: Context) throws -> RequestIdentity { try identity(context) }

    /// Runs a handler of a service built on model sharing: its JSON as 200, any error as the
    /// API's JSON error with its status (SharingError's mapping).
    public func respondJSON(_ handler: () async throws -> JSONValue) async -> Response {
        await respond { .json(try await handler()) }
    }

    /// The `{id}` path parameter as a UUID (422 otherwise).
    public static func pathID<Context: RequestContext>(_ context: Context) throws -> UUID { try id(context) }
}

extension ArtifactIngest {
    /// Stores bytes already in memory (a file a service made), hashed as an upload is.
    func ingest(bytes: Data, location: ObjectLocation) async throws -> IngestedArtifact {
        try await registry.addPendingObject(company: location.company, key: location.key)
        let upload: any ObjectUpload
        do { upload = try await store.beginUpload(location) } catch {
            try? await registry.removePendingObject(company: location.company, key: location.key)
            throw error
        }
        do {
            var hasher = ArtifactHasher()
            bytes.withUnsafeBytes { hasher.update($0) }
            try await upload.write(ArraySlice([UInt8](bytes)))
            let size = try await upload.commit()
            guard size == hasher.size else { throw SharingError.internalFailure("store committed \(size) bytes of \(hasher.size)") }
            let (keccak, leaves) = hasher.finish()
            return IngestedArtifact(location: location, size: size, keccak: keccak, leaves: leaves, summary: nil)
        } catch {
            await upload.abort()
            try? await store.delete(location)
            try? await registry.removePendingObject(company: location.company, key: location.key)
            throw error
        }
    }
}
