import Foundation
import ML

/// A `sequential` architecture built from the ML engine's layers, applied in order. Parameter
/// names follow `layers.<index>.<name>` (PyTorch's `state_dict` names inside each layer);
/// initial weights are drawn layer by layer from one generator seeded with the run's seed.
///
/// Dropout masks are keyed by (seed, training step, layer index) instead of one running
/// generator, so a run resumed from a checkpoint draws the masks the uninterrupted run drew;
/// they apply only while a graph is recorded (training steps), never in evaluation.
public final class SequentialModel: TrainableModel {
    enum Stage {
        case linear(Linear)
        case gru(GRU, returnSequences: Bool)
        case lstm(LSTM, returnSequences: Bool)
        case relu, tanh, sigmoid
        case dropout(Float)
    }

    let stages: [Stage]
    let seed: UInt64
    /// Training forward passes so far (the dropout key); a resumed run sets it.
    public var trainingStep = 0

    public init(layers: [SequentialLayer], inputFeatures: Int, seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        var width = inputFeatures
        var stages: [Stage] = []
        for layer in layers {
            switch layer {
            case .linear(let units, let bias):
                stages.append(.linear(Linear(inputSize: width, outputSize: units, bias: bias, generator: &generator)))
                width = units
            case .gru(let units, let count, let sequences):
                stages.append(.gru(GRU(inputSize: width, hiddenSize: units, layerCount: count, generator: &generator), returnSequences: sequences))
                width = units
            case .lstm(let units, let count, let sequences):
                stages.append(.lstm(LSTM(inputSize: width, hiddenSize: units, layerCount: count, generator: &generator), returnSequences: sequences))
                width = units
            case .relu: stages.append(.relu)
            case .tanh: stages.append(.tanh)
            case .sigmoid: stages.append(.sigmoid)
            case .dropout(let p): stages.append(.dropout(Float(p)))
            }
        }
        self.stages = stages
        self.seed = seed
    }

    public var namedParameters: [(name: String, variable: Variable)] {
        stages.enumerated().flatMap { index, stage -> [(name: String, variable: Variable)] in
            let module: (any Module)? = switch stage {
            case .linear(let m): m
            case .gru(let m, _): m
            case .lstm(let m, _): m
            default: nil
            }
            return module?.namedParameters.map { ("layers.\(index).\($0.name)", $0.variable) } ?? []
        }
    }

    public func forward(_ input: Variable) -> Variable {
        let training = GradientMode.isEnabled
        if training { trainingStep += 1 }
        var x = input
        for (index, stage) in stages.enumerated() {
            switch stage {
            case .linear(let layer): x = layer(x)
            case .gru(let layer, let sequences):
                let out = layer(x)
                x = sequences ? out.sequence : out.finalHidden.last!
            case .lstm(let layer, let sequences):
                let out = layer(x)
                x = sequences ? out.sequence : out.finalHidden.last!
            case .relu: x = x.relu()
            case .tanh: x = x.tanh()
            case .sigmoid: x = x.sigmoid()
            case .dropout(let p):
                guard training, p > 0 else { continue }
                x = Dropout(probability: p, seed: Self.dropoutSeed(seed, step: trainingStep, layer: index))(x)
            }
        }
        return x
    }

    /// The dropout mask seed of one layer at one training step: a SplitMix64-style mix of the three.
    static func dropoutSeed(_ seed: UInt64, step: Int, layer: Int) -> UInt64 {
        var z = seed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(truncatingIfNeeded: step) &+ 0xD1B5_4A32_D192_ED03 &* UInt64(truncatingIfNeeded: layer + 1)
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
