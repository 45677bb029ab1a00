import Foundation
import ModelSharing
import Primitives
import Registry

/// Auto-start: a model registered for a built-in trainer is queued for training without a
/// `POST /train`. The rule, checked by a watcher on the registry (so it also covers models
/// registered just before a crash):
///
/// - `--train-autostart` is on (the default);
/// - the model was registered with `POST /model` (not unverified), cites a dataset and is not
///   finalized (no weights were uploaded with it);
/// - its `train_image` is `energy-gru` or `sequential`;
/// - it has no training job yet (one auto-start per model; a `POST /train` made first wins);
/// - its registration declares how to train: a non-empty `params` (or `hyper_parameters`)
///   object, or, for `sequential`, an `architecture`. A model registered without them waits for
///   a `POST /train` with its parameters (a default run of 50 epochs is never started unasked).
///
/// The job's parameters are the model's registered `params` (or `hyper_parameters`) object,
/// with its registered `architecture` added as `architecture` for `sequential` when `params`
/// has none; the seed defaults to the model's first registered seed, as for `POST /train`.
/// Parameters that fail the trainer's schema leave a `failed` job naming the field, so the
/// reason shows in `GET /train?model_id=…`.
extension TrainingService {
    /// Models looked at once are not looked at again; newer ones are found by creation time.
    final class AutoStartCursor: @unchecked Sendable {
        var since: Date?
        var seen: Set<UUID> = []
    }

    func runAutoStart() async {
        let nanoseconds = UInt64(max(configuration.autoStartIntervalSeconds, 0.01) * 1e9)
        while !isStopping {
            await autoStartPass()
            try? await Task.sleep(nanoseconds: nanoseconds)
        }
    }

    /// One look at the registry: queues every new candidate.
    func autoStartPass() async {
        let cursor = autoStartCursor
        let candidates: [ModelRow]
        do { candidates = try await registry.modelsWithoutTrainingJobs(since: cursor.since) } catch {
            logger.error("training auto-start: cannot read the registry: \(error)")
            return
        }
        for model in candidates where !cursor.seen.contains(model.id) {
            cursor.seen.insert(model.id)
            // Creation times of concurrent registrations may commit out of order: look a little back.
            cursor.since = max(cursor.since ?? .distantPast, model.created.addingTimeInterval(-5))
            guard let posted = Self.autoStartParameters(model) else { continue }
            await autoStart(model, posted: posted)
        }
    }

    /// The parameters a model's registration gives its auto-started job, or nil when the model
    /// does not name a built-in trainer.
    static func autoStartParameters(_ model: ModelRow) -> JSONValue? {
        let registered = JSONValue.parse(Array(model.metadata.utf8))
        let modelParams = registered?["model_params"] ?? registered
        guard let image = modelParams?["train_image"]?.stringValue, case .builtin(let name)? = TrainerKind(trainImage: image) else { return nil }
        func object(_ value: JSONValue?) -> JSONValue? {
            if case .string(let text)? = value { return JSONValue.parse(Array(text.utf8)) }
            return value
        }
        var fields = object(modelParams?["params"] ?? modelParams?["hyper_parameters"])?.objectValue ?? [:]
        if name == BuiltinTrainer.sequential.rawValue, fields["architecture"] == nil, let architecture = object(modelParams?["architecture"]) {
            fields["architecture"] = architecture
        }
        return fields.isEmpty ? nil : .object(fields)
    }

    private func autoStart(_ model: ModelRow, posted: JSONValue) async {
        do {
            let (job, created) = try await submit(model: model, posted: posted)
            if created { log(job.id, "auto-started for model \(Self.text(model.id)) (registered with train_image \(job.trainer))") }
        } catch let error as TrainingParameterError {
            // Recorded as a failed job so the owner sees why nothing trains.
            let text = posted.canonicalString
            let row = TrainingJobRow(id: UUID(), modelId: model.id, company: model.company, state: .failed, params: text,
                                     paramsHash: canonicalHash(text).description, trainer: Self.trainImage(model) ?? "",
                                     error: "auto-start: parameters: \(error.description)", created: Date())
            do { _ = try await registry.insertTrainingJob(row) } catch {
                logger.error("training auto-start: model \(Self.text(model.id)): cannot record the failure: \(error)")
            }
            logger.warning("training auto-start: model \(Self.text(model.id)): parameters: \(error.description)")
        } catch {
            logger.warning("training auto-start: model \(Self.text(model.id)) not queued: \(Self.reason(error))")
        }
    }

    static func trainImage(_ model: ModelRow) -> String? {
        let registered = JSONValue.parse(Array(model.metadata.utf8))
        return (registered?["model_params"] ?? registered)?["train_image"]?.stringValue
    }
}
