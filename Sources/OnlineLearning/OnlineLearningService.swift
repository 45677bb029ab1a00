import Contracts
import LedgerCrypto
import Foundation
import Logging
import ML
import ModelSharing
import Primitives

/// What one message did.
public struct IngestReport: Sendable, Equatable {
    public var accepted = 0
    public var dropped: [DropReason: Int] = [:]
    public var closedHours = 0
    public var gaps: [HourGap] = []

    public var json: JSONValue {
        .object(["accepted": .int(accepted), "closed_hours": .int(closedHours),
                 "dropped": .object(Dictionary(uniqueKeysWithValues: dropped.map { ($0.key.rawValue, JSONValue.int($0.value)) })),
                 "gaps": .array(gaps.map { .object(["first": .string(SnapshotEntry.iso($0.first)), "last": .string(SnapshotEntry.iso($0.last)),
                                                    "hours": .integer($0.hours)]) })])
    }
}

/// The model being served, swapped as a whole when a newer snapshot is anchored; read without
/// entering the service's actor, so forecasts never wait behind ingestion or training.
public final class ServingSlot: @unchecked Sendable {
    private let lock = NSLock()
    private var current: ServingModel?
    public var model: ServingModel? { lock.withLock { current } }
    func set(_ model: ServingModel) { lock.withLock { current = model } }
}

/// One online-learning service: readings in (from any source), hourly means, a training step
/// whenever the batch policy is met, a snapshot anchored when validation improves, forecasts
/// from the last anchored snapshot.
///
/// Training runs on a background task, one step at a time. Policy when training lags: the queue
/// holds at most one pending request; further requests while one is pending are merged into it
/// (counted as coalesced) and the step that runs trains on everything buffered when it starts,
/// so no data is skipped, only steps are merged.
///
/// Snapshot order: the snapshot is recorded as pending in the state file, stored and anchored
/// through model sharing (weights file, `ModelRecord` with relation `onlineSnapshotOf` to the
/// previous snapshot, registry row), recorded in the chain, and only then served. After a kill
/// the pending snapshot is looked up by its id in the registry: adopted when its row exists,
/// dropped when it does not (it was never served).
public actor OnlineLearningService {
    public nonisolated let spec: OnlineServiceSpec
    let files: ServiceFiles
    let sharing: ModelSharingService
    let metrics: OnlineMetrics
    let logger: Logger
    /// The model being served (nil until the first snapshot is anchored).
    public nonisolated let serving = ServingSlot()
    private(set) var state: ServiceState
    private var engine: OnlineTrainingEngine?
    private var training: Task<Void, Never>?
    private var stepRequested = false
    private var persistScheduled = false
    private let writer: StateWriter
    private var stopped = false
    /// The starting registered model's record (parent of the first snapshot), if any.
    private var startingRecord: Address?

    init(spec: OnlineServiceSpec, files: ServiceFiles, sharing: ModelSharingService, metrics: OnlineMetrics, logger: Logger) throws {
        self.spec = spec
        self.files = files
        self.sharing = sharing
        self.metrics = metrics
        self.logger = logger
        writer = StateWriter(files: files, name: spec.name, logger: logger)
        state = try files.readState() ?? ServiceState(spec: spec)
        state.aggregator.latenessSeconds = spec.latenessSeconds
    }

    /// Loads what a previous run left (pending snapshot, weights) and the model to serve.
    func start() async throws {
        if let id = spec.startingModelId {
            let start = try await sharing.verifiedModelBytes(id: id, company: spec.company)
            startingRecord = start.address
            if files.readTraining() == nil { try files.writeTraining(start.bytes) }
        }
        try await reconcilePending()
        engine = try OnlineTrainingEngine(seed: spec.seed, checkpoint: files.readTraining(), steps: state.trainingSteps)
        if let last = state.snapshots.last {
            let stored = try await sharing.verifiedModelBytes(id: last.id, company: spec.company)
            if files.readServing() != stored.bytes { try files.writeServing(stored.bytes) }
            serving.set(try ServingModel(snapshot: last, weights: stored.bytes, window: spec.window, horizon: spec.horizon))
        }
        try persist()
        if batchPolicyMet { requestTraining() }
    }

    private func reconcilePending() async throws {
        guard var pending = state.pending else { return }
        if let found = try await sharing.indexedModel(id: pending.id), let keccak = found.row.artifact?.keccak256 {
            pending.contractAddress = found.address.description
            pending.weightsHash = keccak
            state.snapshots.append(pending)
            state.bestValidationMSE = pending.validationMSE
            logger.info("online learning \(spec.name): snapshot \(pending.id) was anchored before the restart; adopted")
        } else {
            logger.warning("online learning \(spec.name): snapshot \(pending.id) was not indexed before the restart; dropped (never served)")
        }
        state.pending = nil
        try persist()
    }

    /// Stops training after the current step; the state is written.
    func stop() async {
        stopped = true
        stepRequested = false
        await training?.value
        await writer.drain()
        try? persist()
    }

    // MARK: Ingestion (the stream layer's entry point)

    /// The last position recorded for `source` (Kafka offset, MQTT or HTTP message counter):
    /// a stream resumes after it.
    public func lastPosition(source: String) -> Int64? { state.positions[source] }

    /// Takes one message of readings from `source`. A message at or below the source's recorded
    /// position is a replay and dropped whole. `durable` writes the state before returning (the
    /// HTTP route uses it: its answer promises the data is kept); streams write at most once a
    /// second, or at once but off the actor when an hour closes (`StateWriter`), and resume from
    /// their recorded position after a crash.
    @discardableResult
    public func ingest(payload: [UInt8], source: String, position: Int64?, durable: Bool = false) -> IngestReport {
        var report = IngestReport()
        if let position, let last = state.positions[source], position <= last {
            report.dropped[.replayed] = 1
            metrics.drop(spec.name, .replayed, 1)
            return report
        }
        let decoded = ReadingDecoder.decode(payload, fields: spec.fields)
        report.dropped = decoded.dropped
        for reading in decoded.readings {
            switch state.aggregator.add(reading) {
            case .accepted: report.accepted += 1
            case .duplicate: report.dropped[.duplicate, default: 0] += 1
            case .late: report.dropped[.late, default: 0] += 1
            }
        }
        let (hours, gaps) = state.aggregator.closeReady()
        for hour in hours { state.buffer.append(hour: hour.hour, value: hour.mean) }
        report.closedHours = hours.count
        report.gaps = gaps
        let gapHours = gaps.reduce(Int64(0)) { $0 + $1.hours }
        state.gapHours += gapHours
        state.recentGaps = Array((state.recentGaps + gaps).suffix(50))
        state.closedHours += Int64(hours.count)
        state.acceptedReadings += Int64(report.accepted)
        state.readingsSinceStep += report.accepted
        state.hoursSinceStep += hours.count
        if let position { state.positions[source] = position }
        for (reason, count) in report.dropped { metrics.drop(spec.name, reason, count) }
        metrics.accepted(spec.name, report.accepted)
        metrics.closed(spec.name, hours: hours.count, gapHours: gapHours)
        if batchPolicyMet { requestTraining() }
        if durable {
            do { try persist() } catch { logger.error("online learning \(spec.name): state not written: \(error)") }
        } else if !hours.isEmpty {
            // Closed hours are written at once, but off the actor: forecasts from the new window
            // and status reads do not wait for the encoding and the fsync.
            writer.writeSoon(state)
        } else {
            schedulePersist()
        }
        return report
    }

    /// Closes every open hour now (end of a replay; tests).
    public func flush() {
        let (hours, gaps) = state.aggregator.closeReady(force: true)
        for hour in hours { state.buffer.append(hour: hour.hour, value: hour.mean) }
        state.hoursSinceStep += hours.count
        state.closedHours += Int64(hours.count)
        state.gapHours += gaps.reduce(0) { $0 + $1.hours }
        if batchPolicyMet { requestTraining() }
        try? persist()
    }

    /// The batch policy, once at least two windows can exist (one to train, one to validate).
    var batchPolicyMet: Bool {
        guard state.buffer.count > spec.window + spec.horizon else { return false }
        switch spec.batch {
        case .hours(let n): return state.hoursSinceStep >= n
        case .readings(let n): return state.readingsSinceStep >= n
        }
    }

    private func schedulePersist() {
        guard !persistScheduled else { return }
        persistScheduled = true
        Task {
            try? await Task.sleep(for: .seconds(1))
            self.persistNow()
        }
    }

    private func persistNow() {
        persistScheduled = false
        // After `stop()` the final state is written; a late timer must not write into the
        // directory of a service being removed.
        guard !stopped else { return }
        writer.writeSoon(state)
    }

    /// Writes the state before going on (snapshot bookkeeping, durable ingestion, stops).
    private func persist() throws { try writer.writeNow(state) }

    // MARK: Training

    /// Asks for a training step; coalesced with a pending one when training lags.
    func requestTraining() {
        guard !stopped else { return }
        if training != nil {
            if stepRequested { metrics.coalescedStep(spec.name) }
            stepRequested = true
            return
        }
        stepRequested = true
        training = Task { await self.trainingLoop() }
    }

    private func trainingLoop() async {
        while stepRequested, !stopped {
            stepRequested = false
            await runStep()
        }
        training = nil
    }

    /// Waits until no step runs or is pending (tests, reports).
    public func waitForTraining() async {
        while let task = training { await task.value }
    }

    private func runStep() async {
        guard let engine else { return }
        let starts = state.buffer.windowStarts(length: spec.window + spec.horizon)
        guard starts.count >= OnlineTrainingEngine.minimumWindows else { return }
        if state.scaler == nil {
            state.scalerMin = Float(state.buffer.values.min() ?? 0)
            state.scalerMax = Float(state.buffer.values.max() ?? 1)
        }
        guard let scaler = state.scaler else { return }
        let values = state.buffer.values
        let firstHour = state.buffer.hours.first ?? 0
        let lastHour = state.buffer.hours.last ?? 0
        let positions = state.positions
        state.readingsSinceStep = 0
        state.hoursSinceStep = 0
        let spec = self.spec
        let outcome = await Task.detached(priority: .utility) { () -> Result<TrainingStepResult?, any Error> in
            Result { try engine.step(values: values, starts: starts, scaler: scaler, spec: spec) }
        }.value
        let result: TrainingStepResult
        switch outcome {
        case .success(let value?): result = value
        case .success(nil): return
        case .failure(let error):
            logger.error("online learning \(spec.name): training step failed: \(error)")
            return
        }
        metrics.trainingStep(spec.name)
        state.trainingSteps = result.step
        state.lastValidationMSE = result.validationMSE
        do {
            try files.writeTraining(result.checkpoint)
            try persist()
        } catch { logger.error("online learning \(spec.name): training state not written: \(error)") }
        if shouldSnapshot(result.validationMSE) {
            let entry = SnapshotEntry(
                id: UUID(), contractAddress: "", weightsHash: "", parent: state.snapshots.last?.contractAddress ?? startingRecord?.description,
                step: result.step, validationMSE: result.validationMSE, firstHour: firstHour, lastHour: lastHour, positions: positions,
                created: Date().timeIntervalSince1970.rounded(.down), scalerMin: scaler.minimum, scalerMax: scaler.maximum,
                lowerOffsets: result.lowerOffsets, upperOffsets: result.upperOffsets, residuals: result.residuals)
            await anchor(entry, weights: result.weights)
        }
    }

    func shouldSnapshot(_ validation: Double) -> Bool {
        guard validation.isFinite else { return false }
        if let last = state.snapshots.last, Date().timeIntervalSince1970 - last.created < spec.minSnapshotIntervalSeconds { return false }
        guard let best = state.bestValidationMSE else { return true }
        return best - validation > spec.minRelativeImprovement * best
    }

    private func anchor(_ entry: SnapshotEntry, weights: [UInt8]) async {
        var entry = entry
        state.pending = entry
        do { try persist() } catch {
            logger.error("online learning \(spec.name): snapshot not started, state not written: \(error)")
            state.pending = nil
            return
        }
        do {
            let anchored = try await sharing.anchorSnapshot(registration(entry, weights: weights))
            entry.contractAddress = anchored.contractAddress.description
            entry.weightsHash = anchored.weightsHash.description
            let model = try ServingModel(snapshot: entry, weights: weights, window: spec.window, horizon: spec.horizon)
            // The copy first: a kill between the two leaves a copy the report refuses (its hash
            // is not the serving snapshot's) rather than a state naming a missing copy.
            try files.writeServing(weights)
            state.snapshots.append(entry)
            state.bestValidationMSE = entry.validationMSE
            state.pending = nil
            try persist()
            // Served only now: the record is on chain and in the registry, and the chain of
            // snapshots on disk names it.
            serving.set(model)
            metrics.snapshot(spec.name, anchored: true)
            logger.info("online learning \(spec.name): snapshot \(entry.id) anchored at \(entry.contractAddress) (validation MSE \(entry.validationMSE))")
        } catch {
            state.pending = nil
            try? persist()
            metrics.snapshot(spec.name, anchored: false)
            logger.error("online learning \(spec.name): snapshot not anchored: \(error)")
        }
    }

    /// The `ModelRecord` fields of a snapshot: data range, source positions and validation metric
    /// in the hyper-parameters JSON (the contract keeps its Keccak-256 too).
    func registration(_ entry: SnapshotEntry, weights: [UInt8]) throws -> SnapshotRegistration {
        let record: JSONValue = .object([
            "online_service": .string(spec.name), "step": .int(entry.step),
            "first_hour": .string(SnapshotEntry.iso(entry.firstHour)), "last_hour": .string(SnapshotEntry.iso(entry.lastHour)),
            "positions": .object(entry.positions.mapValues { .integer($0) }),
            "validation_mse": .double(entry.validationMSE),
            "scaler": .object(["min": .double(Double(entry.scalerMin)), "max": .double(Double(entry.scalerMax))]),
            "training": OnlineTrainingEngine.hyperParameters,
        ])
        var text = record.canonicalString
        if text.utf8.count > 4096 {
            // Many sources: keep the range and metric, drop the positions (the state file keeps them).
            guard case .object(var members) = record else { throw OnlineLearningError(status: 500, "record") }
            members["positions"] = .string("omitted: \(entry.positions.count) sources")
            text = JSONValue.object(members).canonicalString
        }
        let parent = try entry.parent.map { text -> Address in
            guard let address = try? Address(bytes: Hex.decode(text)) else { throw OnlineLearningError(status: 500, "bad parent address \(text)") }
            return address
        }
        let parameters = UInt256(UInt64(parameterCount))
        return SnapshotRegistration(
            id: entry.id, company: spec.company, developer: spec.developer, weights: weights, hyperParameters: text,
            trainingRecipe: "mledger/online-learning/\(spec.name)", backend: "mledger/safetensors",
            architectureHash: Keccak256.hash(Array(EnergyForecaster.architecture.canonicalString.utf8)),
            inputShape: [UInt256(UInt64(spec.window)), UInt256(1)], outputShape: [UInt256(UInt64(spec.horizon))],
            parameterCount: parameters, parent: parent, relation: .onlineSnapshotOf,
            metadata: .object(["model_params": .object([
                "organization_id": .string(spec.company), "developer_id": .string(spec.developer),
                "train_image": .string("mledger/online-learning/\(spec.name)"), "params": record,
            ])]))
    }

    private var parameterCount: Int { engine?.model.parameters.reduce(0) { $0 + $1.value.scalars.count } ?? 0 }

    // MARK: Reading

    /// The latest `window` hours when they are consecutive (the input of the last forecast).
    public func latestWindow() -> [Double]? { state.buffer.latestWindow(length: spec.window) }

    public var currentState: ServiceState { state }

    /// `GET /ol/{name}`: the declaration and the service's progress.
    public func statusJSON() -> JSONValue {
        let servingModel = serving.model
        return .object([
            "spec": spec.json,
            "readings_accepted": .integer(state.acceptedReadings),
            "hours_closed": .integer(state.closedHours),
            "hours_buffered": .int(state.buffer.count),
            "open_hours": .int(state.aggregator.openHourCount),
            "gap_hours": .integer(state.gapHours),
            "recent_gaps": .array(state.recentGaps.map { .object(["first": .string(SnapshotEntry.iso($0.first)), "last": .string(SnapshotEntry.iso($0.last))]) }),
            "positions": .object(state.positions.mapValues { .integer($0) }),
            "training_steps": .int(state.trainingSteps),
            "training": .bool(training != nil),
            "last_validation_mse": state.lastValidationMSE.map { .double($0) } ?? .null,
            "best_validation_mse": state.bestValidationMSE.map { .double($0) } ?? .null,
            "snapshots": .array(state.snapshots.map(\.json)),
            "serving": servingModel.map { .string($0.snapshot.contractAddress) } ?? .null,
            "ready": .bool(servingModel != nil),
        ])
    }
}
