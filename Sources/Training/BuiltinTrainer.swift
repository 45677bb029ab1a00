import LedgerCrypto
import Foundation
import ML
import Primitives

/// The trainers of the ML engine a `train_image` can name, and what each needs: its parameter
/// schema, its code identity and its run. The job worker and `mledger reproduce` both go through
/// `run`, so a reproduction runs exactly the code path the job ran.
public enum BuiltinTrainer: String, Sendable, CaseIterable {
    case energyGRU = "energy-gru"
    case sequential

    /// Bumped whenever the sequential training changes in a way that moves its weights.
    public static let sequentialAlgorithmRevision = "sequential-training/1: layer-order init, seeded shuffle seed+1, "
        + "dropout keyed by (seed, step, layer), no scaling, safetensors layers.<i>.<name>"

    /// Validates posted parameters and resolves their defaults: the canonical text the recipe
    /// anchors and the seed it names.
    public func resolve(_ json: JSONValue, defaultSeed: UInt64) throws(TrainingParameterError) -> (canonical: String, seed: UInt64) {
        switch self {
        case .energyGRU:
            let p = try EnergyGRUParameters(json: json, defaultSeed: defaultSeed)
            return (p.canonicalText, p.seed)
        case .sequential:
            let p = try SequentialParameters(json: json, defaultSeed: defaultSeed)
            return (p.canonicalText, p.seed)
        }
    }

    /// Keccak-256 of a canonical description of what decides the weights (architecture or
    /// algorithm revision): changes when they change, not with every build.
    public var codeHash: Hash32 {
        switch self {
        case .energyGRU: return TrainerIdentity.energyGRUCodeHash
        case .sequential:
            let description: JSONValue = .object(["trainer": .string(rawValue), "algorithm": .string(Self.sequentialAlgorithmRevision)])
            return Keccak256.hash(Array(description.canonicalString.utf8))
        }
    }

    /// Trains on one dataset's bytes with the (anchored) parameters and writes the model directory.
    public func run(dataset: [UInt8], parameters json: JSONValue, threads: Int, output: URL,
                    cancellation: CancellationFlag = CancellationFlag(), checkpoint: CheckpointFile? = nil,
                    progress: @escaping (TrainingProgress) -> Void = { _ in },
                    log: @escaping (String) -> Void = { _ in }) throws -> TrainingRunOutput {
        switch self {
        case .energyGRU:
            let p = try EnergyGRUParameters(json: json, defaultSeed: 0)
            return try EnergyGRUExecutor.run(csv: dataset, parameters: p, threads: threads, output: output, cancellation: cancellation,
                                             checkpoint: checkpoint, progress: progress, log: log)
        case .sequential:
            let p = try SequentialParameters(json: json, defaultSeed: 0)
            return try SequentialExecutor.run(dataset: dataset, parameters: p, threads: threads, output: output, cancellation: cancellation,
                                              checkpoint: checkpoint, progress: progress, log: log)
        }
    }
}
