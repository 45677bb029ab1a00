import Foundation
import ML
import Primitives

/// Where a running job stands; what `GET /train/{id}` and the event stream report.
public struct TrainingProgress: Sendable, Equatable {
    public var epoch = 0
    public var epochs = 0
    public var step = 0
    public var steps = 0
    public var loss: Double?
    public var validationLoss: Double?
    public var etaSeconds: Double?

    public init() {}

    public var json: JSONValue {
        func number(_ value: Double?) -> JSONValue { value.map { $0.isFinite ? JSONValue.double($0) : .string("\($0)") } ?? .null }
        return .object([
            "epoch": .int(epoch), "epochs": .int(epochs), "step": .int(step), "steps": .int(steps),
            "loss": number(loss), "val_loss": number(validationLoss), "eta_s": number(etaSeconds.map { ($0 * 10).rounded() / 10 }),
        ])
    }

    public init(json: JSONValue?) {
        epoch = json?["epoch"]?.intValue ?? 0
        epochs = json?["epochs"]?.intValue ?? 0
        step = json?["step"]?.intValue ?? 0
        steps = json?["steps"]?.intValue ?? 0
        loss = json?["loss"]?.doubleValue
        validationLoss = json?["val_loss"]?.doubleValue
        etaSeconds = json?["eta_s"]?.doubleValue
    }
}

/// A run that ended without weights, with the reason the job reports.
public struct TrainingRunFailure: Error, Equatable, Sendable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// What a finished run left: the weights file to store and anchor, the metrics file (hashed
/// as `metricsHash` when present) and a summary for the job's result.
public struct TrainingRunOutput: Sendable {
    public var weightsFile: URL
    public var metricsFile: URL?
    public var summary: JSONValue
}

/// The built-in `energy-gru` trainer of the ML engine on a CSV series, deterministic for given
/// parameters (bit-identical weights for any thread count). Used by the job worker and by
/// `mledger reproduce`, so both run exactly the same code path.
public enum EnergyGRUExecutor {
    /// Trains on the CSV bytes of one dataset and writes the model directory `output`.
    /// A loss that stops being finite ends the run as a failure naming the epoch.
    public static func run(csv: [UInt8], parameters: EnergyGRUParameters, threads: Int, output: URL,
                           cancellation: CancellationFlag = CancellationFlag(),
                           progress: @escaping (TrainingProgress) -> Void = { _ in },
                           log: @escaping (String) -> Void = { _ in }) throws -> TrainingRunOutput {
        guard let text = String(bytes: csv, encoding: .utf8) else { throw TrainingRunFailure("dataset is not UTF-8 CSV text") }
        let series: [Float]
        do { series = try HourlySeries.parseCSV(text, column: parameters.column) } catch {
            throw TrainingRunFailure("dataset: \(error)")
        }
        let recipe = parameters.recipe(threads: threads)
        var state = TrainingProgress()
        state.epochs = parameters.epochs
        let started = Date()
        var nonFinite: String?
        let outcome: EnergyTrainingRecipe.Outcome
        do {
            outcome = try recipe.run(series: series, output: output, cancellation: cancellation) { event in
                switch event {
                case .batchFinished(let epoch, let batch, let of):
                    state.epoch = epoch
                    state.step = batch
                    state.steps = of
                case .epochFinished(let metrics, let total):
                    state.epoch = metrics.epoch
                    state.step = state.steps
                    state.loss = Double(metrics.trainLoss)
                    state.validationLoss = metrics.validationLoss.map(Double.init)
                    let elapsed = Date().timeIntervalSince(started)
                    state.etaSeconds = elapsed / Double(metrics.epoch) * Double(total - metrics.epoch)
                    log(String(format: "epoch %d/%d train_loss %.6f", metrics.epoch, total, metrics.trainLoss)
                        + (metrics.validationLoss.map { String(format: " val_loss %.6f", $0) } ?? "")
                        + String(format: " (%.1f s)", elapsed))
                    if !metrics.trainLoss.isFinite || metrics.validationLoss.map({ !$0.isFinite }) == true, nonFinite == nil {
                        nonFinite = "loss is not finite at epoch \(metrics.epoch) (train_loss \(metrics.trainLoss)"
                            + (metrics.validationLoss.map { ", val_loss \($0)" } ?? "") + ")"
                        cancellation.cancel()
                    }
                }
                progress(state)
            }
        } catch MLError.cancelled {
            if let nonFinite { throw TrainingRunFailure(nonFinite) }
            throw MLError.cancelled
        } catch let error as MLError {
            throw TrainingRunFailure("training: \(error)")
        }
        let best = outcome.report.epochs.first { $0.epoch == outcome.report.bestEpoch }
        return TrainingRunOutput(weightsFile: outcome.weightsFile, metricsFile: outcome.metricsFile, summary: .object([
            "best_epoch": .int(outcome.report.bestEpoch),
            "epochs_run": .int(outcome.report.epochs.count),
            "stopped_early": .bool(outcome.report.stoppedEarly),
            "train_loss": best.map { .double(Double($0.trainLoss)) } ?? .null,
            "val_loss": best?.validationLoss.map { .double(Double($0)) } ?? .null,
            "val_mae": best?.validationMAE.map { .double(Double($0)) } ?? .null,
        ]))
    }
}
