import Foundation
import Primitives

/// The built-in training recipe for `energy-gru` and its model directory:
/// architecture.json, weights.safetensors, preprocessing.json, metrics.json.
public struct EnergyTrainingRecipe: Sendable {
    public var seed: UInt64
    public var epochs = 50
    public var batchSize = 128
    // Kept in double precision so the recorded hyper-parameters read exactly as chosen.
    public var learningRate = 0.005
    public var beta1 = 0.9
    public var beta2 = 0.99
    public var validationFraction = 0.1
    public var earlyStoppingPatience: Int? = nil
    public var threads = 1

    public init(seed: UInt64) { self.seed = seed }

    /// Hyper-parameters as canonical JSON.
    public var hyperparameters: JSONValue {
        .object([
            "optimizer": .string("adam"), "lr": .double(learningRate),
            "betas": .array([.double(beta1), .double(beta2)]),
            "eps": .double(1e-8), "loss": .string("mse"), "batch_size": .int(batchSize), "epochs": .int(epochs),
            "seed": .int(Int(truncatingIfNeeded: seed)), "validation_fraction": .double(validationFraction),
            "early_stopping_patience": earlyStoppingPatience.map { .int($0) } ?? .null,
            "shuffle_seed": .int(Int(truncatingIfNeeded: seed &+ 1)),
        ])
    }

    /// What a finished run leaves behind.
    public struct Outcome: Sendable {
        public let report: TrainingReport
        public let scaler: MinMaxScaler
        public let weightsFile: URL
        public let metricsFile: URL
    }

    /// Trains on the raw hourly `series` and writes the model directory `output` (each file
    /// atomically).
    public func run(series: [Float], output: URL, cancellation: CancellationFlag? = nil, resumeFrom: TrainerCheckpoint? = nil,
                    checkpoint: ((TrainerCheckpoint) throws -> Void)? = nil,
                    progress: (TrainingEvent) -> Void = { _ in }) throws -> Outcome {
        let scaler = try MinMaxScaler(fitting: series)
        let data = try HourlySeries.windows(series.map(scaler.scale), window: EnergyForecaster.windowLength,
                                            horizon: EnergyForecaster.horizon)
        let model = EnergyForecaster(seed: seed)
        let optimizer = Adam(parameters: model.parameters, learningRate: Float(learningRate), beta1: Float(beta1), beta2: Float(beta2))
        let configuration = TrainingConfiguration(epochs: epochs, batchSize: batchSize, validationFraction: validationFraction,
                                                  earlyStoppingPatience: earlyStoppingPatience, shuffleSeed: seed &+ 1, threads: threads)
        let trainer = Trainer(model: model, optimizer: optimizer, loss: .mse, configuration: configuration)
        let report = try trainer.fit(data, cancellation: cancellation, resumeFrom: resumeFrom, checkpoint: checkpoint, progress: progress)

        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        try AtomicFile.write(EnergyForecaster.architecture.canonicalData, to: output.appendingPathComponent("architecture.json"))
        let weights = output.appendingPathComponent("weights.safetensors")
        try AtomicFile.write(SafeTensors.encode(model.stateDict(), metadata: ["format": "pt", "architecture": EnergyForecaster.architectureName]), to: weights)
        try AtomicFile.write(scaler.json.canonicalData, to: output.appendingPathComponent("preprocessing.json"))
        let metrics = output.appendingPathComponent("metrics.json")
        try AtomicFile.write(metricsJSON(report, samples: data.count).canonicalData, to: metrics)
        return Outcome(report: report, scaler: scaler, weightsFile: weights, metricsFile: metrics)
    }

    /// Per-epoch figures and the run's settings (no wall-clock times, so the file is
    /// reproducible and its hash can be anchored).
    func metricsJSON(_ report: TrainingReport, samples: Int) -> JSONValue {
        func number(_ f: Float?) -> JSONValue { f.map { .double(Double($0)) } ?? .null }
        let epochs = report.epochs.map { m -> JSONValue in
            .object(["epoch": .int(m.epoch), "train_loss": number(m.trainLoss), "val_loss": number(m.validationLoss),
                     "val_mae": number(m.validationMAE)])
        }
        let best = report.epochs.first { $0.epoch == report.bestEpoch }
        return .object([
            "architecture": .string(EnergyForecaster.architectureName),
            "hyperparameters": hyperparameters,
            "samples": .int(samples),
            "epochs": .array(epochs),
            "best_epoch": .int(report.bestEpoch),
            "stopped_early": .bool(report.stoppedEarly),
            "final": .object(["train_loss": number(best?.trainLoss), "val_loss": number(best?.validationLoss),
                              "val_mae": number(best?.validationMAE)]),
        ])
    }
}

/// A trained `energy-gru` loaded from its model directory, ready to forecast raw values.
public struct EnergyPredictor {
    public let model: EnergyForecaster
    public let scaler: MinMaxScaler

    /// Loads and checks architecture.json, preprocessing.json and weights.safetensors.
    public init(directory: URL) throws {
        func read(_ name: String) throws -> Data {
            let url = directory.appendingPathComponent(name)
            do { return try Data(contentsOf: url) } catch { throw MLError.invalidFile("cannot read \(url.path)") }
        }
        let architecture = try JSONValue(document: read("architecture.json"))
        guard architecture == EnergyForecaster.architecture else {
            let name = architecture["name"]?.stringValue ?? "unknown"
            throw MLError.invalidFile("architecture.json describes '\(name)', not the \(EnergyForecaster.architectureName) architecture this build knows")
        }
        scaler = try MinMaxScaler(json: JSONValue(document: read("preprocessing.json")))
        model = EnergyForecaster(seed: 0)
        try model.loadStateDict(SafeTensors.decode(read("weights.safetensors")).tensors)
    }

    /// Forecasts the next 24 raw values for each window of 36 raw values.
    public func predict(_ windows: [[Float]]) throws -> [[Float]] {
        let w = EnergyForecaster.windowLength
        for (i, window) in windows.enumerated() where window.count != w {
            throw MLError.invalidInput("instance \(i) has \(window.count) values; energy-gru needs windows of \(w)")
        }
        guard !windows.isEmpty else { return [] }
        let input = Tensor(shape: [windows.count, w, 1], scalars: windows.flatMap { $0.map(scaler.scale) })
        let output = GradientMode.withoutGradients { model.forward(Variable(input)).value }
        let h = EnergyForecaster.horizon
        return (0..<windows.count).map { i in (0..<h).map { scaler.invert(output.scalars[i * h + $0]) } }
    }
}
