import Foundation

/// Which output a DeepLIFT explanation attributes.
public enum DeepLIFTTarget: Sendable, Equatable {
    /// One output, by index.
    case output(Int)
    /// The sum of all outputs (for a forecaster: the total over the horizon).
    case sumOfOutputs
}

/// How a product a·b of two quantities that both depend on the input passes multipliers back.
/// (Elementwise nonlinearities always use the rescale rule.)
public enum DeepLIFTProductRule: String, Sendable, Equatable {
    /// Each factor is credited with the change of the product times the mean of the other
    /// factor's actual and baseline value: Δ(ab) = ā·Δb + b̄·Δa exactly, so attributions sum to
    /// the output difference. MLedger's default.
    case averaged
    /// Each factor is credited with the ordinary partial derivative at the actual input (the
    /// other factor's actual value). This is what Captum's `DeepLift` does for products, which
    /// are not modules it can hook; summation-to-delta then holds only approximately.
    case gradientAtInput = "gradient"
}

/// Attributions of one explained output to each input element.
public struct DeepLIFTAttribution: Sendable, Equatable {
    /// One attribution per input element, in the units of the explained output.
    public let attributions: [Double]
    /// The explained output at the input and at the baseline (double-precision forward pass).
    public let output: Double
    public let baselineOutput: Double

    /// f(input) − f(baseline), what the attributions should sum to.
    public var outputDelta: Double { output - baselineOutput }
    public var attributionSum: Double { attributions.reduce(0, +) }
    /// Σ attributions − (f(input) − f(baseline)); Captum's "convergence delta".
    public var convergenceDelta: Double { attributionSum - outputDelta }
}

/// DeepLIFT (Shrikumar, Greenside & Kundaje 2017) with the rescale rule: every elementwise
/// nonlinearity y = f(x) passes back Δy/Δx (the secant between baseline and input) instead of
/// its derivative, falling back to the derivative f′(x) where |Δx| < `epsilon` (as Captum does);
/// linear maps pass back their weights. Attributions are the resulting multipliers times
/// (input − baseline). Everything runs in double precision on the model's Float32 weights.
public struct DeepLIFTOptions: Sendable, Equatable {
    public var productRule: DeepLIFTProductRule
    public var epsilon: Double

    public init(productRule: DeepLIFTProductRule = .averaged, epsilon: Double = 1e-10) {
        self.productRule = productRule
        self.epsilon = epsilon
    }
}

/// The elementwise nonlinearities DeepLIFT supports, with their value and derivative.
enum RescaledActivation: Sendable {
    case relu, sigmoid, tanh

    func callAsFunction(_ x: Double) -> Double {
        switch self {
        case .relu: return x > 0 ? x : 0
        case .sigmoid: return 1 / (1 + exp(-x))
        case .tanh: return Foundation.tanh(x)
        }
    }

    func derivative(at x: Double) -> Double {
        switch self {
        case .relu: return x > 0 ? 1 : 0
        case .sigmoid: let s = self(x); return s * (1 - s)
        case .tanh: let t = Foundation.tanh(x); return 1 - t * t
        }
    }

    /// The rescale-rule multiplier between input x (output y) and baseline x0 (output y0).
    func multiplier(x: Double, y: Double, x0: Double, y0: Double, epsilon: Double) -> Double {
        let dx = x - x0
        return abs(dx) < epsilon ? derivative(at: x) : (y - y0) / dx
    }
}

/// A dense matrix in PyTorch's `[out, in]` layout, in double precision.
struct DenseMatrix: Sendable {
    let rows: Int, columns: Int
    let values: [Double]

    init(_ tensor: Tensor) {
        precondition(tensor.rank == 2, "weight must be 2-D, got \(tensor.shape)")
        rows = tensor.shape[0]
        columns = tensor.shape[1]
        values = tensor.scalars.map(Double.init)
    }

    /// W·x (+ bias).
    func times(_ x: [Double], plus bias: [Double]? = nil) -> [Double] {
        var out = bias ?? [Double](repeating: 0, count: rows)
        for r in 0..<rows {
            var s = 0.0
            let base = r * columns
            for c in 0..<columns { s += values[base + c] * x[c] }
            out[r] += s
        }
        return out
    }

    /// Wᵀ·m: multipliers on the outputs to multipliers on the inputs.
    func transposedTimes(_ m: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: columns)
        for r in 0..<rows where m[r] != 0 {
            let base = r * columns
            for c in 0..<columns { out[c] += values[base + c] * m[r] }
        }
        return out
    }
}

extension DeepLIFTTarget {
    /// The multipliers on the outputs that select this target.
    func seed(outputCount: Int) throws -> [Double] {
        switch self {
        case .sumOfOutputs:
            return [Double](repeating: 1, count: outputCount)
        case .output(let k):
            guard k >= 0 && k < outputCount else {
                throw MLError.invalidInput("output index \(k) is out of range; the model has outputs 0…\(outputCount - 1)")
            }
            var seed = [Double](repeating: 0, count: outputCount)
            seed[k] = 1
            return seed
        }
    }

    func select(_ outputs: [Double]) -> Double {
        switch self {
        case .sumOfOutputs: return outputs.reduce(0, +)
        case .output(let k): return outputs[k]
        }
    }
}

func checkedExplanationInput(_ input: [Float], baseline: [Float]?, expected: Int) throws -> (x: [Double], x0: [Double]) {
    guard input.count == expected else { throw MLError.invalidInput("input has \(input.count) values; the model takes \(expected)") }
    let base = baseline ?? [Float](repeating: 0, count: expected)
    guard base.count == expected else { throw MLError.invalidInput("baseline has \(base.count) values; the model takes \(expected)") }
    if let bad = input.firstIndex(where: { !$0.isFinite }) { throw MLError.invalidInput("input value \(bad) is not a finite number") }
    if let bad = base.firstIndex(where: { !$0.isFinite }) { throw MLError.invalidInput("baseline value \(bad) is not a finite number") }
    return (input.map(Double.init), base.map(Double.init))
}
