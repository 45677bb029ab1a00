import LedgerCrypto
import Foundation
import ML
import ModelSharing
import Primitives
import Registry

extension TrainingService {
    /// Runs one queued job to its end: recipe anchored first, then training, then the weights
    /// stored and the record finalized. Every outcome is written to the registry; the work
    /// directory is removed whatever happens; a failure or a cancel finalizes nothing.
    func execute(_ id: UUID) async {
        guard var job = try? await registry.trainingJob(id: id), job.state == .queued else { return }
        job.state = .running
        job.started = Date()
        job.error = nil
        // A job resumed from a checkpoint shows the progress its last finished epoch recorded.
        let resuming = FileManager.default.fileExists(atPath: checkpointDirectory(id).appendingPathComponent("checkpoint.safetensors").path)
        if !resuming {
            job.progress = TrainingProgress().json.serialized
            job.logTail = "[]"
        }
        let liveJob = beginLive(job)
        do { try await registry.updateTrainingJob(job) } catch {
            logger.error("training \(Self.text(id)): cannot mark running: \(error)")
            return
        }
        let work = configuration.workRoot.appendingPathComponent("mledger-train-\(Self.text(id))-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: work) }
        do {
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            let result = try await perform(job, work: work, live: liveJob)
            job.state = .succeeded
            job.result = result.serialized
        } catch MLError.cancelled {
            job.state = .cancelled
            job.error = "cancelled"
            log(id, "cancelled; nothing finalized")
        } catch {
            job.state = .failed
            job.error = Self.reason(error)
            log(id, "failed: \(job.error!)")
        }
        await liveJob.progressWrites.drain()
        if liveJob.cancellation.isCancelled, job.state != .succeeded, isStopping {
            // The node is shutting down: the job stays `running` and is re-run (resumed from its
            // checkpoint) at the next start.
            return
        }
        // A job that ended, however it ended, needs its checkpoint no more.
        try? FileManager.default.removeItem(at: checkpointDirectory(id))
        job.finished = Date()
        let snapshot = liveSnapshot(id)
        if let snapshot {
            job.progress = snapshot.progress.json.serialized
            job.logTail = JSONValue.array(snapshot.log.map { .string($0) }).serialized
        }
        do { try await registry.updateTrainingJob(job) } catch {
            logger.error("training \(Self.text(id)): cannot record the end state: \(error)")
        }
        finishSubscribers(job)
    }

    /// Where a job's checkpoint lives: outside its work directory, so that it survives the
    /// process that wrote it; removed when the job ends.
    func checkpointDirectory(_ id: UUID) -> URL {
        configuration.checkpointRoot.appendingPathComponent(Self.text(id))
    }

    static func reason(_ error: any Error) -> String {
        if let failure = error as? TrainingRunFailure { return failure.reason }
        if let parameter = error as? TrainingParameterError { return parameter.description }
        return SharingError.mapped(error).description
    }

    private func perform(_ job: TrainingJobRow, work: URL, live: LiveJob) async throws -> JSONValue {
        let id = job.id
        let model = try await sharing.storedModel(job.modelId)
        guard let kind = TrainerKind(trainImage: job.trainer) else { throw TrainingRunFailure("the model names no train_image") }
        guard let datasetId = model.datasetId else { throw TrainingRunFailure("the model cites no dataset to train on") }
        let dataset = try await sharing.verifiedDatasetFile(datasetId)
        log(id, "dataset \(Self.text(datasetId)) (\(dataset.bytes.count) bytes) matches its anchored commitment \(dataset.commitment)")
        guard let params = JSONValue.parse(Array(job.params.utf8)) else { throw TrainingRunFailure("stored parameters are not JSON") }
        let seed = params["seed"]?.uint64Value ?? 0
        try await anchorRecipe(job, contract: model.contractAddress, kind: kind, seed: seed)
        if live.cancellation.isCancelled { throw MLError.cancelled }

        let output: TrainingRunOutput
        switch kind {
        case .builtin(let name):
            guard let trainer = BuiltinTrainer(rawValue: name) else { throw TrainingRunFailure("no built-in trainer \(name)") }
            let threads = configuration.threads
            let checkpoint = CheckpointFile(url: checkpointDirectory(id).appendingPathComponent("checkpoint.safetensors"))
            output = try await Self.onThread { [self] in
                try trainer.run(dataset: dataset.bytes, parameters: params, threads: threads,
                                output: work.appendingPathComponent("model"), cancellation: live.cancellation, checkpoint: checkpoint,
                                progress: { self.report(id, progress: $0) }, log: { self.log(id, $0) })
            }
        case .command(let command):
            output = try await runProcess(command, job: job, params: params, seed: seed, dataset: dataset, work: work, live: live)
        case .image(let reference):
            guard let template = configuration.containerCommand else {
                throw TrainingRunFailure("train_image \(reference) is a container image, and no --container-command is configured")
            }
            let command = ProcessExecutor.containerCommand(template: template, image: reference, workDirectory: work, seed: seed)
            output = try await runProcess(command, job: job, params: params, seed: seed, dataset: dataset, work: work, live: live)
        }
        if live.cancellation.isCancelled { throw MLError.cancelled }
        let metricsHash = try output.metricsFile.map { Keccak256.hash(Array(try Data(contentsOf: $0))) } ?? .zero
        let artifact = try await sharing.finalizeTrainedModel(job.modelId, weightsFile: output.weightsFile, metricsHash: metricsHash)
        log(id, "finalized: weightsHash \(artifact.keccak256), metricsHash \(metricsHash)")
        return .object([
            "weights_hash": .string(artifact.keccak256), "metrics_hash": .string(metricsHash.description),
            "chunk_root": .string(artifact.chunkRoot), "size_bytes": .integer(artifact.sizeBytes), "metrics": output.summary,
        ])
    }

    private func runProcess(_ command: String, job: TrainingJobRow, params: JSONValue, seed: UInt64, dataset: VerifiedDatasetFile,
                            work: URL, live: LiveJob) async throws -> TrainingRunOutput {
        let parameters = try ProcessParameters(json: params, defaultSeed: seed)
        let executor = ProcessExecutor(commandLine: command, timeoutSeconds: configuration.processTimeoutSeconds)
        let files = [(id: Self.text(dataset.datasetId), bytes: dataset.bytes)]
        let id = job.id
        return try await Self.onThread { [self] in
            try executor.run(workDirectory: work.appendingPathComponent("job"), datasets: files, parameters: parameters,
                             cancellation: live.cancellation, log: { self.log(id, $0) })
        }
    }

    /// Anchors the job's recipe on the model's record, or checks that the recipe already there
    /// (a job re-run after a restart) is this one.
    private func anchorRecipe(_ job: TrainingJobRow, contract: String, kind: TrainerKind, seed: UInt64) async throws {
        let identity = TrainerIdentity.document(for: kind, version: configuration.mledgerVersion).canonicalString
        guard identity.utf8.count <= TrainerIdentity.maxLength else {
            throw TrainingRunFailure("trainer identity is longer than \(TrainerIdentity.maxLength) bytes; shorten train_image")
        }
        let state = try await sharing.recipeState(contract: contract)
        if state.finalized { throw TrainingRunFailure("the model is already finalized") }
        if state.recipeAnchored {
            guard state.hyperParameters == job.params, state.trainingRecipe == identity, state.seeds == [UInt256(seed)] else {
                throw TrainingRunFailure("the model's record already anchors another recipe (hyperParametersHash \(state.hyperParametersHash))")
            }
            log(job.id, "recipe already anchored (hyperParametersHash \(state.hyperParametersHash))")
            return
        }
        try await sharing.anchorRecipe(company: job.company, contract: contract, hyperParameters: job.params,
                                       seeds: [UInt256(seed)], trainingRecipe: identity)
        log(job.id, "recipe anchored: hyperParametersHash \(job.paramsHash), seeds [\(seed)], trainer \(identity)")
    }

    /// Runs CPU-bound or blocking work on a thread of its own, off the cooperative pool.
    static func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try body() }) }
            thread.stackSize = 16 << 20
            thread.start()
        }
    }
}
