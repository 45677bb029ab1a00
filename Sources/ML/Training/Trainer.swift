import Foundation

/// A model the trainer can fit: parameters plus a batch forward pass.
public protocol TrainableModel: Module {
    /// Predictions for a batch of inputs.
    func forward(_ input: Variable) -> Variable
}

/// Inputs and targets, one sample per row of the first dimension.
public struct SupervisedDataset: Sendable {
    public let inputs: Tensor
    public let targets: Tensor

    public init(inputs: Tensor, targets: Tensor) throws {
        guard inputs.rank >= 1, targets.rank >= 1, inputs.shape[0] == targets.shape[0] else {
            throw MLError.shapeMismatch("dataset inputs \(inputs.shape) and targets \(targets.shape) differ in sample count")
        }
        self.inputs = inputs
        self.targets = targets
    }

    /// Sample counts already known to agree.
    private init(checked inputs: Tensor, targets: Tensor) {
        self.inputs = inputs
        self.targets = targets
    }

    public var count: Int { inputs.shape.first ?? 0 }

    /// Samples `indices`, in that order.
    public func batch(_ indices: ArraySlice<Int>) -> (inputs: Tensor, targets: Tensor) {
        (Self.gather(inputs, indices), Self.gather(targets, indices))
    }

    /// Contiguous samples `range` (the chronological split).
    public func subset(_ range: Range<Int>) -> SupervisedDataset {
        SupervisedDataset(checked: inputs.slice(axis: 0, range), targets: targets.slice(axis: 0, range))
    }

    private static func gather(_ t: Tensor, _ indices: ArraySlice<Int>) -> Tensor {
        let row = t.count / max(t.shape[0], 1)
        var out = [Float](repeating: 0, count: indices.count * row)
        t.scalars.withUnsafeBufferPointer { p in
            for (k, i) in indices.enumerated() {
                for j in 0..<row { out[k * row + j] = p[i * row + j] }
            }
        }
        var shape = t.shape
        shape[0] = indices.count
        return Tensor(shape: shape, scalars: out)
    }
}

/// Hyper-parameters of a training run.
public struct TrainingConfiguration: Sendable, Equatable {
    public var epochs: Int
    public var batchSize: Int
    /// Fraction of samples, taken from the end (the most recent), held out for validation.
    public var validationFraction: Double
    /// Stop after this many epochs without a better validation loss, and restore the best
    /// weights; `nil` trains every epoch.
    public var earlyStoppingPatience: Int?
    /// Seeds the batch shuffling (model initialisation takes its own generator).
    public var shuffleSeed: UInt64
    /// Kernel threads; never changes the result, only the speed.
    public var threads: Int

    public init(epochs: Int, batchSize: Int, validationFraction: Double = 0.1, earlyStoppingPatience: Int? = nil,
                shuffleSeed: UInt64, threads: Int = 1) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.validationFraction = validationFraction
        self.earlyStoppingPatience = earlyStoppingPatience
        self.shuffleSeed = shuffleSeed
        self.threads = threads
    }
}

/// Figures of one epoch.
public struct EpochMetrics: Sendable, Equatable {
    public let epoch: Int
    /// Mean of the batch losses.
    public let trainLoss: Float
    /// Loss on the validation samples (nil without a validation split).
    public let validationLoss: Float?
    /// Mean absolute error on the validation samples.
    public let validationMAE: Float?
}

/// What the trainer reports while it runs.
public enum TrainingEvent: Sendable {
    case batchFinished(epoch: Int, batch: Int, of: Int)
    case epochFinished(EpochMetrics, totalEpochs: Int)
}

/// The outcome of `Trainer.fit`.
public struct TrainingReport: Sendable {
    public let epochs: [EpochMetrics]
    /// The epoch whose weights the model holds at the end (1-based).
    public let bestEpoch: Int
    public let stoppedEarly: Bool
}

/// Lets another thread stop a training run at the next batch boundary.
public final class CancellationFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false
    public init() {}
    public func cancel() { lock.lock(); cancelled = true; lock.unlock() }
    public var isCancelled: Bool { lock.lock(); defer { lock.unlock() }; return cancelled }
}

/// Mini-batch training with seeded shuffling, a chronological validation split and early
/// stopping. Deterministic: the same model, data and configuration give the same weights.
public final class Trainer {
    public let model: any TrainableModel
    public let optimizer: any Optimizer
    public let loss: Loss
    public let configuration: TrainingConfiguration

    public init(model: any TrainableModel, optimizer: any Optimizer, loss: Loss, configuration: TrainingConfiguration) {
        self.model = model
        self.optimizer = optimizer
        self.loss = loss
        self.configuration = configuration
        HeapPolicy.keepFreedMemory
    }

    /// One optimisation step on a batch; returns its loss.
    public func step(inputs: Tensor, targets: Tensor) -> Float {
        optimizer.zeroGrad()
        let prediction = model.forward(Variable(inputs))
        let value = loss(prediction, Variable(targets))
        value.backward()
        optimizer.step()
        return value.value.scalar
    }

    /// Predictions without recording a graph.
    public func evaluate(_ data: SupervisedDataset) -> (loss: Float, mae: Float) {
        GradientMode.withoutGradients {
            let prediction = model.forward(Variable(data.inputs)).value
            return (loss.value(prediction, data.targets), Loss.mae.value(prediction, data.targets))
        }
    }

    /// Trains on `data` as configured. With `checkpoint`, the state at the end of every epoch
    /// is handed over (to be saved); with `resumeFrom`, a run continues from such a state and
    /// ends with the weights the uninterrupted run would have had.
    public func fit(_ data: SupervisedDataset, cancellation: CancellationFlag? = nil, resumeFrom: TrainerCheckpoint? = nil,
                    checkpoint: ((TrainerCheckpoint) throws -> Void)? = nil,
                    progress: (TrainingEvent) -> Void = { _ in }) throws -> TrainingReport {
        let c = configuration
        guard c.epochs >= 1, c.batchSize >= 1 else { throw MLError.invalidInput("epochs and batch size must be at least 1") }
        guard c.validationFraction >= 0, c.validationFraction < 1 else { throw MLError.invalidInput("validation fraction must be in [0, 1)") }
        let validationCount = Int((Double(data.count) * c.validationFraction).rounded(.down))
        let trainCount = data.count - validationCount
        guard trainCount >= 1 else { throw MLError.invalidInput("no training samples left after the validation split") }
        let train = data.subset(0..<trainCount)
        let validation = validationCount > 0 ? data.subset(trainCount..<data.count) : nil
        let savesState = checkpoint != nil || resumeFrom != nil
        let stateful = optimizer as? any CheckpointableOptimizer
        if savesState, stateful == nil { throw MLError.invalidInput("checkpoints need an optimizer whose state can be saved") }
        return try ComputeThreads.withCount(c.threads) {
            var generator = SeededGenerator(seed: c.shuffleSeed)
            var history = [EpochMetrics]()
            var best: TrainerCheckpoint.Best?
            var stoppedEarly = false
            var firstEpoch = 1
            if let resume = resumeFrom {
                // The shuffle generator's state after N epochs is the seed's state advanced by N
                // permutations: replayed here, and checked against the checkpoint's fingerprint.
                for _ in 0..<resume.epoch { _ = generator.permutation(trainCount) }
                var probe = generator
                guard probe.next() == resume.shuffleFingerprint else {
                    throw MLError.invalidInput("checkpoint does not belong to this run (its shuffle state differs)")
                }
                try model.loadStateDict(resume.model)
                try stateful!.restore(checkpointState: resume.optimizer)
                history = resume.history
                best = resume.best
                stoppedEarly = resume.stoppedEarly
                firstEpoch = resume.epoch + 1
            }
            let batches = (trainCount + c.batchSize - 1) / c.batchSize
            var epoch = firstEpoch
            while epoch <= c.epochs, !stoppedEarly {
                let order = generator.permutation(trainCount)
                var total: Float = 0
                for b in 0..<batches {
                    if cancellation?.isCancelled == true { throw MLError.cancelled }
                    let indices = order[(b * c.batchSize)..<min(trainCount, (b + 1) * c.batchSize)]
                    let (x, y) = train.batch(indices)
                    total += step(inputs: x, targets: y)
                    progress(.batchFinished(epoch: epoch, batch: b + 1, of: batches))
                }
                let evaluation = validation.map(evaluate)
                let metrics = EpochMetrics(epoch: epoch, trainLoss: total / Float(batches),
                                           validationLoss: evaluation?.loss, validationMAE: evaluation?.mae)
                history.append(metrics)
                if let patience = c.earlyStoppingPatience, let current = evaluation?.loss {
                    if best == nil || current < best!.loss {
                        best = TrainerCheckpoint.Best(loss: current, epoch: epoch, state: model.stateDict())
                    } else if epoch - best!.epoch >= patience {
                        stoppedEarly = true
                    }
                }
                if let checkpoint, let stateful {
                    var probe = generator
                    try checkpoint(TrainerCheckpoint(epoch: epoch, model: model.stateDict(), optimizer: stateful.checkpointState,
                                                     history: history, best: best, stoppedEarly: stoppedEarly,
                                                     shuffleFingerprint: probe.next()))
                }
                progress(.epochFinished(metrics, totalEpochs: c.epochs))
                epoch += 1
            }
            if let best, best.epoch != history.count { try model.loadStateDict(best.state) }
            return TrainingReport(epochs: history, bestEpoch: best?.epoch ?? history.count, stoppedEarly: stoppedEarly)
        }
    }
}
