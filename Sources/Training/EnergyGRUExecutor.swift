import Foundation
import ML
import Primitives

/// Where a running job stands; what `GET /train/{id}` and the event stream report.
public struct TrainingProgress: Sendable, Equatable {
    public var epoch = 0
    public var epochs = 0
    /// Epochs finished (what a checkpoint holds); `epoch` is the one running.
    public var epochsDone = 0
    public var step = 0
    public var steps = 0
    public var loss: Double?
    public var validationLoss: Double?
    public var etaSeconds: Double?

    public init() {}

    public var json: JSONValue {
        func number(_ value: Double?) -> JSONValue { value.map { $0.isFinite ? JSONValue.double($0) : .string("\($0)") } ?? .null }
        return .object([
            "epoch": .int(epoch), "epochs": .int(epochs), "epochs_done": .int(epochsDone), "step": .int(step), "steps": .int(steps),
            "loss": number(loss), "val_loss": number(validationLoss), "eta_s": number(etaSeconds.map { ($0 * 10).rounded() / 10 }),
        ])
    }

    public init(json: JSONValue?) {
        epoch = json?["epoch"]?.intValue ?? 0
        epochs = json?["epochs"]?.intValue ?? 0
        epochsDone = json?["epochs_done"]?.intValue ?? 0
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
                           cancellation: CancellationFlag = CancellationFlag(), checkpoint: CheckpointFile? = nil,
                           progress: @escaping (TrainingProgress) -> Void = { _ in },
                           log: @escaping (String) -> Void = { _ in }) throws -> TrainingRunOutput {
        guard let text = String(bytes: csv, encoding: .utf8) else { throw TrainingRunFailure("dataset is not UTF-8 CSV text") }
        let series: [Float]
        do { series = try HourlySeries.parseCSV(text, column: parameters.column) } catch {
            throw TrainingRunFailure("dataset: \(error)")
        }
        let recipe = parameters.recipe(threads: threads)
        let reporter = EpochReporter(epochs: parameters.epochs, cancellation: cancellation, progress: progress, log: log)
        let resume = checkpoint?.load(log: log)
        reporter.resume(from: resume)
        let outcome = try reporter.run {
            try recipe.run(series: series, output: output, cancellation: cancellation, resumeFrom: resume,
                           checkpoint: checkpoint.map { file in { try file.save($0) } }, progress: reporter.handle)
        }
        return TrainingRunOutput(weightsFile: outcome.weightsFile, metricsFile: outcome.metricsFile,
                                 summary: EpochReporter.summary(outcome.report))
    }
}
