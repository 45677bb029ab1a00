import Foundation
import GRDB

/// Filters of `GET /datasets` and `GET /models`; nil means "any".
public struct RegistryFilter: Sendable, Equatable {
    /// Always set by the services: a company sees only its own records.
    public var company: String
    public var developer: String?
    public var status: RecordStatus?
    /// Models only: trained on this dataset.
    public var datasetId: UUID?

    public init(company: String, developer: String? = nil, status: RecordStatus? = nil, datasetId: UUID? = nil) {
        self.company = company
        self.developer = developer
        self.status = status
        self.datasetId = datasetId
    }
}

/// A page of a listing: newest first, `offset` rows skipped, at most `limit` returned.
public struct RegistryPage: Sendable, Equatable {
    public static let maxLimit = 500
    public var limit: Int
    public var offset: Int

    public init(limit: Int = 100, offset: Int = 0) {
        self.limit = Swift.max(0, Swift.min(limit, Self.maxLimit))
        self.offset = Swift.max(0, offset)
    }
}

/// The services' index of datasets and models: `<datadir>/registry.sqlite`, SQLite in WAL mode
/// through GRDB, schema from versioned migrations, every write one transaction. It holds what
/// the REST API lists and looks up by id; the chain stays the authority for content hashes.
public final class Registry: Sendable {
    let pool: DatabasePool
    public let path: String

    /// Opens (creating when absent) the registry at `path` and runs pending migrations.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        // A writer waiting on another process's lock retries instead of failing at once.
        configuration.busyMode = .timeout(5)
        pool = try DatabasePool(path: path, configuration: configuration)  // DatabasePool is WAL
        self.path = path
        try RegistryMigrations.migrator.migrate(pool)
    }

    /// `<datadir>/registry.sqlite`.
    public convenience init(dataDirectory: URL) throws {
        try self.init(path: dataDirectory.appendingPathComponent("registry.sqlite").path)
    }

    /// Names of the migrations this database has run, oldest first.
    public func appliedMigrations() throws -> [String] {
        try pool.read { db in try RegistryMigrations.migrator.appliedMigrations(db) }
    }

    /// SQLite's journal mode ("wal").
    public func journalMode() throws -> String {
        try pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }

    // MARK: Datasets

    /// Inserts a dataset row and, in the same transaction, clears its object's pending entry.
    public func insert(_ dataset: DatasetRow) async throws {
        try await pool.write { db in
            try dataset.insert(db)
            if let key = dataset.artifact?.objectKey { try Self.clearPending(db, company: dataset.company, key: key) }
        }
    }

    public func dataset(id: UUID) async throws -> DatasetRow? {
        try await pool.read { db in try DatasetRow.fetchOne(db, key: RegistryIDs.text(id)) }
    }

    public func datasets(_ filter: RegistryFilter, page: RegistryPage = RegistryPage()) async throws -> [DatasetRow] {
        try await pool.read { db in
            var request = DatasetRow.filter(Column("company") == filter.company)
            if let developer = filter.developer { request = request.filter(Column("developer") == developer) }
            if let status = filter.status { request = request.filter(Column("status") == status.rawValue) }
            // Ties on `created` are broken by id so that pages never overlap or skip.
            return try request.order(Column("created").desc, Column("id")).limit(page.limit, offset: page.offset).fetchAll(db)
        }
    }

    // MARK: Models

    /// Inserts a model row; a `datasetId` that names no dataset fails (foreign key) and writes nothing.
    public func insert(_ model: ModelRow) async throws {
        try await pool.write { db in
            try model.insert(db)
            if let key = model.artifact?.objectKey { try Self.clearPending(db, company: model.company, key: key) }
        }
    }

    public func model(id: UUID) async throws -> ModelRow? {
        try await pool.read { db in try ModelRow.fetchOne(db, key: RegistryIDs.text(id)) }
    }

    public func models(_ filter: RegistryFilter, page: RegistryPage = RegistryPage()) async throws -> [ModelRow] {
        try await pool.read { db in
            var request = ModelRow.filter(Column("company") == filter.company)
            if let developer = filter.developer { request = request.filter(Column("developer") == developer) }
            if let status = filter.status { request = request.filter(Column("status") == status.rawValue) }
            if let dataset = filter.datasetId { request = request.filter(Column("dataset_id") == RegistryIDs.text(dataset)) }
            return try request.order(Column("created").desc, Column("id")).limit(page.limit, offset: page.offset).fetchAll(db)
        }
    }

    /// Records a model's trained artifact and marks it finalized, in one transaction that first
    /// checks the model exists and is not final yet (`.notFound`, `.conflict`).
    public func finalizeModel(id: UUID, artifact: ArtifactInfo) async throws {
        try await pool.write { db in
            guard var row = try ModelRow.fetchOne(db, key: RegistryIDs.text(id)) else {
                throw RegistryError.notFound("model \(RegistryIDs.text(id))")
            }
            guard row.status != .finalized else { throw RegistryError.conflict("model \(RegistryIDs.text(id)) is already finalized") }
            row.status = .finalized
            row.artifact = artifact
            try row.update(db)
            try Self.clearPending(db, company: row.company, key: artifact.objectKey)
        }
    }

    // MARK: Posted documents (verification API)

    /// Keeps the body posted for the contract at `contractAddress` (replacing an earlier one).
    public func savePostedDocument(contractAddress: String, kind: String, document: String, created: Date = Date()) async throws {
        try await pool.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO posted_documents (contract_address, kind, document, created) VALUES (?, ?, ?, ?)",
                           arguments: [contractAddress.lowercased(), kind, document, created])
        }
    }

    /// The body posted for the contract at `contractAddress`, if any.
    public func postedDocument(contractAddress: String) async throws -> String? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT document FROM posted_documents WHERE contract_address = ?",
                                arguments: [contractAddress.lowercased()])
        }
    }

    // MARK: Objects

    /// Object keys of `company` that some row references: the orphan sweep keeps these.
    public func objectKeys(company: String) async throws -> Set<String> {
        try await pool.read { db in
            let sql = "SELECT object_key FROM datasets WHERE company = ? AND object_key IS NOT NULL " +
                "UNION SELECT object_key FROM models WHERE company = ? AND object_key IS NOT NULL"
            return Set(try String.fetchAll(db, sql: sql, arguments: [company, company]))
        }
    }

    /// Notes that an upload to (`company`, `key`) is starting: until a row references the
    /// object, `pendingObjects` lists it for the start-up sweep.
    public func addPendingObject(company: String, key: String, started: Date = Date()) async throws {
        try await pool.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO pending_objects (company, object_key, started) VALUES (?, ?, ?)",
                           arguments: [company, key, started])
        }
    }

    /// Forgets a pending object (after its upload was undone).
    public func removePendingObject(company: String, key: String) async throws {
        try await pool.write { db in try Self.clearPending(db, company: company, key: key) }
    }

    /// (company, key) of every upload whose registration never completed.
    public func pendingObjects() async throws -> [(company: String, key: String)] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT company, object_key FROM pending_objects ORDER BY started, company, object_key")
                .map { (company: $0["company"], key: $0["object_key"]) }
        }
    }

    static func clearPending(_ db: Database, company: String, key: String) throws {
        try db.execute(sql: "DELETE FROM pending_objects WHERE company = ? AND object_key = ?", arguments: [company, key])
    }

    /// Runs `body` as one transaction: everything it writes is committed together, or, when it
    /// throws, nothing is.
    public func transaction<T: Sendable>(_ body: @escaping @Sendable (RegistryTransaction) throws -> T) async throws -> T {
        try await pool.write { db in try body(RegistryTransaction(db: db)) }
    }
}

/// The writes available inside `Registry.transaction`.
public struct RegistryTransaction {
    let db: Database

    public func insert(_ dataset: DatasetRow) throws { try dataset.insert(db) }
    public func insert(_ model: ModelRow) throws { try model.insert(db) }
    public func dataset(id: UUID) throws -> DatasetRow? { try DatasetRow.fetchOne(db, key: RegistryIDs.text(id)) }
    public func model(id: UUID) throws -> ModelRow? { try ModelRow.fetchOne(db, key: RegistryIDs.text(id)) }
}
