import Foundation
import GRDB

/// Where a registered dataset or model stands.
public enum RecordStatus: String, Codable, Sendable, CaseIterable {
    /// Anchored on chain; for a model, its trained weights are still to come (`PUT /model/{id}`).
    case registered
    /// Anchored and final: a model's weights hash is on chain, a dataset's content is complete.
    case finalized
}

/// The stored file of a dataset or model and its hashes, as computed while it was uploaded.
public struct ArtifactInfo: Equatable, Sendable {
    /// Key of the object inside the company's part of the object store.
    public var objectKey: String
    public var sizeBytes: Int64
    /// Keccak-256 of the whole file, 0x-hex (what `mledger audit` checks as weightsHash).
    public var keccak256: String
    /// Root of the 64 KiB chunk Merkle commitment (Datasets.ChunkMerkleCommitment), 0x-hex.
    public var chunkRoot: String
    /// The leaf hashes (32 bytes each, in chunk order): with them a download checks each chunk
    /// as it goes; they are checked against the chunk root before the first byte is sent.
    public var chunkLeaves: Data

    public init(objectKey: String, sizeBytes: Int64, keccak256: String, chunkRoot: String, chunkLeaves: Data) {
        self.objectKey = objectKey
        self.sizeBytes = sizeBytes
        self.keccak256 = keccak256
        self.chunkRoot = chunkRoot
        self.chunkLeaves = chunkLeaves
    }
}

/// One row of `datasets`.
public struct DatasetRow: Equatable, Sendable {
    public var id: UUID
    public var company: String
    public var developer: String
    /// The `DatasetRecord` contract, 0x-hex.
    public var contractAddress: String
    public var status: RecordStatus
    public var created: Date
    public var artifact: ArtifactInfo?
    public var sampleCount: Int64?
    /// The metadata JSON exactly as the client posted it, so every field reads back as written.
    public var metadata: String

    public init(id: UUID, company: String, developer: String, contractAddress: String, status: RecordStatus,
                created: Date, artifact: ArtifactInfo?, sampleCount: Int64?, metadata: String) {
        self.id = id
        self.company = company
        self.developer = developer
        self.contractAddress = contractAddress
        self.status = status
        self.created = created
        self.artifact = artifact
        self.sampleCount = sampleCount
        self.metadata = metadata
    }
}

/// One row of `models`.
public struct ModelRow: Equatable, Sendable {
    public var id: UUID
    public var company: String
    public var developer: String
    public var contractAddress: String
    public var status: RecordStatus
    /// Registered through `POST /model/unverified`: no controlled training, no dataset.
    public var unverified: Bool
    public var created: Date
    /// The dataset the model was trained on (nil for unverified models).
    public var datasetId: UUID?
    public var artifact: ArtifactInfo?
    public var metadata: String

    public init(id: UUID, company: String, developer: String, contractAddress: String, status: RecordStatus,
                unverified: Bool, created: Date, datasetId: UUID?, artifact: ArtifactInfo?, metadata: String) {
        self.id = id
        self.company = company
        self.developer = developer
        self.contractAddress = contractAddress
        self.status = status
        self.unverified = unverified
        self.created = created
        self.datasetId = datasetId
        self.artifact = artifact
        self.metadata = metadata
    }
}

// MARK: Row mapping (explicit columns, so renaming a Swift property never renames a column)

extension ArtifactInfo {
    init?(row: Row) {
        guard let key: String = row["object_key"] else { return nil }
        self.init(objectKey: key, sizeBytes: row["size_bytes"], keccak256: row["keccak256"],
                  chunkRoot: row["chunk_root"], chunkLeaves: row["chunk_leaves"])
    }

    func encode(to container: inout PersistenceContainer) {
        container["object_key"] = objectKey
        container["size_bytes"] = sizeBytes
        container["keccak256"] = keccak256
        container["chunk_root"] = chunkRoot
        container["chunk_leaves"] = chunkLeaves
    }
}

extension DatasetRow: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "datasets"

    public init(row: Row) throws {
        guard let status = RecordStatus(rawValue: row["status"]) else {
            throw RegistryError.corrupt("dataset \(row["id"] as String? ?? "?") has unknown status \(row["status"] as String? ?? "?")")
        }
        self.init(id: try RegistryIDs.uuid(row["id"]), company: row["company"], developer: row["developer"],
                  contractAddress: row["contract_address"], status: status, created: row["created"],
                  artifact: ArtifactInfo(row: row), sampleCount: row["sample_count"], metadata: row["metadata"])
    }

    public func encode(to container: inout PersistenceContainer) throws {
        container["id"] = RegistryIDs.text(id)
        container["company"] = company
        container["developer"] = developer
        container["contract_address"] = contractAddress
        container["status"] = status.rawValue
        container["created"] = created
        artifact?.encode(to: &container)
        container["sample_count"] = sampleCount
        container["metadata"] = metadata
    }
}

extension ModelRow: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "models"

    public init(row: Row) throws {
        guard let status = RecordStatus(rawValue: row["status"]) else {
            throw RegistryError.corrupt("model \(row["id"] as String? ?? "?") has unknown status \(row["status"] as String? ?? "?")")
        }
        let dataset: String? = row["dataset_id"]
        self.init(id: try RegistryIDs.uuid(row["id"]), company: row["company"], developer: row["developer"],
                  contractAddress: row["contract_address"], status: status, unverified: row["unverified"],
                  created: row["created"], datasetId: try dataset.map(RegistryIDs.uuid),
                  artifact: ArtifactInfo(row: row), metadata: row["metadata"])
    }

    public func encode(to container: inout PersistenceContainer) throws {
        container["id"] = RegistryIDs.text(id)
        container["company"] = company
        container["developer"] = developer
        container["contract_address"] = contractAddress
        container["status"] = status.rawValue
        container["unverified"] = unverified
        container["created"] = created
        container["dataset_id"] = datasetId.map(RegistryIDs.text)
        artifact?.encode(to: &container)
        container["metadata"] = metadata
    }
}

/// Ids are stored as lowercase UUID text: readable in the sqlite3 shell and equal to what the
/// REST API prints.
enum RegistryIDs {
    static func text(_ id: UUID) -> String { id.uuidString.lowercased() }

    static func uuid(_ text: String) throws -> UUID {
        guard let id = UUID(uuidString: text) else { throw RegistryError.corrupt("id \(text) is not a UUID") }
        return id
    }
}
