import LedgerCrypto
import Foundation
import Logging
import ML
import ModelSharing
import Primitives
import Registry

/// The training service: jobs for registered models, persisted in the registry and run by a
/// fixed pool of workers. A job anchors its recipe (canonical parameters, seeds, trainer
/// identity) on the model's record before its first step, and on success stores the weights
/// through the model-sharing store and finalizes the record from the company's account.
///
/// Restart rule: jobs left `running` by a process that died are queued again at `start()`;
/// a built-in job resumes from the checkpoint of its last finished epoch (and reaches the
/// weights an uninterrupted run reaches), a process job is re-run from the beginning.
public final class TrainingService: @unchecked Sendable {
    public let sharing: ModelSharingService
    public let configuration: TrainingConfiguration
    let logger: Logger
    var registry: Registry { sharing.registry }

    /// In-memory state of a job this process runs or watches.
    final class LiveJob {
        var progress = TrainingProgress()
        var logTail: [String] = []
        let cancellation = CancellationFlag()
        var subscribers: [UUID: AsyncStream<String>.Continuation] = [:]
        /// The registry row while the job runs here, for the per-epoch progress writes.
        var row: TrainingJobRow?
        var persistedEpochs = 0
        let progressWrites = SerialWrites()
    }

    /// Registry writes made from training threads, kept in order; the job's final write waits
    /// for them so that it is never overtaken by a late progress write.
    final class SerialWrites: @unchecked Sendable {
        private let lock = NSLock()
        private var last: Task<Void, Never>?

        func enqueue(_ body: @escaping @Sendable () async -> Void) {
            lock.withLock {
                let previous = last
                last = Task { await previous?.value; await body() }
            }
        }

        func drain() async { await lock.withLock { last }?.value }
    }

    private let lock = NSLock()
    private var queue: [UUID] = []
    private var idleWorkers: [CheckedContinuation<UUID?, Never>] = []
    private var live: [UUID: LiveJob] = [:]
    private var stopped = false
    private var workers: [Task<Void, Never>] = []
    let autoStartCursor = AutoStartCursor()

    public init(sharing: ModelSharingService, configuration: TrainingConfiguration = TrainingConfiguration(), logger: Logger) {
        self.sharing = sharing
        self.configuration = configuration
        self.logger = logger
    }

    /// Re-queues jobs a dead process left running, queues the waiting ones (oldest first) and
    /// starts the workers.
    public func start() async throws {
        let requeued = try await registry.requeueRunningTrainingJobs()
        if !requeued.isEmpty { logger.info("training: re-queued \(requeued.count) job(s) left running by an earlier process") }
        removeWorkDirectories(of: requeued)
        let waiting = try await registry.trainingJobs(state: .queued).map(\.id)
        lock.withLock { queue.append(contentsOf: waiting.filter { !queue.contains($0) }) }
        for _ in 0..<max(1, configuration.workers) {
            workers.append(Task { [weak self] in
                while let self, let id = await self.nextJob() { await self.execute(id) }
            })
        }
        if configuration.autoStart {
            await autoStartPass()
            workers.append(Task { [weak self] in await self?.runAutoStart() })
        }
    }

    /// Stops handing out jobs and asks running ones to stop; they stay `running` in the
    /// registry and are re-run at the next start.
    public func stop() {
        let waiters: [CheckedContinuation<UUID?, Never>] = lock.withLock {
            stopped = true
            for job in live.values { job.cancellation.cancel() }
            defer { idleWorkers.removeAll() }
            return idleWorkers
        }
        for waiter in waiters { waiter.resume(returning: nil) }
    }

    var isStopping: Bool { lock.withLock { stopped } }

    /// Work directories a killed process left for these jobs.
    private func removeWorkDirectories(of jobs: [UUID]) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: configuration.workRoot.path)) ?? []
        for id in jobs {
            let prefix = "mledger-train-\(Self.text(id))-"
            for name in names where name.hasPrefix(prefix) {
                try? FileManager.default.removeItem(at: configuration.workRoot.appendingPathComponent(name))
            }
        }
    }

    // MARK: Queue

    func enqueue(_ id: UUID) {
        let waiter: CheckedContinuation<UUID?, Never>? = lock.withLock {
            if !idleWorkers.isEmpty { return idleWorkers.removeFirst() }
            if !queue.contains(id) { queue.append(id) }
            return nil
        }
        waiter?.resume(returning: id)
    }

    private func nextJob() async -> UUID? {
        await withCheckedContinuation { (continuation: CheckedContinuation<UUID?, Never>) in
            let ready: UUID?? = lock.withLock {
                if stopped { return .some(nil) }
                if !queue.isEmpty { return .some(queue.removeFirst()) }
                idleWorkers.append(continuation)
                return .none
            }
            if case .some(let id) = ready { continuation.resume(returning: id) }
        }
    }

    /// Takes a queued job off the queue; true when it was still waiting there.
    func dequeue(_ id: UUID) -> Bool {
        lock.withLock {
            guard let index = queue.firstIndex(of: id) else { return false }
            queue.remove(at: index)
            return true
        }
    }

    // MARK: Live state

    func liveJob(_ id: UUID) -> LiveJob? { lock.withLock { live[id] } }

    /// The progress and log lines of a job that runs here, or nil.
    func liveSnapshot(_ id: UUID) -> (progress: TrainingProgress, log: [String])? {
        lock.withLock { live[id].map { ($0.progress, $0.logTail) } }
    }

    func report(_ id: UUID, progress: TrainingProgress) {
        let (subscribers, epochEnd): ([AsyncStream<String>.Continuation], (LiveJob, TrainingJobRow)?) = lock.withLock {
            guard let job = live[id] else { return ([], nil) }
            job.progress = progress
            var epochEnd: (LiveJob, TrainingJobRow)?
            if progress.epochsDone > job.persistedEpochs, var row = job.row {
                job.persistedEpochs = progress.epochsDone
                row.progress = progress.json.serialized
                row.logTail = JSONValue.array(job.logTail.map { .string($0) }).serialized
                epochEnd = (job, row)
            }
            return (Array(job.subscribers.values), epochEnd)
        }
        if let (job, row) = epochEnd {
            // Each finished epoch is written to the registry, so a restart still shows it.
            let registry = registry, logger = logger
            job.progressWrites.enqueue {
                do { try await registry.updateTrainingJob(row) } catch { logger.error("training \(Self.text(id)): cannot record progress: \(error)") }
            }
        }
        let event = "event: progress\ndata: \(JSONValue.object(["job_id": .string(Self.text(id)), "progress": progress.json]).serialized)\n\n"
        for subscriber in subscribers { subscriber.yield(event) }
    }

    func log(_ id: UUID, _ line: String) {
        logger.info("training \(Self.text(id)): \(line)")
        let subscribers: [AsyncStream<String>.Continuation] = lock.withLock {
            guard let job = live[id] else { return [] }
            job.logTail.append(line)
            if job.logTail.count > configuration.logTailLines { job.logTail.removeFirst(job.logTail.count - configuration.logTailLines) }
            return Array(job.subscribers.values)
        }
        let event = "event: log\ndata: \(JSONValue.object(["job_id": .string(Self.text(id)), "line": .string(line)]).serialized)\n\n"
        for subscriber in subscribers { subscriber.yield(event) }
    }

    /// A stream of Server-Sent Events for the job: its current state first, then progress and
    /// log lines as they come, and its final state, after which the stream ends.
    func subscribe(_ row: TrainingJobRow) -> AsyncStream<String> {
        let (stream, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(256))
        continuation.yield("event: state\ndata: \(jobJSON(row).serialized)\n\n")
        let attached: Bool = lock.withLock {
            guard !row.state.isFinal else { return false }
            let job = live[row.id] ?? { let job = LiveJob(); live[row.id] = job; return job }()
            job.subscribers[UUID()] = continuation
            return true
        }
        if !attached { continuation.finish() }
        return stream
    }

    func finishSubscribers(_ row: TrainingJobRow) {
        let subscribers: [AsyncStream<String>.Continuation] = lock.withLock {
            defer { live[row.id] = nil }
            return live[row.id].map { Array($0.subscribers.values) } ?? []
        }
        let event = "event: state\ndata: \(jobJSON(row).serialized)\n\n"
        for subscriber in subscribers {
            subscriber.yield(event)
            subscriber.finish()
        }
    }

    /// The live state of a job that starts running: a job resumed after a restart starts from
    /// the progress and log its last finished epoch left in the registry.
    func beginLive(_ row: TrainingJobRow) -> LiveJob {
        lock.withLock {
            let job = live[row.id] ?? LiveJob()
            job.progress = TrainingProgress(json: JSONValue.parse(Array(row.progress.utf8)))
            job.logTail = JSONValue.parse(Array(row.logTail.utf8))?.arrayValue?.compactMap(\.stringValue) ?? []
            var running = row
            running.state = .running
            job.row = running
            job.persistedEpochs = 0
            live[row.id] = job
            return job
        }
    }

    // MARK: JSON

    static func text(_ id: UUID) -> String { id.uuidString.lowercased() }

    static func date(_ date: Date?) -> JSONValue {
        guard let date else { return .null }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return .string(formatter.string(from: date))
    }

    /// A job as `GET /train/{job_id}` answers it (live progress when it runs here).
    func jobJSON(_ row: TrainingJobRow) -> JSONValue {
        let snapshot = row.state == .running ? liveSnapshot(row.id) : nil
        let progress = snapshot.map { $0.progress.json } ?? JSONValue.parse(Array(row.progress.utf8)) ?? .object([:])
        let log = snapshot.map { JSONValue.array($0.log.map { .string($0) }) } ?? JSONValue.parse(Array(row.logTail.utf8)) ?? .array([])
        return .object([
            "job_id": .string(Self.text(row.id)), "model_id": .string(Self.text(row.modelId)), "status": .string(row.state.rawValue),
            "params": JSONValue.parse(Array(row.params.utf8)) ?? .null, "params_hash": .string(row.paramsHash),
            "trainer": .string(row.trainer), "progress": progress, "log_tail": log,
            "result": row.result.flatMap { JSONValue.parse(Array($0.utf8)) } ?? .null,
            "error": row.error.map { .string($0) } ?? .null,
            "created": Self.date(row.created), "started": Self.date(row.started), "finished": Self.date(row.finished),
        ])
    }
}
