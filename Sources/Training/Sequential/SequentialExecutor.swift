import Foundation
import ML
import Primitives

/// The built-in `sequential` trainer: the architecture, data layout and settings of
/// `SequentialParameters` on one dataset table, through the ML engine's `Trainer` (seeded
/// shuffling, chronological validation split, early stopping). Deterministic: the weights are
/// bit-identical for any thread count and after a resume from a checkpoint. The data is used
/// as given (no scaling). Writes `architecture.json`, `weights.safetensors` and `metrics.json`.
public enum SequentialExecutor {
    public static func run(dataset bytes: [UInt8], parameters: SequentialParameters, threads: Int, output: URL,
                           cancellation: CancellationFlag = CancellationFlag(), checkpoint: CheckpointFile? = nil,
                           progress: @escaping (TrainingProgress) -> Void = { _ in },
                           log: @escaping (String) -> Void = { _ in }) throws -> TrainingRunOutput {
        let table = try SequentialTable(bytes: bytes)
        let data = try table.samples(parameters.data, classes: parameters.loss == .crossEntropy ? parameters.classCount : 0)
        let model = SequentialModel(layers: parameters.layers, inputFeatures: data.inputs.shape.last!, seed: parameters.seed)
        let trainer = Trainer(model: model, optimizer: optimizer(parameters, model.parameters), loss: parameters.loss,
                              configuration: configuration(parameters, threads: threads))
        let reporter = EpochReporter(epochs: parameters.epochs, cancellation: cancellation, progress: progress, log: log)
        let resume = checkpoint?.load(log: log)
        reporter.resume(from: resume)
        if let resume {
            model.trainingStep = resume.epoch * batchesPerEpoch(samples: data.count, parameters)
        }
        log("sequential: \(data.count) samples, inputs \(data.inputs.shape.dropFirst().map(String.init).joined(separator: "×")), "
            + "\(model.parameterCount) parameters, \(parameters.loss.rawValue), \(parameters.optimizer)")
        let report = try reporter.run {
            try trainer.fit(data, cancellation: cancellation, resumeFrom: resume,
                            checkpoint: checkpoint.map { file in { try file.save($0) } }, progress: reporter.handle)
        }
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let architecture: JSONValue = .object(["name": .string("sequential"), "layers": parameters.json["architecture"]?["layers"] ?? .null,
                                               "data": parameters.json["data"] ?? .null,
                                               "input_shape": .array(data.inputs.shape.dropFirst().map { .int($0) })])
        try AtomicFile.write(architecture.canonicalData, to: output.appendingPathComponent("architecture.json"))
        let weights = output.appendingPathComponent("weights.safetensors")
        try AtomicFile.write(SafeTensors.encode(model.stateDict(), metadata: ["format": "pt", "architecture": "sequential"]), to: weights)
        let metrics = output.appendingPathComponent("metrics.json")
        try AtomicFile.write(metricsJSON(report, parameters: parameters, samples: data.count).canonicalData, to: metrics)
        return TrainingRunOutput(weightsFile: weights, metricsFile: metrics, summary: EpochReporter.summary(report))
    }

    static func optimizer(_ p: SequentialParameters, _ parameters: [Variable]) -> any Optimizer {
        let lr = Float(p.learningRate), decay = Float(p.weightDecay)
        switch p.optimizer {
        case "sgd": return SGD(parameters: parameters, learningRate: lr, momentum: Float(p.momentum), weightDecay: decay)
        case "adamw": return Adam.adamW(parameters: parameters, learningRate: lr, beta1: Float(p.beta1), beta2: Float(p.beta2), weightDecay: decay)
        default: return Adam(parameters: parameters, learningRate: lr, beta1: Float(p.beta1), beta2: Float(p.beta2), weightDecay: decay)
        }
    }

    /// Shuffling takes its own stream (seed + 1), apart from the initial weights (seed).
    static func configuration(_ p: SequentialParameters, threads: Int) -> ML.TrainingConfiguration {
        ML.TrainingConfiguration(epochs: p.epochs, batchSize: p.batchSize, validationFraction: p.validationFraction,
                                 earlyStoppingPatience: p.earlyStoppingPatience, shuffleSeed: p.seed &+ 1, threads: max(1, threads))
    }

    /// Batches per epoch as the trainer cuts them (the training part after the validation split).
    static func batchesPerEpoch(samples: Int, _ p: SequentialParameters) -> Int {
        let train = samples - Int((Double(samples) * p.validationFraction).rounded(.down))
        return (train + p.batchSize - 1) / p.batchSize
    }

    /// Per-epoch figures and the settings; no wall-clock times, so the file is reproducible.
    static func metricsJSON(_ report: TrainingReport, parameters: SequentialParameters, samples: Int) -> JSONValue {
        func number(_ f: Float?) -> JSONValue { f.map { .double(Double($0)) } ?? .null }
        return .object([
            "architecture": .string("sequential"), "hyperparameters": parameters.json, "samples": .int(samples),
            "epochs": .array(report.epochs.map { m in
                .object(["epoch": .int(m.epoch), "train_loss": number(m.trainLoss), "val_loss": number(m.validationLoss),
                         "val_mae": number(m.validationMAE)])
            }),
            "best_epoch": .int(report.bestEpoch), "stopped_early": .bool(report.stoppedEarly),
        ])
    }
}
