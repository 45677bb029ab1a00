import Foundation
import ML
import Primitives

/// What one training step produced.
public struct TrainingStepResult: Sendable {
    public var step: Int
    public var trainLoss: Float
    /// Mean squared error on the held-out recent windows, on scaled data.
    public var validationMSE: Double
    public var trainWindows: Int
    public var validationWindows: Int
    /// Per horizon step, the 5 % and 95 % empirical quantiles of the validation residuals
    /// (target − forecast) in raw units: the 90 % interval is [forecast + lower, forecast + upper].
    public var lowerOffsets: [Float]
    public var upperOffsets: [Float]
    /// Every validation residual on scaled data (for normality diagnostics).
    public var residuals: [Double]
    /// The safetensors file of the weights after the step.
    public var weights: [UInt8]
    /// The weights with Adam's state (`TrainingCheckpoint`), for `training.safetensors`.
    public var checkpoint: [UInt8]
}

/// The continuously trained `energy-gru` and its Adam state, owned by the training task (one
/// step at a time). Hyper-parameters are the seed's: Adam lr 0.005, betas 0.9/0.99, MSE, batch 128.
public final class OnlineTrainingEngine: @unchecked Sendable {
    public static let batchSize = 128
    public static let learningRate: Float = 0.005
    public static let betas: (Float, Float) = (0.9, 0.99)

    let model: EnergyForecaster
    let optimizer: Adam
    let trainer: Trainer
    public private(set) var steps: Int

    /// A fresh model from `seed`, or the weights given (a registered starting model, or the
    /// weights the service held before a restart), with Adam's state when it was saved.
    public init(seed: UInt64, weights: [String: Tensor]?, optimizerState: [String: Tensor]? = nil, steps: Int = 0) throws {
        model = EnergyForecaster(seed: seed)
        if let weights { try model.loadStateDict(weights) }
        optimizer = Adam(parameters: model.parameters, learningRate: Self.learningRate, beta1: Self.betas.0, beta2: Self.betas.1)
        if let optimizerState { try optimizer.restore(checkpointState: optimizerState) }
        trainer = Trainer(model: model, optimizer: optimizer, loss: .mse,
                          configuration: TrainingConfiguration(epochs: 1, batchSize: Self.batchSize, shuffleSeed: seed &+ 1))
        self.steps = steps
    }

    /// An engine from a `training.safetensors` file (weights, and Adam's state when present);
    /// `steps` counts when the file does not record them.
    public convenience init(seed: UInt64, checkpoint bytes: [UInt8]?, steps: Int) throws {
        let saved = try bytes.map { try TrainingCheckpoint.decode($0) }
        try self.init(seed: seed, weights: saved?.weights, optimizerState: saved?.optimizer, steps: saved?.engineSteps ?? steps)
    }

    /// Weights and optimizer state now, as `training.safetensors` holds them.
    public var checkpoint: [UInt8] { TrainingCheckpoint.encode(model: model, optimizer: optimizer, engineSteps: steps) }

    public static var hyperParameters: JSONValue {
        .object(["optimizer": .string("adam"), "lr": .double(Double(learningRate)),
                 "betas": .array([.double(Double(betas.0)), .double(Double(betas.1))]), "loss": .string("mse"),
                 "batch_size": .int(batchSize)])
    }

    /// Minimum hourly windows (of `window + horizon` consecutive hours) before a step can run:
    /// one to train on and one to validate.
    public static let minimumWindows = 2

    /// How many of `windows` (the most recent ones) are held out for validation: at least one.
    public static func validationCount(windows: Int, fraction: Double) -> Int {
        max(1, Int((Double(windows) * fraction).rounded(.down)))
    }

    /// One training step over the buffered series: the most recent `validationFraction` of the
    /// windows (at least one) is held out; up to `maxBatches` shuffled mini-batches per epoch of
    /// the rest train. Returns nil when there are too few windows yet.
    public func step(values: [Double], starts: [Int], scaler: MinMaxScaler, spec: OnlineServiceSpec) throws -> TrainingStepResult? {
        guard starts.count >= Self.minimumWindows else { return nil }
        let validationCount = Self.validationCount(windows: starts.count, fraction: spec.validationFraction)
        let trainCount = starts.count - validationCount
        guard trainCount >= 1 else { return nil }
        let scaled = values.map { scaler.scale(Float($0)) }
        let train = try WindowMaker.dataset(scaled, starts: Array(starts[..<trainCount]), window: spec.window, horizon: spec.horizon)
        let validation = try WindowMaker.dataset(scaled, starts: Array(starts[trainCount...]), window: spec.window, horizon: spec.horizon)
        steps += 1
        var generator = SeededGenerator(seed: spec.seed &+ UInt64(steps))
        var total: Float = 0
        var batches = 0
        for _ in 0..<spec.epochsPerStep {
            let order = generator.permutation(trainCount)
            var offset = 0
            var taken = 0
            while offset < trainCount, taken < spec.maxBatchesPerStep {
                let (x, y) = train.batch(order[offset..<min(trainCount, offset + Self.batchSize)])
                total += trainer.step(inputs: x, targets: y)
                offset += Self.batchSize
                taken += 1
                batches += 1
            }
        }
        let checked = ValidationOutcome(model: model, validation: validation, horizon: spec.horizon, scaler: scaler)
        return TrainingStepResult(
            step: steps, trainLoss: total / Float(max(batches, 1)), validationMSE: checked.mse,
            trainWindows: trainCount, validationWindows: validationCount,
            lowerOffsets: checked.lowerOffsets, upperOffsets: checked.upperOffsets,
            residuals: checked.residuals, weights: Self.encode(model.stateDict()), checkpoint: checkpoint)
    }

    public var weights: [UInt8] { Self.encode(model.stateDict()) }

    static func encode(_ state: [String: Tensor]) -> [UInt8] {
        [UInt8](SafeTensors.encode(state, metadata: ["format": "pt", "architecture": EnergyForecaster.architectureName]))
    }

    static func decode(_ bytes: [UInt8]) throws -> [String: Tensor] { try SafeTensors.decode(Data(bytes)).tensors }
}

/// A model checked on held-out windows: the MSE and residuals (target − forecast) on scaled
/// data, and per horizon step the 5 % / 95 % residual quantiles in raw units. The training step
/// and `mledger ol report` both use it, so the report recomputes exactly what was recorded.
public struct ValidationOutcome: Sendable {
    public var mse: Double
    public var residuals: [Double]
    /// Forecasts on scaled data, `[window][horizon]` flattened.
    public var forecasts: [Float]
    public var lowerOffsets: [Float]
    public var upperOffsets: [Float]

    public init(model: EnergyForecaster, validation: SupervisedDataset, horizon: Int, scaler: MinMaxScaler) {
        let prediction = GradientMode.withoutGradients { model.forward(Variable(validation.inputs)).value }
        let count = validation.targets.scalars.count / horizon
        let span = Double(scaler.invert(1) - scaler.invert(0))
        var squared = 0.0
        var residuals = [Double]()
        residuals.reserveCapacity(count * horizon)
        var perStep = [[Double]](repeating: [], count: horizon)
        for i in 0..<count {
            for j in 0..<horizon {
                let r = Double(validation.targets.scalars[i * horizon + j]) - Double(prediction.scalars[i * horizon + j])
                squared += r * r
                residuals.append(r)
                perStep[j].append(r * span)
            }
        }
        mse = squared / Double(max(1, count * horizon))
        self.residuals = residuals
        forecasts = prediction.scalars
        lowerOffsets = perStep.map { Float(WindowMaker.quantile($0, 0.05)) }
        upperOffsets = perStep.map { Float(WindowMaker.quantile($0, 0.95)) }
    }
}

/// The anchored snapshot a service serves: weights loaded into a few replicas (one forward pass
/// per replica at a time; concurrent requests batched onto the next free one), its scaler and
/// the interval offsets measured when it was validated.
public final class ServingModel: @unchecked Sendable {
    public let snapshot: SnapshotEntry
    public let scaler: MinMaxScaler
    public let window: Int
    public let horizon: Int
    private let replicas: [EnergyForecaster]
    private let batcher: ForecastBatcher

    public init(snapshot: SnapshotEntry, weights: [UInt8], window: Int, horizon: Int) throws {
        self.snapshot = snapshot
        self.scaler = MinMaxScaler(minimum: snapshot.scalerMin, maximum: snapshot.scalerMax)
        self.window = window
        self.horizon = horizon
        let state = try OnlineTrainingEngine.decode(weights)
        let count = max(2, min(8, ProcessInfo.processInfo.activeProcessorCount))
        let replicas = try (0..<count).map { _ in
            let model = EnergyForecaster(seed: 0)
            try model.loadStateDict(state)
            return model
        }
        self.replicas = replicas
        let window = window
        batcher = ForecastBatcher(replicas: count) { replica, rows in
            let input = Tensor(shape: [rows.count, window, 1], scalars: rows.flatMap { $0 })
            return GradientMode.withoutGradients { replicas[replica].forward(Variable(input)).value }
        }
    }

    /// A forecast with its 90 % interval, raw units.
    public struct Forecast: Sendable, Equatable {
        public var values: [Float]
        public var lower: [Float]
        public var upper: [Float]
    }

    /// Checks raw input windows: `window` finite numbers each.
    public func validate(_ windows: [[Double]], field: String) throws {
        for (i, w) in windows.enumerated() {
            guard w.count == window else { throw OnlineLearningError.invalid("\(field)[\(i)]", "has \(w.count) values; the model takes \(window)") }
            guard w.allSatisfy(\.isFinite) else { throw OnlineLearningError.invalid("\(field)[\(i)]", "must hold finite numbers") }
        }
    }

    /// Forecasts for raw windows (already validated); scaling applied and inverted inside.
    /// Concurrent callers share forward passes (`ForecastBatcher`); the answers are the same.
    public func forecast(_ windows: [[Double]]) async -> [Forecast] {
        guard !windows.isEmpty else { return [] }
        let outputs = await batcher.outputs(windows.map { $0.map { scaler.scale(Float($0)) } })
        return outputs.map { output in
            let values = output.prefix(horizon).map { scaler.invert($0) }
            return Forecast(values: values,
                            lower: zip(values, snapshot.lowerOffsets).map { $0 + $1 },
                            upper: zip(values, snapshot.upperOffsets).map { $0 + $1 })
        }
    }

    /// The model replica for explainers (which need the network itself); callers hold no lock,
    /// so explainers must not mutate it.
    public var model: EnergyForecaster { replicas[0] }
}
