import Foundation
import ML
import Testing

/// DeepLIFT (rescale rule) on MLPs and on energy-gru: a case worked by hand, summation-to-delta,
/// and the multipliers against ML's own autodiff gradient where DeepLIFT must reduce to it.
struct DeepLIFTTests {
    /// A freshly seeded energy-gru whose fc biases are shifted so that the ReLU head has both
    /// active and inactive units for typical windows.
    static func model(seed: UInt64) -> EnergyForecaster { EnergyForecaster(seed: seed) }

    static func window(seed: UInt64) -> [Float] {
        var g = SeededGenerator(seed: seed)
        // A day-shaped curve in [0, 1] with noise, like scaled PV power.
        return (0..<36).map { t in
            let daylight = max(0, sin(Float(t % 24 - 6) / 12 * Float.pi))
            return min(1, max(0, daylight * 0.8 + g.uniform(-0.05, 0.05)))
        }
    }

    @Test func mlpCaseWorkedByHand() throws {
        // pre = W1·x + b1 = [1, 4] at x = [2, 1], [0, −1] at the zero baseline; ReLU gives
        // [1, 4] and [0, 0]; y = 5 and 0. Rescale multipliers of the ReLU: 1/1 and 4/5, so the
        // input multipliers are W1ᵀ·[1, 0.8] = [2.6, −0.2] and the attributions [5.2, −0.2]
        // (sum 5 = Δy; gradient × input would give [6, 0]).
        let net = try DeepLIFTMLP([
            .linear(weight: Tensor(shape: [2, 2], scalars: [1, -1, 2, 1]), bias: Tensor(shape: [2], scalars: [0, -1])),
            .relu,
            .linear(weight: Tensor(shape: [1, 2], scalars: [1, 1]), bias: nil),
        ])
        let a = try net.explain(input: [2, 1], target: .output(0))
        #expect(abs(a.attributions[0] - 5.2) < 1e-12 && abs(a.attributions[1] + 0.2) < 1e-12, "\(a.attributions)")
        #expect(abs(a.output - 5) < 1e-12 && abs(a.baselineOutput) < 1e-12)
        #expect(abs(a.convergenceDelta) < 1e-12)
    }

    @Test func mlpSigmoidTanhSumsToDelta() throws {
        var g = SeededGenerator(seed: 7)
        let net = try DeepLIFTMLP([
            .linear(weight: g.uniformTensor([16, 8], bound: 1), bias: g.uniformTensor([16], bound: 1)), .tanh,
            .linear(weight: g.uniformTensor([12, 16], bound: 1), bias: g.uniformTensor([12], bound: 1)), .sigmoid,
            .linear(weight: g.uniformTensor([10, 12], bound: 1), bias: g.uniformTensor([10], bound: 1)), .relu,
            .linear(weight: g.uniformTensor([3, 10], bound: 1), bias: g.uniformTensor([3], bound: 1)),
        ])
        for trial in 0..<20 {
            let x = (0..<8).map { _ in g.uniform(-2, 2) }
            let x0 = trial % 2 == 0 ? nil : (0..<8).map { _ in g.uniform(-1, 1) }
            for target in [DeepLIFTTarget.output(0), .output(2), .sumOfOutputs] {
                let a = try net.explain(input: x, baseline: x0, target: target)
                #expect(abs(a.convergenceDelta) < 1e-4, "trial \(trial) \(target): Σ attributions − Δf = \(a.convergenceDelta)")
                #expect(abs(a.outputDelta) > 1e-6, "trial \(trial): degenerate case")
            }
        }
    }

    @Test func forecasterSumsToDeltaWithAveragedProducts() throws {
        for seed in [1, 2, 3] as [UInt64] {
            let explainer = DeepLIFTGRUForecaster(Self.model(seed: seed))
            for w in 0..<3 {
                let x = Self.window(seed: seed * 10 + UInt64(w))
                let x0: [Float]? = w == 2 ? Self.window(seed: 99) : nil
                for target in [DeepLIFTTarget.output(0), .output(23), .sumOfOutputs] {
                    let a = try explainer.explain(window: x, baseline: x0, target: target)
                    #expect(a.attributions.count == 36)
                    // Required: within 1e-4. The averaged rule is exact, so rounding is all that may remain.
                    #expect(abs(a.convergenceDelta) < 1e-9, "seed \(seed) window \(w) \(target): \(a.convergenceDelta)")
                    #expect(abs(a.outputDelta) > 1e-6, "seed \(seed): output did not change; the check would be vacuous")
                    #expect(a.attributions.filter { abs($0) > 1e-12 }.count > 10, "seed \(seed): attributions are all but empty")
                }
            }
        }
    }

    @Test func gradientProductRuleDoesNotSumExactly() throws {
        // Captum's treatment of the gate products: close to the output change, not equal to it.
        let explainer = DeepLIFTGRUForecaster(Self.model(seed: 1))
        let a = try explainer.explain(window: Self.window(seed: 5), target: .sumOfOutputs,
                                      options: DeepLIFTOptions(productRule: .gradientAtInput))
        let b = try explainer.explain(window: Self.window(seed: 5), target: .sumOfOutputs)
        #expect(abs(a.convergenceDelta) > 1e-6, "the gradient rule unexpectedly summed exactly: \(a.convergenceDelta)")
        #expect(abs(a.convergenceDelta) < 0.5 * abs(a.outputDelta))
        #expect(a.output == b.output && a.baselineOutput == b.baselineOutput)
    }

    @Test func doubleForwardMatchesTheModel() throws {
        let model = Self.model(seed: 4)
        let x = Self.window(seed: 8)
        let reference = GradientMode.withoutGradients { model.forward(Variable(Tensor(shape: [1, 36], scalars: x))).value }
        let ours = DeepLIFTGRUForecaster(model).forward(x.map(Double.init))
        for k in 0..<24 { #expect(abs(ours[k] - Double(reference.scalars[k])) < 1e-5, "output \(k)") }
    }

    /// With the baseline a hair away from the input, every secant is a derivative, so the
    /// multipliers (attribution / Δx) must equal the gradient ML's autodiff computes, for both
    /// product rules (which agree as the baseline approaches the input).
    @Test func nearbyBaselineReducesToAutodiffGradient() throws {
        let model = Self.model(seed: 6)
        let x = Self.window(seed: 12)
        var g = SeededGenerator(seed: 13)
        let x0 = x.map { $0 - 1e-3 * g.uniform(0.5, 1) }
        let input = Variable(Tensor(shape: [1, 36], scalars: x), requiresGrad: true)
        let output = model.forward(input)
        var seed = Tensor.zeros([1, 24])
        seed[flat: 5] = 1
        output.backward(seed: seed)
        let gradient = try #require(input.grad)
        for rule in [DeepLIFTProductRule.averaged, .gradientAtInput] {
            let a = try model.explain(window: x, baseline: x0, target: .output(5), options: DeepLIFTOptions(productRule: rule))
            let scale = gradient.scalars.map { abs(Double($0)) }.max()!
            for t in 0..<36 {
                let multiplier = a.attributions[t] / Double(x[t] - x0[t])
                #expect(abs(multiplier - Double(gradient.scalars[t])) < 2e-3 * scale,
                        "\(rule) step \(t): multiplier \(multiplier) vs gradient \(gradient.scalars[t])")
            }
        }
    }

    @Test func badRequestsAreNamed() throws {
        let explainer = DeepLIFTGRUForecaster(Self.model(seed: 1))
        #expect(throws: MLError.self) { try explainer.explain(window: [Float](repeating: 0, count: 35)) }
        #expect(throws: MLError.self) { try explainer.explain(window: Self.window(seed: 1), target: .output(24)) }
        #expect(throws: MLError.self) { try explainer.explain(window: Self.window(seed: 1), baseline: [0, 1]) }
        var bad = Self.window(seed: 1)
        bad[3] = .nan
        #expect(throws: MLError.self) { try explainer.explain(window: bad) }
        #expect(throws: MLError.self) {
            try DeepLIFTMLP([.linear(weight: Tensor.zeros([2, 3]), bias: nil), .relu, .linear(weight: Tensor.zeros([1, 4]), bias: nil)])
        }
    }
}
