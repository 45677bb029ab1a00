import GRDB

/// The schema, as an ordered list of named migrations. A migration, once released, is never
/// edited: later needs (training jobs, online-learning services, stream offsets) come as new
/// migrations appended here, and GRDB records which ones a database has run.
enum RegistryMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-datasets-models") { db in
            // Columns shared by every anchored record: who, which contract, where the file is
            // and its hashes. The file columns are null for records registered without a file.
            func recordColumns(_ t: TableDefinition) {
                t.primaryKey("id", .text)
                t.column("company", .text).notNull()
                t.column("developer", .text).notNull()
                t.column("contract_address", .text).notNull().unique()
                t.column("status", .text).notNull()
                t.column("created", .datetime).notNull()
                t.column("object_key", .text)
                t.column("size_bytes", .integer)
                t.column("keccak256", .text)
                t.column("chunk_root", .text)
                t.column("chunk_leaves", .blob)
                t.column("metadata", .text).notNull()
            }
            try db.create(table: "datasets") { t in
                recordColumns(t)
                t.column("sample_count", .integer)
            }
            try db.create(table: "models") { t in
                recordColumns(t)
                t.column("unverified", .boolean).notNull().defaults(to: false)
                t.column("dataset_id", .text).references("datasets", onDelete: .restrict)
            }
            try db.create(index: "datasets_company_created", on: "datasets", columns: ["company", "created"])
            try db.create(index: "models_company_created", on: "models", columns: ["company", "created"])
            try db.create(index: "models_dataset", on: "models", columns: ["dataset_id"])
            // One stored object belongs to one row: the orphan sweep relies on it.
            try db.create(index: "datasets_object", on: "datasets", columns: ["company", "object_key"], unique: true)
            try db.create(index: "models_object", on: "models", columns: ["company", "object_key"], unique: true)
            // Objects whose upload started but whose record is not committed yet. The row that
            // finally references an object deletes its entry in the same transaction; whatever
            // is left at start belongs to a registration that died half way, and is removed.
            try db.create(table: "pending_objects") { t in
                t.column("company", .text).notNull()
                t.column("object_key", .text).notNull()
                t.column("started", .datetime).notNull()
                t.primaryKey(["company", "object_key"])
            }
        }
        migrator.registerMigration("v2-posted-documents") { db in
            // The verification API's bodies as posted, by contract address, so that fields the
            // chain stores in another form ("(500,500)" as [500, 500]) read back as written.
            try db.create(table: "posted_documents") { t in
                t.primaryKey("contract_address", .text)
                t.column("kind", .text).notNull()
                t.column("document", .text).notNull()
                t.column("created", .datetime).notNull()
            }
        }
        // Training jobs (RegistryMigrations+Training.swift).
        registerTrainingMigrations(&migrator)
        return migrator
    }
}
