import Foundation

/// Lifecycle of a training job.
public enum TrainingJobState: String, Sendable, Codable {
    case queued, running, succeeded, failed, cancelled

    /// Whether the job has reached its end.
    public var isFinal: Bool { self == .succeeded || self == .failed || self == .cancelled }
}

/// The files a job's work produced.
public struct TrainingJobOutput: Sendable {
    public let weightsFile: URL
    public let metricsFile: URL
    public init(weightsFile: URL, metricsFile: URL) {
        self.weightsFile = weightsFile
        self.metricsFile = metricsFile
    }
}

/// A finished job's result: its files and their hashes, computed by the runner's injected hasher.
public struct TrainingJobResult: Sendable, Equatable {
    public let weightsFile: URL
    public let weightsHash: String
    public let metricsFile: URL
    public let metricsHash: String
}

/// A snapshot of one job, as the training service exposes it.
public struct TrainingJobStatus: Sendable {
    public let id: Int
    public let name: String
    public let state: TrainingJobState
    /// 0...1.
    public let progress: Double
    public let logs: [String]
    public let result: TrainingJobResult?
    public let error: String?
}

/// What a job's work can see while it runs.
public final class TrainingJobContext: @unchecked Sendable {
    /// Set when the job is cancelled; pass it to `Trainer.fit`.
    public let cancellation = CancellationFlag()
    private let update: (Double?, String?) -> Void

    init(update: @escaping (Double?, String?) -> Void) { self.update = update }

    /// Records progress (0...1).
    public func report(progress: Double) { update(progress, nil) }
    /// Appends a log line.
    public func log(_ line: String) { update(nil, line) }
}

/// Runs training jobs from a FIFO queue on a fixed number of worker threads.
///
/// The ML module cannot hash (it knows nothing of the ledger), so the caller injects the hash
/// function applied to the weights and metrics files of each finished job.
public final class TrainingJobRunner: @unchecked Sendable {
    public typealias Work = @Sendable (TrainingJobContext) throws -> TrainingJobOutput

    private struct Job {
        let name: String
        let work: Work
        let context: TrainingJobContext
        var state: TrainingJobState = .queued
        var progress: Double = 0
        var logs: [String] = []
        var result: TrainingJobResult?
        var error: String?
    }

    private let condition = NSCondition()
    private var jobs = [Int: Job]()
    private var queue = [Int]()
    private var nextID = 1
    private var shuttingDown = false
    private let hash: @Sendable (Data) -> String
    /// Number of worker threads.
    public let workers: Int

    /// Starts `workers` threads; `hash` turns file bytes into the hash recorded in results.
    public init(workers: Int, hash: @escaping @Sendable (Data) -> String) {
        self.workers = max(1, workers)
        self.hash = hash
        for _ in 0..<self.workers {
            let thread = Thread { [weak self] in self?.workerLoop() }
            thread.start()
        }
    }

    /// Stops the workers once the jobs already running finish; queued jobs are cancelled.
    public func shutdown() {
        condition.lock()
        shuttingDown = true
        for id in queue { jobs[id]?.state = .cancelled }
        queue.removeAll()
        condition.broadcast()
        condition.unlock()
    }

    deinit { shutdown() }

    /// Queues `work` and returns the job id.
    @discardableResult
    public func submit(name: String, _ work: @escaping Work) -> Int {
        condition.lock()
        defer { condition.unlock() }
        let id = nextID
        nextID += 1
        let context = TrainingJobContext { [weak self] progress, line in self?.update(id, progress: progress, line: line) }
        jobs[id] = Job(name: name, work: work, context: context)
        if shuttingDown { jobs[id]?.state = .cancelled } else { queue.append(id) }
        condition.broadcast()
        return id
    }

    /// The job's current status, or nil for an unknown id.
    public func status(_ id: Int) -> TrainingJobStatus? {
        condition.lock()
        defer { condition.unlock() }
        return jobs[id].map { snapshot(id, $0) }
    }

    /// All jobs, by id.
    public func allStatuses() -> [TrainingJobStatus] {
        condition.lock()
        defer { condition.unlock() }
        return jobs.keys.sorted().map { snapshot($0, jobs[$0]!) }
    }

    /// Cancels a queued job at once, or asks a running one to stop at its next batch.
    /// Returns false when the job is unknown or already finished.
    @discardableResult
    public func cancel(_ id: Int) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard let job = jobs[id], !job.state.isFinal else { return false }
        if job.state == .queued {
            queue.removeAll { $0 == id }
            jobs[id]?.state = .cancelled
            condition.broadcast()
        } else {
            job.context.cancellation.cancel()
        }
        return true
    }

    /// Blocks until the job is final (or `timeout` passes) and returns its status.
    public func wait(_ id: Int, timeout: TimeInterval = .infinity) -> TrainingJobStatus? {
        let deadline = Date().addingTimeInterval(min(timeout, 1e9))
        condition.lock()
        defer { condition.unlock() }
        while let job = jobs[id], !job.state.isFinal {
            if !condition.wait(until: deadline) { break }
        }
        return jobs[id].map { snapshot(id, $0) }
    }

    private func snapshot(_ id: Int, _ job: Job) -> TrainingJobStatus {
        TrainingJobStatus(id: id, name: job.name, state: job.state, progress: job.progress, logs: job.logs,
                          result: job.result, error: job.error)
    }

    private func update(_ id: Int, progress: Double?, line: String?) {
        condition.lock()
        if let progress { jobs[id]?.progress = min(1, max(0, progress)) }
        if let line { jobs[id]?.logs.append(line) }
        condition.unlock()
    }

    private func workerLoop() {
        while true {
            condition.lock()
            while queue.isEmpty && !shuttingDown { condition.wait() }
            if queue.isEmpty { condition.unlock(); return }
            let id = queue.removeFirst()
            jobs[id]?.state = .running
            guard let job = jobs[id] else { condition.unlock(); continue }
            condition.unlock()

            var state = TrainingJobState.succeeded
            var result: TrainingJobResult?
            var message: String?
            do {
                let output = try job.work(job.context)
                let weights = try Data(contentsOf: output.weightsFile)
                let metrics = try Data(contentsOf: output.metricsFile)
                result = TrainingJobResult(weightsFile: output.weightsFile, weightsHash: hash(weights),
                                           metricsFile: output.metricsFile, metricsHash: hash(metrics))
            } catch MLError.cancelled {
                state = .cancelled
            } catch {
                state = .failed
                message = "\(error)"
            }
            condition.lock()
            jobs[id]?.state = state
            jobs[id]?.result = result
            jobs[id]?.error = message
            if state == .succeeded { jobs[id]?.progress = 1 }
            condition.broadcast()
            condition.unlock()
        }
    }
}
