import Foundation
import ML
import Primitives

/// Turns the trainer's events into job progress and one log line per epoch, and stops a run
/// whose loss stops being finite (the failure names the epoch). Shared by the built-in trainers.
final class EpochReporter {
    private var state = TrainingProgress()
    private let started = Date()
    private let cancellation: CancellationFlag
    private let progress: (TrainingProgress) -> Void
    private let log: (String) -> Void
    /// Set when a loss stopped being finite; the run is cancelled and fails with this reason.
    private(set) var nonFinite: String?
    /// Epochs a resumed run skipped: the ETA counts only the epochs this process ran.
    private var resumedEpochs = 0

    init(epochs: Int, cancellation: CancellationFlag, progress: @escaping (TrainingProgress) -> Void, log: @escaping (String) -> Void) {
        state.epochs = epochs
        self.cancellation = cancellation
        self.progress = progress
        self.log = log
    }

    /// A run resumed from `checkpoint` reports the epochs and losses it already has.
    func resume(from checkpoint: TrainerCheckpoint?) {
        guard let checkpoint else { return }
        resumedEpochs = checkpoint.epoch
        state.epoch = checkpoint.epoch
        state.epochsDone = checkpoint.epoch
        state.loss = checkpoint.history.last.map { Double($0.trainLoss) }
        state.validationLoss = checkpoint.history.last?.validationLoss.map(Double.init)
    }

    func handle(_ event: TrainingEvent) {
        switch event {
        case .batchFinished(let epoch, let batch, let of):
            state.epoch = epoch
            state.step = batch
            state.steps = of
        case .epochFinished(let metrics, let total):
            state.epoch = metrics.epoch
            state.epochsDone = metrics.epoch
            state.step = state.steps
            state.loss = Double(metrics.trainLoss)
            state.validationLoss = metrics.validationLoss.map(Double.init)
            let elapsed = Date().timeIntervalSince(started)
            let ran = max(metrics.epoch - resumedEpochs, 1)
            state.etaSeconds = elapsed / Double(ran) * Double(total - metrics.epoch)
            log(String(format: "epoch %d/%d train_loss %.6f", metrics.epoch, total, metrics.trainLoss)
                + (metrics.validationLoss.map { String(format: " val_loss %.6f", $0) } ?? "")
                + String(format: " (%.1f s, ETA %.1f s)", elapsed, state.etaSeconds ?? 0))
            if !metrics.trainLoss.isFinite || metrics.validationLoss.map({ !$0.isFinite }) == true, nonFinite == nil {
                nonFinite = "loss is not finite at epoch \(metrics.epoch) (train_loss \(metrics.trainLoss)"
                    + (metrics.validationLoss.map { ", val_loss \($0)" } ?? "") + ")"
                cancellation.cancel()
            }
        }
        progress(state)
    }

    /// Runs the training body, mapping a cancel caused by a non-finite loss and the engine's
    /// errors to run failures.
    func run<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch MLError.cancelled {
            if let nonFinite { throw TrainingRunFailure(nonFinite) }
            throw MLError.cancelled
        } catch let error as MLError {
            throw TrainingRunFailure("training: \(error)")
        }
    }

    /// The job summary of a finished run.
    static func summary(_ report: TrainingReport) -> JSONValue {
        let best = report.epochs.first { $0.epoch == report.bestEpoch }
        return .object([
            "best_epoch": .int(report.bestEpoch),
            "epochs_run": .int(report.epochs.count),
            "stopped_early": .bool(report.stoppedEarly),
            "train_loss": best.map { .double(Double($0.trainLoss)) } ?? .null,
            "val_loss": best?.validationLoss.map { .double(Double($0)) } ?? .null,
            "val_mae": best?.validationMAE.map { .double(Double($0)) } ?? .null,
        ])
    }
}

/// The checkpoint file of one job: written atomically at the end of every epoch, read back when
/// the job runs again after its process died. A file that cannot be read is ignored (the run
/// starts over, which gives the same weights, only later), and said so in the log.
public struct CheckpointFile: Sendable {
    public let url: URL

    public init(url: URL) { self.url = url }

    /// The saved state, nil when there is none or it is unreadable.
    func load(log: (String) -> Void) -> TrainerCheckpoint? {
        guard let data = try? Data(contentsOf: url) else { return nil }
        do {
            let checkpoint = try TrainerCheckpoint(data: data)
            log("resuming from the checkpoint of epoch \(checkpoint.epoch)")
            return checkpoint
        } catch {
            log("checkpoint \(url.lastPathComponent) is unreadable (\(error)); starting from the first epoch")
            return nil
        }
    }

    func save(_ checkpoint: TrainerCheckpoint) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try AtomicFile.write(checkpoint.encoded, to: url)
    }
}
