import GRDB

extension RegistryMigrations {
    /// Training jobs: one row per (model, canonical parameters hash), so that posting the same
    /// parameters for the same model finds the job that exists instead of starting another.
    static func registerTrainingMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("training-v1") { db in
            try db.create(table: "training_jobs") { t in
                t.primaryKey("id", .text)
                t.column("model_id", .text).notNull().references("models", onDelete: .restrict)
                t.column("company", .text).notNull()
                t.column("state", .text).notNull()
                // Canonical JSON of the resolved parameters (defaults filled in) and its Keccak-256.
                t.column("params", .text).notNull()
                t.column("params_hash", .text).notNull()
                t.column("trainer", .text).notNull()
                // JSON objects written by the training service; the registry does not read inside them.
                t.column("progress", .text).notNull()
                t.column("result", .text)
                t.column("error", .text)
                t.column("log_tail", .text).notNull()
                t.column("created", .datetime).notNull()
                t.column("started", .datetime)
                t.column("finished", .datetime)
            }
            try db.create(index: "training_jobs_model_params", on: "training_jobs", columns: ["model_id", "params_hash"], unique: true)
            try db.create(index: "training_jobs_state_created", on: "training_jobs", columns: ["state", "created"])
            try db.create(index: "training_jobs_company_created", on: "training_jobs", columns: ["company", "created"])
        }
    }
}
