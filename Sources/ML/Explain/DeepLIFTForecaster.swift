/// DeepLIFT for `energy-gru`: the 2-layer GRU unrolled into its gates, then the head
/// Linear → ReLU → Linear. Per GRU step (PyTorch's equations, gate blocks r, z, n):
///
///     r = σ(a_r),  a_r = W_ir x + b_ir + W_hr h + b_hr
///     z = σ(a_z),  a_z = W_iz x + b_iz + W_hz h + b_hz
///     n = tanh(a_n),  a_n = W_in x + b_in + r ⊙ g,  g = W_hn h + b_hn
///     h′ = (1 − z) ⊙ n + z ⊙ h
///
/// σ and tanh use the rescale rule; the three products r ⊙ g, (1 − z) ⊙ n and z ⊙ h use the
/// chosen `DeepLIFTProductRule`; the weights pass multipliers back unchanged. Multipliers flow
/// back through time exactly as gradients do in backpropagation through time.
public struct DeepLIFTGRUForecaster: Sendable {
    struct LayerWeights: Sendable {
        let inputWeights: DenseMatrix, hiddenWeights: DenseMatrix
        let inputBias: [Double], hiddenBias: [Double]
    }

    /// What one GRU step computed, kept for the backward pass.
    struct StepRecord {
        var previous: [Double], r: [Double], z: [Double], n: [Double], hiddenCandidate: [Double]
        var preR: [Double], preZ: [Double], preN: [Double]
    }

    struct Trace {
        var steps: [[StepRecord]]       // [layer][time]
        var headPre: [Double]
        var headPost: [Double]
        var outputs: [Double]
    }

    let layers: [LayerWeights]
    let hidden: Int
    let fc1: DenseMatrix, fc1Bias: [Double]
    let fc2: DenseMatrix, fc2Bias: [Double]
    public let windowLength: Int
    public var outputSize: Int { fc2.rows }

    /// Copies the model's current weights (in double precision).
    public init(_ model: EnergyForecaster, windowLength: Int = EnergyForecaster.windowLength) {
        hidden = model.gru.hiddenSize
        layers = model.gru.layers.map {
            LayerWeights(inputWeights: DenseMatrix($0.weightIH.value), hiddenWeights: DenseMatrix($0.weightHH.value),
                         inputBias: $0.biasIH.value.scalars.map(Double.init), hiddenBias: $0.biasHH.value.scalars.map(Double.init))
        }
        fc1 = DenseMatrix(model.fc1.weight.value)
        fc1Bias = model.fc1.bias.map { $0.value.scalars.map(Double.init) } ?? [Double](repeating: 0, count: fc1.rows)
        fc2 = DenseMatrix(model.fc2.weight.value)
        fc2Bias = model.fc2.bias.map { $0.value.scalars.map(Double.init) } ?? [Double](repeating: 0, count: fc2.rows)
        self.windowLength = windowLength
    }

    /// The 24 outputs for one window of scaled values, in double precision.
    public func forward(_ window: [Double]) -> [Double] { trace(window).outputs }

    func trace(_ window: [Double]) -> Trace {
        let h = hidden
        var layerInput = window.map { [$0] }
        var all = [[StepRecord]]()
        for w in layers {
            var state = [Double](repeating: 0, count: h)
            var records = [StepRecord]()
            records.reserveCapacity(layerInput.count)
            var outputs = [[Double]]()
            for x in layerInput {
                let gi = w.inputWeights.times(x, plus: w.inputBias)
                let gh = w.hiddenWeights.times(state, plus: w.hiddenBias)
                var record = StepRecord(previous: state, r: [], z: [], n: [], hiddenCandidate: Array(gh[(2 * h)..<(3 * h)]),
                                        preR: [], preZ: [], preN: [])
                record.preR = (0..<h).map { gi[$0] + gh[$0] }
                record.preZ = (0..<h).map { gi[h + $0] + gh[h + $0] }
                record.r = record.preR.map { RescaledActivation.sigmoid($0) }
                record.z = record.preZ.map { RescaledActivation.sigmoid($0) }
                record.preN = (0..<h).map { gi[2 * h + $0] + record.r[$0] * record.hiddenCandidate[$0] }
                record.n = record.preN.map { RescaledActivation.tanh($0) }
                state = (0..<h).map { (1 - record.z[$0]) * record.n[$0] + record.z[$0] * state[$0] }
                records.append(record)
                outputs.append(state)
            }
            all.append(records)
            layerInput = outputs
        }
        let last = layerInput.last ?? [Double](repeating: 0, count: h)
        let pre = fc1.times(last, plus: fc1Bias)
        let post = pre.map { RescaledActivation.relu($0) }
        return Trace(steps: all, headPre: pre, headPost: post, outputs: fc2.times(post, plus: fc2Bias))
    }

    /// DeepLIFT attributions of `target` to each of the window's values (scaled units in and
    /// out), against `baseline` (zeros — the series minimum after min-max scaling — when nil).
    public func explain(window: [Float], baseline: [Float]? = nil, target: DeepLIFTTarget = .sumOfOutputs,
                        options: DeepLIFTOptions = DeepLIFTOptions()) throws -> DeepLIFTAttribution {
        let (x, x0) = try checkedExplanationInput(window, baseline: baseline, expected: windowLength)
        let actual = trace(x), reference = trace(x0)
        let eps = options.epsilon
        // Head: fc2ᵀ, ReLU rescaled, fc1ᵀ.
        var m = fc2.transposedTimes(try target.seed(outputCount: outputSize))
        for j in m.indices {
            m[j] *= RescaledActivation.relu.multiplier(x: actual.headPre[j], y: actual.headPost[j],
                                                       x0: reference.headPre[j], y0: reference.headPost[j], epsilon: eps)
        }
        let time = x.count
        var onOutputs = [[Double]](repeating: [Double](repeating: 0, count: hidden), count: time)
        onOutputs[time - 1] = fc1.transposedTimes(m)
        for l in layers.indices.reversed() {
            onOutputs = backThroughLayer(l, onOutputs: onOutputs, actual: actual.steps[l], reference: reference.steps[l],
                                         options: options)
        }
        let attributions = (0..<time).map { onOutputs[$0][0] * (x[$0] - x0[$0]) }
        return DeepLIFTAttribution(attributions: attributions, output: target.select(actual.outputs),
                                   baselineOutput: target.select(reference.outputs))
    }

    /// Multipliers on a layer's inputs at every step from those on its outputs.
    private func backThroughLayer(_ l: Int, onOutputs: [[Double]], actual: [StepRecord], reference: [StepRecord],
                                  options: DeepLIFTOptions) -> [[Double]] {
        let w = layers[l]
        let h = hidden
        let eps = options.epsilon
        // The factor a product passes to the other factor's multiplier.
        let averaged = options.productRule == .averaged
        func partner(_ a: Double, _ a0: Double) -> Double { averaged ? (a + a0) / 2 : a }
        var carry = [Double](repeating: 0, count: h)
        var onInputs = [[Double]](repeating: [], count: actual.count)
        var gates = [Double](repeating: 0, count: 3 * h)        // multipliers on W_i·x + b_i blocks
        var hiddenGates = [Double](repeating: 0, count: 3 * h)  // multipliers on W_h·h + b_h blocks
        for t in actual.indices.reversed() {
            let s = actual[t], s0 = reference[t]
            var onPrevious = [Double](repeating: 0, count: h)
            for j in 0..<h {
                let m = onOutputs[t][j] + carry[j]
                let zP = partner(s.z[j], s0.z[j])
                let onN = m * (1 - zP)
                let onZ = m * (partner(s.previous[j], s0.previous[j]) - partner(s.n[j], s0.n[j]))
                onPrevious[j] = m * zP
                let onPreN = onN * RescaledActivation.tanh.multiplier(x: s.preN[j], y: s.n[j], x0: s0.preN[j], y0: s0.n[j], epsilon: eps)
                let onR = onPreN * partner(s.hiddenCandidate[j], s0.hiddenCandidate[j])
                let onPreR = onR * RescaledActivation.sigmoid.multiplier(x: s.preR[j], y: s.r[j], x0: s0.preR[j], y0: s0.r[j], epsilon: eps)
                let onPreZ = onZ * RescaledActivation.sigmoid.multiplier(x: s.preZ[j], y: s.z[j], x0: s0.preZ[j], y0: s0.z[j], epsilon: eps)
                gates[j] = onPreR
                gates[h + j] = onPreZ
                gates[2 * h + j] = onPreN
                hiddenGates[j] = onPreR
                hiddenGates[h + j] = onPreZ
                hiddenGates[2 * h + j] = onPreN * partner(s.r[j], s0.r[j])
            }
            let throughWeights = w.hiddenWeights.transposedTimes(hiddenGates)
            for j in 0..<h { onPrevious[j] += throughWeights[j] }
            onInputs[t] = w.inputWeights.transposedTimes(gates)
            carry = onPrevious
        }
        return onInputs
    }
}

extension EnergyForecaster {
    /// DeepLIFT attributions per input hour of one scaled window; see `DeepLIFTGRUForecaster`.
    public func explain(window: [Float], baseline: [Float]? = nil, target: DeepLIFTTarget = .sumOfOutputs,
                        options: DeepLIFTOptions = DeepLIFTOptions()) throws -> DeepLIFTAttribution {
        try DeepLIFTGRUForecaster(self).explain(window: window, baseline: baseline, target: target, options: options)
    }
}

extension EnergyPredictor {
    /// DeepLIFT for a window of raw values: the window (and a raw `baseline`, when given) is
    /// min-max scaled as for forecasting; a nil baseline is the scaled zero window. The
    /// attributions are in scaled output units (multiply by `scaler.maximum − scaler.minimum`
    /// for raw units).
    public func explain(rawWindow: [Float], rawBaseline: [Float]? = nil, target: DeepLIFTTarget = .sumOfOutputs,
                        options: DeepLIFTOptions = DeepLIFTOptions()) throws -> DeepLIFTAttribution {
        try model.explain(window: rawWindow.map(scaler.scale), baseline: rawBaseline.map { $0.map(scaler.scale) },
                          target: target, options: options)
    }
}
