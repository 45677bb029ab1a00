import Primitives
/// The reference model `energy-gru`: 36 hourly values (min-max scaled) in, the next 24 out.
///
///     GRU(1→64, 2 layers, batch-first) → last time step → Linear(64→64) → ReLU → Linear(64→24)
///
/// Parameter names follow PyTorch's `state_dict` of the equivalent module (`gru.*`, `fc1.*`,
/// `fc2.*`), so the weights file loads there with `load_state_dict`.
public final class EnergyForecaster: TrainableModel {
    public static let architectureName = "energy-gru"
    public static let windowLength = 36
    public static let horizon = 24
    public static let hiddenSize = 64
    public static let layerCount = 2

    public let gru: GRU
    public let fc1: Linear
    public let fc2: Linear

    /// A freshly initialised model: GRU first, then fc1 and fc2, all from one generator.
    public init(seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        gru = GRU(inputSize: 1, hiddenSize: Self.hiddenSize, layerCount: Self.layerCount, generator: &generator)
        fc1 = Linear(inputSize: Self.hiddenSize, outputSize: Self.hiddenSize, generator: &generator)
        fc2 = Linear(inputSize: Self.hiddenSize, outputSize: Self.horizon, generator: &generator)
    }

    public var namedParameters: [(name: String, variable: Variable)] {
        prefixed("gru", gru) + prefixed("fc1", fc1) + prefixed("fc2", fc2)
    }

    /// `input` is `[batch, 36]` or `[batch, 36, 1]` of scaled values; returns `[batch, 24]`.
    public func forward(_ input: Variable) -> Variable {
        let x = input.shape.count == 2 ? input.reshaped([input.shape[0], input.shape[1], 1]) : input
        let last = gru(x).finalHidden[Self.layerCount - 1]
        return fc2(fc1(last).relu())
    }

    /// The architecture as canonical JSON (its hash identifies the model shape on the ledger).
    public static var architecture: JSONValue {
        .object([
            "name": .string(architectureName),
            "format": .string("mledger-ml/1"),
            "input": .object(["window": .int(windowLength), "features": .int(1), "scaling": .string("min-max")]),
            "output": .object(["horizon": .int(horizon)]),
            "layers": .array([
                .object(["name": .string("gru"), "type": .string("gru"), "input_size": .int(1), "hidden_size": .int(hiddenSize),
                         "num_layers": .int(layerCount), "batch_first": .bool(true), "bias": .bool(true)]),
                .object(["type": .string("last_time_step")]),
                .object(["name": .string("fc1"), "type": .string("linear"), "in_features": .int(hiddenSize), "out_features": .int(hiddenSize)]),
                .object(["type": .string("relu")]),
                .object(["name": .string("fc2"), "type": .string("linear"), "in_features": .int(hiddenSize), "out_features": .int(horizon)]),
            ]),
        ])
    }
}

/// Min-max scaling to [0, 1], with its parameters stored in preprocessing.json.
public struct MinMaxScaler: Sendable, Equatable {
    public let minimum: Float
    public let maximum: Float

    public init(minimum: Float, maximum: Float) {
        self.minimum = minimum
        self.maximum = maximum
    }

    /// Fits to the range of `values`.
    public init(fitting values: [Float]) throws {
        guard let lo = values.min(), let hi = values.max() else { throw MLError.invalidInput("cannot fit a scaler to no values") }
        self.init(minimum: lo, maximum: hi)
    }

    /// Width of the range; a constant series scales by 1 so nothing divides by zero.
    private var span: Float { maximum > minimum ? maximum - minimum : 1 }

    public func scale(_ v: Float) -> Float { (v - minimum) / span }
    public func invert(_ v: Float) -> Float { v * span + minimum }

    public var json: JSONValue {
        .object(["scaler": .string("min-max"), "min": .double(Double(minimum)), "max": .double(Double(maximum))])
    }

    public init(json: JSONValue) throws {
        guard json["scaler"]?.stringValue == "min-max", let lo = json["min"]?.doubleValue, let hi = json["max"]?.doubleValue
        else { throw MLError.invalidFile("preprocessing.json: expected {\"scaler\":\"min-max\",\"min\":…,\"max\":…}") }
        self.init(minimum: Float(lo), maximum: Float(hi))
    }
}
