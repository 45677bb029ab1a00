import Foundation
import ModelSharing
import Primitives
import Registry

extension TrainingService {
    /// Fields the caller's identity travels in ("auth none"); never training parameters.
    static let identityFields: Set<String> = ["organization_id", "developer_id"]

    /// `POST /train/{model_id}`: validates the parameters against the model's trainer, refuses
    /// what cannot run (finalized model, a recipe or job with other parameters) and stores the
    /// job, or returns the job that already exists for the same (model, parameters hash).
    func submit(model: ModelRow, posted: JSONValue) async throws -> (job: TrainingJobRow, created: Bool) {
        guard case .object(var fields) = posted else { throw TrainingParameterError("params", "must be a JSON object") }
        for key in Self.identityFields { fields[key] = nil }
        if model.status == .finalized { throw SharingError.conflict("model \(Self.text(model.id)) is already finalized") }
        let registered = JSONValue.parse(Array(model.metadata.utf8))
        let modelParams = registered?["model_params"] ?? registered
        guard let trainImage = modelParams?["train_image"]?.stringValue, let kind = TrainerKind(trainImage: trainImage) else {
            throw SharingError.conflict("model \(Self.text(model.id)) names no train_image to train with")
        }
        guard model.datasetId != nil else { throw SharingError.conflict("model \(Self.text(model.id)) cites no dataset to train on") }
        let defaultSeed = modelParams?["seeds"]?.arrayValue?.first?.uint64Value ?? 0
        let canonical: String
        switch kind {
        case .builtin(let name):
            guard let trainer = BuiltinTrainer(rawValue: name) else { throw SharingError.conflict("no built-in trainer \(name)") }
            canonical = try trainer.resolve(.object(fields), defaultSeed: defaultSeed).canonical
        case .command, .image:
            if case .image = kind, configuration.containerCommand == nil {
                throw SharingError.conflict("train_image \(trainImage) is a container image and this node has no --container-command")
            }
            canonical = try ProcessParameters(json: .object(fields), defaultSeed: defaultSeed).canonicalText
        }
        guard canonical.utf8.count <= 4096 else { throw TrainingParameterError("params", "canonical JSON is longer than 4096 bytes") }
        let hash = canonicalHash(canonical).description
        // Another job of this model with other parameters, still waiting or running, would
        // anchor a different recipe on the same record: refused while it lives.
        let others = try await registry.trainingJobs(company: model.company, modelId: model.id)
        if let other = others.first(where: { !$0.state.isFinal && $0.paramsHash != hash }) {
            throw SharingError.conflict("model \(Self.text(model.id)) already has job \(Self.text(other.id)) (\(other.state.rawValue)) with other parameters")
        }
        let recipe = try await sharing.recipeState(contract: model.contractAddress)
        if recipe.finalized { throw SharingError.conflict("model \(Self.text(model.id)) is already finalized on chain") }
        if recipe.recipeAnchored, recipe.hyperParametersHash.description != hash {
            throw SharingError.conflict("model \(Self.text(model.id)) already anchors a recipe with other parameters (hyperParametersHash \(recipe.hyperParametersHash))")
        }
        let row = TrainingJobRow(id: UUID(), modelId: model.id, company: model.company, params: canonical, paramsHash: hash,
                                 trainer: trainImage, created: Date())
        let stored = try await registry.insertTrainingJob(row)
        if stored.created { enqueue(stored.job.id) }
        return stored
    }

    /// `DELETE /train/{job_id}`: a queued job is cancelled at once, a running one stops at its
    /// next batch (or its process group is killed); a finished job is a 409.
    func cancel(_ job: TrainingJobRow) async throws -> TrainingJobRow {
        guard !job.state.isFinal else { throw SharingError.conflict("job \(Self.text(job.id)) is already \(job.state.rawValue)") }
        if job.state == .queued, dequeue(job.id) || liveJob(job.id) == nil {
            var cancelled = job
            cancelled.state = .cancelled
            cancelled.error = "cancelled"
            cancelled.finished = Date()
            try await registry.updateTrainingJob(cancelled)
            finishSubscribers(cancelled)
            return cancelled
        }
        liveJob(job.id)?.cancellation.cancel()
        return job
    }
}
