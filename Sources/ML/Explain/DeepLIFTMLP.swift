/// A feed-forward network of Linear, ReLU, Tanh and Sigmoid layers that DeepLIFT can explain.
public struct DeepLIFTMLP: Sendable {
    public enum Layer: Sendable {
        case linear(weight: Tensor, bias: Tensor?)
        case relu, tanh, sigmoid

        public static func linear(_ layer: Linear) -> Layer { .linear(weight: layer.weight.value, bias: layer.bias?.value) }
    }

    private enum Step: Sendable {
        case affine(DenseMatrix, [Double]?)
        case activation(RescaledActivation)
    }

    private let steps: [Step]
    public let inputSize: Int
    public let outputSize: Int

    /// Checks that consecutive Linear layers fit together.
    public init(_ layers: [Layer]) throws {
        var built = [Step]()
        var width: Int?
        var inputWidth: Int?
        for (i, layer) in layers.enumerated() {
            switch layer {
            case let .linear(weight, bias):
                guard weight.rank == 2 else { throw MLError.shapeMismatch("layer \(i): weight has shape \(weight.shape), expected [out, in]") }
                if let w = width, w != weight.shape[1] {
                    throw MLError.shapeMismatch("layer \(i): takes \(weight.shape[1]) inputs, the previous layer gives \(w)")
                }
                if let bias, bias.shape != [weight.shape[0]] {
                    throw MLError.shapeMismatch("layer \(i): bias has shape \(bias.shape), expected [\(weight.shape[0])]")
                }
                if inputWidth == nil { inputWidth = weight.shape[1] }
                width = weight.shape[0]
                built.append(.affine(DenseMatrix(weight), bias?.scalars.map(Double.init)))
            case .relu: built.append(.activation(.relu))
            case .tanh: built.append(.activation(.tanh))
            case .sigmoid: built.append(.activation(.sigmoid))
            }
        }
        guard let inputWidth, let width else { throw MLError.invalidInput("a DeepLIFT network needs at least one linear layer") }
        steps = built
        inputSize = inputWidth
        outputSize = width
    }

    /// The network's outputs in double precision.
    public func forward(_ input: [Double]) -> [Double] { trace(input).last! }

    /// The input of every step, then the final output.
    private func trace(_ input: [Double]) -> [[Double]] {
        var values = [input]
        for step in steps {
            let x = values.last!
            switch step {
            case let .affine(w, b): values.append(w.times(x, plus: b))
            case let .activation(f): values.append(x.map { f($0) })
            }
        }
        return values
    }

    /// DeepLIFT attributions of `target` to each input element, against `baseline` (zeros when nil).
    /// Products do not occur in an MLP, so the product rule does not matter here.
    public func explain(input: [Float], baseline: [Float]? = nil, target: DeepLIFTTarget = .sumOfOutputs,
                        options: DeepLIFTOptions = DeepLIFTOptions()) throws -> DeepLIFTAttribution {
        let (x, x0) = try checkedExplanationInput(input, baseline: baseline, expected: inputSize)
        let actual = trace(x), reference = trace(x0)
        var m = try target.seed(outputCount: outputSize)
        for (i, step) in steps.enumerated().reversed() {
            switch step {
            case let .affine(w, _):
                m = w.transposedTimes(m)
            case let .activation(f):
                for j in m.indices {
                    m[j] *= f.multiplier(x: actual[i][j], y: actual[i + 1][j], x0: reference[i][j], y0: reference[i + 1][j],
                                         epsilon: options.epsilon)
                }
            }
        }
        return DeepLIFTAttribution(attributions: zip(m, zip(x, x0)).map { $0 * ($1.0 - $1.1) },
                                   output: target.select(actual.last!), baselineOutput: target.select(reference.last!))
    }
}
