import Foundation
import GRDB

/// Where a training job stands.
public enum TrainingRunState: String, Sendable, Equatable, CaseIterable {
    case queued, running, succeeded, failed, cancelled

    /// Whether the job has reached its end.
    public var isFinal: Bool { self == .succeeded || self == .failed || self == .cancelled }
}

/// One training job as the registry keeps it. `progress` and `result` are JSON objects and
/// `logTail` a JSON array of lines, written by the training service.
public struct TrainingJobRow: Sendable, Equatable {
    public var id: UUID
    public var modelId: UUID
    public var company: String
    public var state: TrainingRunState
    public var params: String
    public var paramsHash: String
    /// The trainer named by the model's `train_image` (`energy-gru`, `cmd:…`, an image reference).
    public var trainer: String
    public var progress: String
    public var result: String?
    public var error: String?
    public var logTail: String
    public var created: Date
    public var started: Date?
    public var finished: Date?

    public init(id: UUID, modelId: UUID, company: String, state: TrainingRunState = .queued, params: String, paramsHash: String,
                trainer: String, progress: String = "{}", result: String? = nil, error: String? = nil, logTail: String = "[]",
                created: Date, started: Date? = nil, finished: Date? = nil) {
        self.id = id
        self.modelId = modelId
        self.company = company
        self.state = state
        self.params = params
        self.paramsHash = paramsHash
        self.trainer = trainer
        self.progress = progress
        self.result = result
        self.error = error
        self.logTail = logTail
        self.created = created
        self.started = started
        self.finished = finished
    }
}

extension TrainingJobRow: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "training_jobs"

    public init(row: Row) throws {
        guard let state = TrainingRunState(rawValue: row["state"]) else {
            throw RegistryError.corrupt("training job \(row["id"] as String? ?? "?") has unknown state \(row["state"] as String? ?? "?")")
        }
        self.init(id: try RegistryIDs.uuid(row["id"]), modelId: try RegistryIDs.uuid(row["model_id"]), company: row["company"],
                  state: state, params: row["params"], paramsHash: row["params_hash"], trainer: row["trainer"],
                  progress: row["progress"], result: row["result"], error: row["error"], logTail: row["log_tail"],
                  created: row["created"], started: row["started"], finished: row["finished"])
    }

    public func encode(to container: inout PersistenceContainer) throws {
        container["id"] = RegistryIDs.text(id)
        container["model_id"] = RegistryIDs.text(modelId)
        container["company"] = company
        container["state"] = state.rawValue
        container["params"] = params
        container["params_hash"] = paramsHash
        container["trainer"] = trainer
        container["progress"] = progress
        container["result"] = result
        container["error"] = error
        container["log_tail"] = logTail
        container["created"] = created
        container["started"] = started
        container["finished"] = finished
    }
}

extension Registry {
    /// Inserts `job` unless a job for the same (model, parameters hash) exists; returns the job
    /// that is now stored and whether it is new. An existing job that failed or was cancelled
    /// is queued again (same id), so a retry with the same parameters re-runs it; one that is
    /// queued, running or succeeded is returned as it is.
    public func insertTrainingJob(_ job: TrainingJobRow) async throws -> (job: TrainingJobRow, created: Bool) {
        try await pool.write { db in
            if var existing = try TrainingJobRow.filter(Column("model_id") == RegistryIDs.text(job.modelId))
                .filter(Column("params_hash") == job.paramsHash).fetchOne(db) {
                if existing.state == .failed || existing.state == .cancelled {
                    existing.state = .queued
                    existing.error = nil
                    existing.result = nil
                    existing.progress = "{}"
                    existing.started = nil
                    existing.finished = nil
                    try existing.update(db)
                    return (existing, true)
                }
                return (existing, false)
            }
            try job.insert(db)
            return (job, true)
        }
    }

    public func trainingJob(id: UUID) async throws -> TrainingJobRow? {
        try await pool.read { db in try TrainingJobRow.fetchOne(db, key: RegistryIDs.text(id)) }
    }

    /// A company's jobs, newest first, optionally of one model.
    public func trainingJobs(company: String, modelId: UUID? = nil, page: RegistryPage = RegistryPage()) async throws -> [TrainingJobRow] {
        try await pool.read { db in
            var request = TrainingJobRow.filter(Column("company") == company)
            if let modelId { request = request.filter(Column("model_id") == RegistryIDs.text(modelId)) }
            return try request.order(Column("created").desc, Column("id")).limit(page.limit, offset: page.offset).fetchAll(db)
        }
    }

    /// Jobs in `state`, oldest first (the queue order).
    public func trainingJobs(state: TrainingRunState) async throws -> [TrainingJobRow] {
        try await pool.read { db in
            try TrainingJobRow.filter(Column("state") == state.rawValue).order(Column("created"), Column("id")).fetchAll(db)
        }
    }

    /// Writes the job's row as given; `.notFound` when it does not exist.
    public func updateTrainingJob(_ job: TrainingJobRow) async throws {
        try await pool.write { db in
            guard try TrainingJobRow.exists(db, key: RegistryIDs.text(job.id)) else {
                throw RegistryError.notFound("training job \(RegistryIDs.text(job.id))")
            }
            try job.update(db)
        }
    }

    /// Start-up: jobs left `running` by a process that died go back to the queue (their
    /// training is deterministic, so re-running gives the same weights). Returns their ids.
    public func requeueRunningTrainingJobs() async throws -> [UUID] {
        try await pool.write { db in
            let running = try TrainingJobRow.filter(Column("state") == TrainingRunState.running.rawValue).fetchAll(db)
            for var job in running {
                job.state = .queued
                job.started = nil
                try job.update(db)
            }
            return running.map(\.id)
        }
    }

    /// Models registered for controlled training (not unverified, citing a dataset, not yet
    /// finalized) that have no training job at all, created at or after `since`, oldest first:
    /// the candidates for the training service's auto-start.
    public func modelsWithoutTrainingJobs(since: Date?, limit: Int = 100) async throws -> [ModelRow] {
        try await pool.read { db in
            var request = ModelRow.filter(Column("status") == RecordStatus.registered.rawValue && Column("unverified") == false
                && Column("dataset_id") != nil)
                .filter(sql: "NOT EXISTS (SELECT 1 FROM training_jobs j WHERE j.model_id = models.id)")
            if let since { request = request.filter(Column("created") >= since) }
            return try request.order(Column("created"), Column("id")).limit(limit).fetchAll(db)
        }
    }
}
