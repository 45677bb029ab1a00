import Foundation
import ML
import Primitives

/// One layer of a `sequential` architecture document.
public enum SequentialLayer: Sendable, Equatable {
    case linear(units: Int, bias: Bool)
    case gru(units: Int, layers: Int, returnSequences: Bool)
    case lstm(units: Int, layers: Int, returnSequences: Bool)
    case relu, tanh, sigmoid
    case dropout(Double)

    var json: JSONValue {
        switch self {
        case .linear(let units, let bias): return .object(["type": .string("linear"), "units": .int(units), "bias": .bool(bias)])
        case .gru(let units, let layers, let sequences), .lstm(let units, let layers, let sequences):
            let type = if case .gru = self { "gru" } else { "lstm" }
            return .object(["type": .string(type), "units": .int(units), "layers": .int(layers), "return_sequences": .bool(sequences)])
        case .relu: return .object(["type": .string("relu")])
        case .tanh: return .object(["type": .string("tanh")])
        case .sigmoid: return .object(["type": .string("sigmoid")])
        case .dropout(let p): return .object(["type": .string("dropout"), "p": .double(p)])
        }
    }
}

/// Which columns of the dataset table feed the model, and how rows become samples.
public enum SequentialDataLayout: Sendable, Equatable {
    /// One sample per row: `features` columns in, `targets` columns out.
    case tabular(features: [SequentialColumn], targets: [SequentialColumn])
    /// Sliding windows over the rows (a time series): `window` rows of `inputs` columns in, the
    /// next `horizon` rows of `targets` columns out (flattened row by row).
    case windowed(inputs: [SequentialColumn], targets: [SequentialColumn], window: Int, horizon: Int)

    var targets: [SequentialColumn] {
        switch self {
        case .tabular(_, let targets), .windowed(_, let targets, _, _): return targets
        }
    }
}

/// A column named by its CSV header or by its index (any format).
public enum SequentialColumn: Sendable, Equatable, CustomStringConvertible {
    case name(String)
    case index(Int)

    var json: JSONValue { switch self { case .name(let n): .string(n); case .index(let i): .int(i) } }
    public var description: String { switch self { case .name(let n): "\"\(n)\""; case .index(let i): "#\(i)" } }
}

/// The parameters of one `sequential` run, resolved with their defaults; their canonical JSON is
/// the anchored recipe, so the architecture, data layout and every setting that moves the
/// weights are in it (never the thread count).
public struct SequentialParameters: Sendable, Equatable {
    public var layers: [SequentialLayer] = []
    public var data: SequentialDataLayout = .tabular(features: [], targets: [])
    public var loss: Loss = .mse
    public var optimizer = "adam"
    public var learningRate = 0.001
    public var weightDecay = 0.0
    public var momentum = 0.0
    public var beta1 = 0.9
    public var beta2 = 0.999
    public var epochs = 20
    public var batchSize = 32
    public var validationFraction = 0.1
    public var earlyStoppingPatience: Int?
    public var seed: UInt64 = 0
    /// Classes of a cross-entropy target (the last layer's units), derived from the architecture.
    public var classCount: Int { outputUnits ?? 0 }

    static let knownFields: Set<String> = ["architecture", "data", "loss", "optimizer", "lr", "weight_decay", "momentum", "betas",
                                           "epochs", "batch_size", "validation_fraction", "early_stopping_patience", "seed"]
    static let optimizers = ["adam", "adamw", "sgd"]
    static let maxLayers = 64, maxUnits = 4096

    public init() {}

    /// Validates a posted parameters object; every failure names the offending field
    /// (`architecture.layers[2].units`, `data.window`, …).
    public init(json: JSONValue, defaultSeed: UInt64) throws(TrainingParameterError) {
        guard case .object(let fields) = json else { throw TrainingParameterError("params", "must be a JSON object") }
        if let unknown = fields.keys.sorted().first(where: { !Self.knownFields.contains($0) }) {
            throw TrainingParameterError(unknown, "is not a parameter of sequential (known: \(Self.knownFields.sorted().joined(separator: ", ")))")
        }
        seed = defaultSeed
        guard let architecture = fields["architecture"] else { throw TrainingParameterError("architecture", "is required") }
        layers = try Self.layers(architecture)
        guard let data = fields["data"] else { throw TrainingParameterError("data", "is required") }
        self.data = try Self.layout(data)
        if let value = fields["loss"] {
            guard let name = value.stringValue, let loss = Loss(rawValue: name) else {
                throw TrainingParameterError("loss", "must be one of mse, mae, cross_entropy")
            }
            self.loss = loss
        }
        if let value = fields["optimizer"] {
            guard let name = value.stringValue?.lowercased(), Self.optimizers.contains(name) else {
                throw TrainingParameterError("optimizer", "must be one of \(Self.optimizers.joined(separator: ", "))")
            }
            optimizer = name
        }
        if let value = fields["lr"] { learningRate = try Self.number(value, "lr", open: 0, 10) }
        if let value = fields["weight_decay"] { weightDecay = try Self.number(value, "weight_decay", 0, 1) }
        if let value = fields["momentum"] { momentum = try Self.number(value, "momentum", 0, 0.999) }
        if let value = fields["betas"] {
            guard let pair = value.arrayValue, pair.count == 2 else { throw TrainingParameterError("betas", "must be an array of two numbers in [0, 1)") }
            beta1 = try Self.number(pair[0], "betas[0]", 0, 0.9999)
            beta2 = try Self.number(pair[1], "betas[1]", 0, 0.9999)
        }
        if optimizer == "adamw", fields["weight_decay"] == nil { weightDecay = 0.01 }
        if let value = fields["epochs"] { epochs = try Self.integer(value, "epochs", 1...10_000) }
        if let value = fields["batch_size"] { batchSize = try Self.integer(value, "batch_size", 1...65_536) }
        if let value = fields["validation_fraction"] { validationFraction = try Self.number(value, "validation_fraction", 0, 0.9) }
        if let value = fields["early_stopping_patience"], !value.isNull {
            earlyStoppingPatience = try Self.integer(value, "early_stopping_patience", 1...10_000)
        }
        if let value = fields["seed"] {
            guard let seed = value.uint64Value else { throw TrainingParameterError("seed", "must be an integer in 0…2^64-1") }
            self.seed = seed
        }
        try checkShapes()
    }

    /// The units of the last layer that has units (the model's output width), nil without one.
    var outputUnits: Int? {
        for layer in layers.reversed() {
            switch layer {
            case .linear(let units, _), .gru(let units, _, _), .lstm(let units, _, _): return units
            default: continue
            }
        }
        return nil
    }

    /// The shape rules that need the whole document: recurrent layers need windows, the output
    /// must be one vector per sample as wide as the targets.
    private func checkShapes() throws(TrainingParameterError) {
        var sequence: Bool
        if case .windowed = data { sequence = true } else { sequence = false }
        for (index, layer) in layers.enumerated() {
            switch layer {
            case .gru(_, _, let keeps), .lstm(_, _, let keeps):
                guard sequence else {
                    throw TrainingParameterError("architecture.layers[\(index)]", "a recurrent layer needs sequence input: declare data.window (or keep return_sequences of the layer before)")
                }
                sequence = keeps
            default: break
            }
        }
        if sequence { throw TrainingParameterError("architecture.layers", "the output is still a sequence: end with a recurrent layer without return_sequences, then linear layers") }
        guard let units = outputUnits else { throw TrainingParameterError("architecture.layers", "needs at least one linear, gru or lstm layer") }
        let targets = data.targets.count
        let expected: Int
        switch (loss, data) {
        case (.crossEntropy, _):
            guard targets == 1 else { throw TrainingParameterError("data.targets", "cross_entropy takes one target column of class indices") }
            if case .windowed(_, _, _, let horizon) = data, horizon != 1 { throw TrainingParameterError("data.horizon", "cross_entropy needs horizon 1") }
            guard units >= 2 else { throw TrainingParameterError("architecture.layers", "cross_entropy needs an output of at least 2 classes") }
            expected = units
        case (_, .windowed(_, _, _, let horizon)): expected = targets * horizon
        default: expected = targets
        }
        guard units == expected else {
            throw TrainingParameterError("architecture.layers", "the last layer has \(units) units; the targets need \(expected)")
        }
    }

    private static func layers(_ value: JSONValue) throws(TrainingParameterError) -> [SequentialLayer] {
        guard let list = value["layers"]?.arrayValue, case .object(let top) = value else {
            throw TrainingParameterError("architecture", "must be an object with a \"layers\" array")
        }
        if let extra = top.keys.sorted().first(where: { $0 != "layers" }) { throw TrainingParameterError("architecture.\(extra)", "is not an architecture field") }
        guard (1...maxLayers).contains(list.count) else { throw TrainingParameterError("architecture.layers", "must hold 1…\(maxLayers) layers") }
        var layers: [SequentialLayer] = []
        for (index, item) in list.enumerated() {
            let field = "architecture.layers[\(index)]"
            guard case .object(let spec) = item, let type = spec["type"]?.stringValue?.lowercased() else {
                throw TrainingParameterError(field, "must be an object with a \"type\"")
            }
            let allowed: Set<String>
            switch type {
            case "linear": allowed = ["type", "units", "bias"]
            case "gru", "lstm": allowed = ["type", "units", "layers", "return_sequences"]
            case "dropout": allowed = ["type", "p"]
            case "relu", "tanh", "sigmoid": allowed = ["type"]
            default: throw TrainingParameterError("\(field).type", "must be one of linear, gru, lstm, relu, tanh, sigmoid, dropout")
            }
            if let extra = spec.keys.sorted().first(where: { !allowed.contains($0) }) {
                throw TrainingParameterError("\(field).\(extra)", "is not a field of a \(type) layer")
            }
            func flag(_ key: String, _ fallback: Bool) throws(TrainingParameterError) -> Bool {
                guard let value = spec[key] else { return fallback }
                guard let flag = value.boolValue else { throw TrainingParameterError("\(field).\(key)", "must be true or false") }
                return flag
            }
            func units() throws(TrainingParameterError) -> Int {
                guard let value = spec["units"] else { throw TrainingParameterError("\(field).units", "is required") }
                return try integer(value, "\(field).units", 1...maxUnits)
            }
            switch type {
            case "linear": layers.append(.linear(units: try units(), bias: try flag("bias", true)))
            case "gru", "lstm":
                let stacked = try spec["layers"].map { v throws(TrainingParameterError) in try integer(v, "\(field).layers", 1...8) } ?? 1
                let (u, s) = (try units(), try flag("return_sequences", false))
                layers.append(type == "gru" ? .gru(units: u, layers: stacked, returnSequences: s) : .lstm(units: u, layers: stacked, returnSequences: s))
            case "dropout":
                guard let p = spec["p"]?.doubleValue, p >= 0, p < 1 else { throw TrainingParameterError("\(field).p", "must be a number in [0, 1)") }
                layers.append(.dropout(p))
            case "relu": layers.append(.relu)
            case "tanh": layers.append(.tanh)
            default: layers.append(.sigmoid)
            }
        }
        return layers
    }

    private static func layout(_ value: JSONValue) throws(TrainingParameterError) -> SequentialDataLayout {
        guard case .object(let spec) = value else { throw TrainingParameterError("data", "must be an object") }
        let windowed = spec["window"] != nil || spec["inputs"] != nil
        let allowed: Set<String> = windowed ? ["inputs", "targets", "window", "horizon"] : ["features", "targets"]
        if let extra = spec.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw TrainingParameterError("data.\(extra)", windowed ? "is not a field of windowed data (inputs, targets, window, horizon)"
                                                                   : "is not a field of tabular data (features, targets)")
        }
        let targets = try columns(spec["targets"], "data.targets")
        if windowed {
            guard let window = spec["window"] else { throw TrainingParameterError("data.window", "is required with data.inputs") }
            return .windowed(inputs: try columns(spec["inputs"], "data.inputs"), targets: targets,
                             window: try integer(window, "data.window", 1...10_000),
                             horizon: try spec["horizon"].map { v throws(TrainingParameterError) in try integer(v, "data.horizon", 1...10_000) } ?? 1)
        }
        return .tabular(features: try columns(spec["features"], "data.features"), targets: targets)
    }

    private static func columns(_ value: JSONValue?, _ field: String) throws(TrainingParameterError) -> [SequentialColumn] {
        guard let list = value?.arrayValue, (1...1024).contains(list.count) else {
            throw TrainingParameterError(field, "must be an array of 1…1024 column names or indices")
        }
        var result: [SequentialColumn] = []
        for (index, item) in list.enumerated() {
            if let name = item.stringValue, !name.isEmpty, name.utf8.count <= 128 { result.append(.name(name)) } else if let i = item.intValue, i >= 0 {
                result.append(.index(i))
            } else {
                throw TrainingParameterError("\(field)[\(index)]", "must be a column name (1…128 bytes) or a non-negative index")
            }
        }
        return result
    }

    static func integer(_ value: JSONValue, _ field: String, _ range: ClosedRange<Int>) throws(TrainingParameterError) -> Int {
        guard let number = value.intValue, range.contains(number) else {
            throw TrainingParameterError(field, "must be an integer in \(range.lowerBound)…\(range.upperBound)")
        }
        return number
    }

    private static func number(_ value: JSONValue, _ field: String, open lower: Double, _ upper: Double) throws(TrainingParameterError) -> Double {
        guard let number = value.doubleValue, number.isFinite, number > lower, number <= upper else {
            throw TrainingParameterError(field, "must be a number in (\(lower), \(upper)]")
        }
        return number
    }

    private static func number(_ value: JSONValue, _ field: String, _ lower: Double, _ upper: Double) throws(TrainingParameterError) -> Double {
        guard let number = value.doubleValue, number.isFinite, number >= lower, number <= upper else {
            throw TrainingParameterError(field, "must be a number in [\(lower), \(upper)]")
        }
        return number
    }

    /// Every field, defaults included: the document whose canonical text is anchored.
    public var json: JSONValue {
        let dataJSON: JSONValue
        switch data {
        case .tabular(let features, let targets):
            dataJSON = .object(["features": .array(features.map(\.json)), "targets": .array(targets.map(\.json))])
        case .windowed(let inputs, let targets, let window, let horizon):
            dataJSON = .object(["inputs": .array(inputs.map(\.json)), "targets": .array(targets.map(\.json)),
                                "window": .int(window), "horizon": .int(horizon)])
        }
        return .object([
            "architecture": .object(["layers": .array(layers.map(\.json))]), "data": dataJSON,
            "loss": .string(loss.rawValue), "optimizer": .string(optimizer), "lr": .double(learningRate),
            "weight_decay": .double(weightDecay), "momentum": .double(momentum), "betas": .array([.double(beta1), .double(beta2)]),
            "epochs": .int(epochs), "batch_size": .int(batchSize), "validation_fraction": .double(validationFraction),
            "early_stopping_patience": earlyStoppingPatience.map { .int($0) } ?? .null, "seed": .unsigned(UInt256(seed)),
        ])
    }

    public var canonicalText: String { json.canonicalString }
}
