import LedgerCrypto
import Foundation
import ML
import Primitives

/// Which trainer a model's `train_image` names.
public enum TrainerKind: Sendable, Equatable {
    /// A trainer of the ML engine, by architecture name (`energy-gru`).
    case builtin(String)
    /// `cmd:PROGRAM ARGS`: a program run as a child process.
    case command(String)
    /// An OCI image reference, run through the configured container command template.
    case image(String)

    public static let builtinNames = BuiltinTrainer.allCases.map(\.rawValue)

    /// Classifies a `train_image`; nil when it is empty.
    public init?(trainImage: String) {
        let text = trainImage.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return nil }
        if Self.builtinNames.contains(text) { self = .builtin(text) } else if text.hasPrefix("cmd:") {
            self = .command(String(text.dropFirst(4)).trimmingCharacters(in: .whitespaces))
        } else {
            self = .image(text)
        }
    }
}

/// The trainer identity a recipe anchors as `trainingRecipe` (canonical JSON, at most 256 bytes).
///
/// For a built-in trainer, `code` is the Keccak-256 of a canonical description of what decides
/// its weights: the architecture document and the training algorithm's revision. It changes when
/// either changes, so `reproduce` can tell "different trainer" from "different result". It is
/// not a hash of the binary: two builds of one revision give the same identity.
public enum TrainerIdentity {
    /// Bumped whenever the built-in energy-gru training changes in a way that moves its weights
    /// (initialisation, batching, optimizer, scaling, windowing, serialization).
    public static let energyGRUAlgorithmRevision = "energy-gru-training/1: minmax-scaler, windows 36→24, adam(0.9,0.99,1e-8), mse, seeded shuffle seed+1, safetensors"

    public static var energyGRUCodeHash: Hash32 {
        let description: JSONValue = .object([
            "architecture": EnergyForecaster.architecture,
            "algorithm": .string(energyGRUAlgorithmRevision),
        ])
        return Keccak256.hash(Array(description.canonicalString.utf8))
    }

    /// The identity document of a trainer as run by MLedger `version`.
    public static func document(for kind: TrainerKind, version: String) -> JSONValue {
        switch kind {
        case .builtin(let name):
            let code = BuiltinTrainer(rawValue: name)?.codeHash ?? energyGRUCodeHash
            return .object(["trainer": .string(name), "mledger": .string(version), "code": .string(code.description)])
        case .command(let command):
            return .object(["trainer": .string("cmd"), "mledger": .string(version), "command": .string(command)])
        case .image(let reference):
            return .object(["trainer": .string("image"), "mledger": .string(version), "image": .string(reference)])
        }
    }

    /// Largest `trainingRecipe` the contract stores.
    public static let maxLength = 256
}
