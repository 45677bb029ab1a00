import ML
import Primitives

/// A native model described by an architecture document (`mledger-ml/1`, the format of
/// `architecture.json`): a stack of `gru`, `lstm`, `last_time_step`, `linear`, `relu`, `tanh`
/// and `sigmoid` layers over ML's layers, with PyTorch's parameter names (`gru.weight_ih_l0`,
/// `fc1.bias`, ...). `energy-gru` is one such stack; so is a plain MLP.
public final class NativeNetwork {
    public enum Layer {
        case gru(name: String, GRU)
        case lstm(name: String, LSTM)
        case lastTimeStep
        case linear(name: String, Linear)
        case relu, tanh, sigmoid
    }

    public let architecture: JSONValue
    public let layers: [Layer]
    /// Time steps per input window (recurrent networks), from `input.window`; nil for an MLP.
    public let window: Int?
    /// Features per time step (recurrent) or per row (MLP).
    public let features: Int

    /// Builds the stack and loads `stateDict`, which must hold exactly the parameters the
    /// architecture names, with their shapes.
    public init(architecture: JSONValue, stateDict: [String: Tensor]) throws {
        self.architecture = architecture
        guard let entries = architecture["layers"]?.arrayValue, !entries.isEmpty else {
            throw ONNXError.translation("architecture has no \"layers\" array")
        }
        var generator = SeededGenerator(seed: 0)
        var built = [Layer]()
        var expected = Set<String>()
        func int(_ entry: JSONValue, _ key: String) throws -> Int {
            guard let v = entry[key]?.intValue, v > 0, v < 1 << 20 else {
                throw ONNXError.translation("layer \(entry["name"]?.stringValue ?? entry["type"]?.stringValue ?? "?"): \(key) must be a positive integer")
            }
            return v
        }
        for entry in entries {
            guard let type = entry["type"]?.stringValue else { throw ONNXError.translation("a layer has no type") }
            let name = entry["name"]?.stringValue ?? type
            switch type {
            case "gru", "lstm":
                if entry["batch_first"]?.boolValue == false { throw ONNXError.translation("\(name): only batch_first recurrent layers") }
                if entry["bias"]?.boolValue == false { throw ONNXError.translation("\(name): recurrent layers need biases") }
                let input = try int(entry, "input_size"), hidden = try int(entry, "hidden_size")
                let count = entry["num_layers"] == nil ? 1 : try int(entry, "num_layers")
                let module: any Module
                if type == "gru" {
                    let gru = GRU(inputSize: input, hiddenSize: hidden, layerCount: count, generator: &generator)
                    built.append(.gru(name: name, gru))
                    module = gru
                } else {
                    let lstm = LSTM(inputSize: input, hiddenSize: hidden, layerCount: count, generator: &generator)
                    built.append(.lstm(name: name, lstm))
                    module = lstm
                }
                try Self.load(module, prefix: name, from: stateDict, expected: &expected)
            case "linear":
                let linear = Linear(inputSize: try int(entry, "in_features"), outputSize: try int(entry, "out_features"),
                                    bias: entry["bias"]?.boolValue ?? true, generator: &generator)
                try Self.load(linear, prefix: name, from: stateDict, expected: &expected)
                built.append(.linear(name: name, linear))
            case "last_time_step": built.append(.lastTimeStep)
            case "relu": built.append(.relu)
            case "tanh": built.append(.tanh)
            case "sigmoid": built.append(.sigmoid)
            default: throw ONNXError.translation("layer type \(type) has no ONNX translation")
            }
        }
        let extra = Set(stateDict.keys).subtracting(expected)
        guard extra.isEmpty else { throw ONNXError.translation("weights the architecture does not name: \(extra.sorted().joined(separator: ", "))") }
        layers = built
        window = architecture["input"]?["window"]?.intValue
        switch built.first {
        case .gru(_, let g)?: features = g.inputSize
        case .lstm(_, let l)?: features = l.inputSize
        case .linear(_, let l)?: features = l.weight.shape[1]
        default: throw ONNXError.translation("the first layer must be gru, lstm or linear")
        }
        if isRecurrent, window == nil { throw ONNXError.translation("a recurrent architecture needs input.window") }
        if let window, window <= 0 || window > 1 << 16 { throw ONNXError.translation("input.window must be between 1 and 65536") }
        try checkChaining()
    }

    /// Each layer must take what the one before gives (ML's layers assume it and stop the
    /// process otherwise): widths match, time steps are selected once, after a recurrent layer.
    private func checkChaining() throws {
        var width = features
        var sequence = isRecurrent
        for layer in layers {
            switch layer {
            case .gru(let name, let m as any Module), .lstm(let name, let m as any Module):
                let input = (m as? GRU)?.inputSize ?? (m as? LSTM)?.inputSize ?? 0
                guard sequence, input == width else { throw ONNXError.translation("\(name) takes \(input) features per step, gets \(sequence ? "\(width)" : "no sequence")") }
                width = (m as? GRU)?.hiddenSize ?? (m as? LSTM)?.hiddenSize ?? 0
            case .lastTimeStep:
                guard sequence else { throw ONNXError.translation("last_time_step without a sequence before it") }
                sequence = false
            case .linear(let name, let linear):
                guard linear.weight.shape[1] == width else { throw ONNXError.translation("\(name) takes \(linear.weight.shape[1]) features, gets \(width)") }
                width = linear.weight.shape[0]
            case .relu, .tanh, .sigmoid: break
            }
        }
    }

    private static func load(_ module: any Module, prefix: String, from state: [String: Tensor], expected: inout Set<String>) throws {
        var mine = [String: Tensor]()
        for (name, _) in module.namedParameters {
            let key = "\(prefix).\(name)"
            expected.insert(key)
            guard let t = state[key] else { throw ONNXError.translation("missing weight \(key)") }
            mine[name] = t
        }
        do { try module.loadStateDict(mine) } catch { throw ONNXError.translation("\(prefix): \(error)") }
    }

    public var isRecurrent: Bool {
        switch layers.first { case .gru?, .lstm?: return true; default: return false }
    }

    /// Shape of one input row: `[window, features]` for a recurrent network, `[features]` otherwise.
    public var inputRowShape: [Int] { isRecurrent ? [window ?? 1, features] : [features] }

    /// PyTorch-named parameters of every layer.
    public func stateDict() -> [String: Tensor] {
        var state = [String: Tensor]()
        for layer in layers {
            switch layer {
            case .gru(let name, let m as any Module), .lstm(let name, let m as any Module), .linear(let name, let m as any Module):
                for (k, v) in m.namedParameters { state["\(name).\(k)"] = v.value }
            default: break
            }
        }
        return state
    }

    /// Runs `input` (`[batch] + inputRowShape`; a recurrent network with one feature also takes `[batch, window]`).
    public func forward(_ input: Tensor) throws -> Tensor {
        var x = input
        if isRecurrent, x.rank == 2, features == 1 { x = x.reshaped([x.shape[0], x.shape[1], 1]) }
        guard x.rank == 1 + inputRowShape.count, x.shape[0] > 0, Array(x.shape.dropFirst()) == inputRowShape else {
            throw ONNXError.invalidInput("input of shape \(input.shape), the model takes [batch] + \(inputRowShape)")
        }
        return GradientMode.withoutGradients {
            var v = Variable(x)
            var sequenceFinal: Variable?
            for layer in layers {
                switch layer {
                case .gru(_, let gru):
                    let out = gru(v)
                    v = out.sequence
                    sequenceFinal = out.finalHidden.last
                case .lstm(_, let lstm):
                    let out = lstm(v)
                    v = out.sequence
                    sequenceFinal = out.finalHidden.last
                case .lastTimeStep:
                    if let last = sequenceFinal { v = last } else {
                        let t = v.shape[1]
                        v = v.slice(axis: 1, (t - 1)..<t).reshaped([v.shape[0], v.shape[2]])
                    }
                    sequenceFinal = nil
                case .linear(_, let linear): v = linear(v)
                case .relu: v = v.relu()
                case .tanh: v = v.tanh()
                case .sigmoid: v = v.sigmoid()
                }
            }
            return v.value
        }
    }
}
