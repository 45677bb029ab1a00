import LedgerCrypto
import Foundation
import ML
import Primitives

/// A parameter that fails the trainer's schema: the 422 names `field`.
public struct TrainingParameterError: Error, Equatable, Sendable, CustomStringConvertible {
    public var field: String
    public var reason: String
    public init(_ field: String, _ reason: String) {
        self.field = field
        self.reason = reason
    }
    public var description: String { "\(field): \(reason)" }
}

/// The parameters of one `energy-gru` run, resolved with their defaults. Their canonical JSON is
/// what the recipe anchors and what `reproduce` reads back, so every field that changes the
/// weights is in it and nothing that does not (the thread count is left out: the weights are
/// bit-identical for any count).
public struct EnergyGRUParameters: Sendable, Equatable {
    public var epochs = 50
    public var seed: UInt64 = 0
    public var batchSize = 128
    public var learningRate = 0.005
    public var validationFraction = 0.1
    public var earlyStoppingPatience: Int?
    /// CSV column of the dataset file (nil: the file's only numeric column).
    public var column: String?

    static let knownFields: Set<String> = ["epochs", "seed", "batch_size", "lr", "validation_fraction", "early_stopping_patience", "column"]

    public init() {}

    /// Validates a posted parameters object; `defaultSeed` (the model's first registered seed)
    /// applies when the object names none. Unknown fields are refused so that a typo never
    /// silently trains with a default.
    public init(json: JSONValue, defaultSeed: UInt64) throws(TrainingParameterError) {
        guard case .object(let fields) = json else { throw TrainingParameterError("params", "must be a JSON object") }
        if let unknown = fields.keys.sorted().first(where: { !Self.knownFields.contains($0) }) {
            throw TrainingParameterError(unknown, "is not a parameter of energy-gru (known: \(Self.knownFields.sorted().joined(separator: ", ")))")
        }
        seed = defaultSeed
        if let value = fields["epochs"] { epochs = try Self.integer(value, "epochs", 1...10_000) }
        if let value = fields["seed"] {
            guard let seed = value.uint64Value else { throw TrainingParameterError("seed", "must be an integer in 0…2^64-1") }
            self.seed = seed
        }
        if let value = fields["batch_size"] { batchSize = try Self.integer(value, "batch_size", 1...65_536) }
        if let value = fields["lr"] {
            guard let lr = value.doubleValue, lr.isFinite, lr > 0, lr <= 10 else {
                throw TrainingParameterError("lr", "must be a number in (0, 10]")
            }
            learningRate = lr
        }
        if let value = fields["validation_fraction"] {
            guard let fraction = value.doubleValue, fraction >= 0, fraction <= 0.9 else {
                throw TrainingParameterError("validation_fraction", "must be a number in [0, 0.9]")
            }
            validationFraction = fraction
        }
        if let value = fields["early_stopping_patience"], !value.isNull {
            earlyStoppingPatience = try Self.integer(value, "early_stopping_patience", 1...10_000)
        }
        if let value = fields["column"], !value.isNull {
            guard let column = value.stringValue, !column.isEmpty, column.utf8.count <= 128 else {
                throw TrainingParameterError("column", "must be a non-empty string of at most 128 bytes")
            }
            self.column = column
        }
    }

    private static func integer(_ value: JSONValue, _ field: String, _ range: ClosedRange<Int>) throws(TrainingParameterError) -> Int {
        guard let number = value.intValue, range.contains(number) else {
            throw TrainingParameterError(field, "must be an integer in \(range.lowerBound)…\(range.upperBound)")
        }
        return number
    }

    /// Every field, defaults included: the document whose canonical text is anchored.
    public var json: JSONValue {
        var fields: [String: JSONValue] = [
            "epochs": .int(epochs), "seed": .unsigned(UInt256(seed)), "batch_size": .int(batchSize), "lr": .double(learningRate),
            "validation_fraction": .double(validationFraction),
            "early_stopping_patience": earlyStoppingPatience.map { .int($0) } ?? .null,
        ]
        if let column { fields["column"] = .string(column) }
        return .object(fields)
    }

    public var canonicalText: String { json.canonicalString }

    /// The ML engine's recipe for these parameters on `threads` kernel threads.
    public func recipe(threads: Int) -> EnergyTrainingRecipe {
        var recipe = EnergyTrainingRecipe(seed: seed)
        recipe.epochs = epochs
        recipe.batchSize = batchSize
        recipe.learningRate = learningRate
        recipe.validationFraction = validationFraction
        recipe.earlyStoppingPatience = earlyStoppingPatience
        recipe.threads = max(1, threads)
        return recipe
    }
}

/// Parameters of a process or container run: any JSON object (the program reads it from
/// `params.json`), with an optional integer `seed` that becomes the seed environment.
public struct ProcessParameters: Sendable, Equatable {
    public var document: JSONValue
    public var seed: UInt64

    public init(json: JSONValue, defaultSeed: UInt64) throws(TrainingParameterError) {
        guard case .object(let fields) = json else { throw TrainingParameterError("params", "must be a JSON object") }
        seed = defaultSeed
        if let value = fields["seed"] {
            guard let seed = value.uint64Value else { throw TrainingParameterError("seed", "must be an integer in 0…2^64-1") }
            self.seed = seed
        }
        var resolved = fields
        resolved["seed"] = .unsigned(UInt256(seed))
        document = .object(resolved)
    }

    public var canonicalText: String { document.canonicalString }
}

/// Keccak-256 of a canonical text, 0x-hex: the parameters hash jobs are keyed by and the
/// contract recomputes as `hyperParametersHash`.
public func canonicalHash(_ text: String) -> Hash32 { Keccak256.hash(Array(text.utf8)) }
