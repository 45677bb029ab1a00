import Foundation

/// Where a training run stood at the end of an epoch: the weights, the optimizer's running
/// state, the figures so far, the best weights early stopping keeps, and a fingerprint of the
/// shuffle generator. `Trainer.fit(resumeFrom:)` continues from it with the same result as a run
/// that never stopped.
///
/// Random state: shuffling draws one permutation per epoch from a generator seeded once, so its
/// state after N epochs is fixed by (seed, N); a resumed run replays the N permutations and checks
/// the next draw against `shuffleFingerprint`. Other random streams (dropout masks) must be keyed
/// by their step number for the same reason.
public struct TrainerCheckpoint: Sendable {
    /// The best validation loss so far and the weights that gave it.
    public struct Best: Sendable {
        public var loss: Float
        public var epoch: Int
        public var state: [String: Tensor]
    }

    /// Epochs completed.
    public var epoch: Int
    public var model: [String: Tensor]
    public var optimizer: [String: Tensor]
    public var history: [EpochMetrics]
    public var best: Best?
    public var stoppedEarly: Bool
    /// The shuffle generator's next draw after `epoch` permutations.
    public var shuffleFingerprint: UInt64

    static let format = "mledger-trainer-checkpoint/1"

    /// One safetensors file: tensors `model.*`, `optimizer.*`, `best.*`, `history` `[epochs, 4]`
    /// (epoch, train loss, validation loss, validation MAE; NaN where absent) and the scalars
    /// in its metadata.
    public var encoded: Data {
        var tensors: [String: Tensor] = [:]
        for (name, tensor) in model { tensors["model.\(name)"] = tensor }
        for (name, tensor) in optimizer { tensors["optimizer.\(name)"] = tensor }
        for (name, tensor) in best?.state ?? [:] { tensors["best.\(name)"] = tensor }
        let rows = history.flatMap { [Float($0.epoch), $0.trainLoss, $0.validationLoss ?? .nan, $0.validationMAE ?? .nan] }
        tensors["history"] = Tensor(shape: [history.count, 4], scalars: rows)
        var metadata = ["format": Self.format, "epoch": String(epoch), "stopped_early": String(stoppedEarly),
                        "shuffle_fingerprint": String(shuffleFingerprint)]
        if let best {
            metadata["best_epoch"] = String(best.epoch)
            metadata["best_loss_bits"] = String(best.loss.bitPattern)
        }
        return SafeTensors.encode(tensors, metadata: metadata)
    }

    public init(epoch: Int, model: [String: Tensor], optimizer: [String: Tensor], history: [EpochMetrics], best: Best?,
                stoppedEarly: Bool, shuffleFingerprint: UInt64) {
        self.epoch = epoch
        self.model = model
        self.optimizer = optimizer
        self.history = history
        self.best = best
        self.stoppedEarly = stoppedEarly
        self.shuffleFingerprint = shuffleFingerprint
    }

    /// Reads a checkpoint `encoded` wrote; anything else is an `invalidFile` error.
    public init(data: Data) throws {
        let (tensors, metadata) = try SafeTensors.decode(data)
        guard metadata["format"] == Self.format, let epoch = metadata["epoch"].flatMap(Int.init),
              let stopped = metadata["stopped_early"].flatMap(Bool.init),
              let fingerprint = metadata["shuffle_fingerprint"].flatMap(UInt64.init),
              let history = tensors["history"], history.rank == 2, history.shape[1] == 4, history.shape[0] == epoch
        else { throw MLError.invalidFile("not an MLedger trainer checkpoint") }
        func group(_ prefix: String) -> [String: Tensor] {
            Dictionary(uniqueKeysWithValues: tensors.compactMap { name, tensor in
                name.hasPrefix(prefix) ? (String(name.dropFirst(prefix.count)), tensor) : nil
            })
        }
        self.epoch = epoch
        model = group("model.")
        optimizer = group("optimizer.")
        stoppedEarly = stopped
        shuffleFingerprint = fingerprint
        self.history = (0..<epoch).map { row in
            let v = Array(history.scalars[(row * 4)..<(row * 4 + 4)])
            return EpochMetrics(epoch: Int(v[0]), trainLoss: v[1], validationLoss: v[2].isNaN ? nil : v[2],
                                validationMAE: v[3].isNaN ? nil : v[3])
        }
        if let bestEpoch = metadata["best_epoch"].flatMap(Int.init), let bits = metadata["best_loss_bits"].flatMap(UInt32.init) {
            best = Best(loss: Float(bitPattern: bits), epoch: bestEpoch, state: group("best."))
        } else {
            best = nil
        }
    }
}
