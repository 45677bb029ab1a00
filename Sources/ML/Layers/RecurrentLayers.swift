/// The four parameters of one layer of a recurrent network, PyTorch layout: gate blocks
/// stacked along the rows of `weightIH` `[gates·hidden, in]` and `weightHH` `[gates·hidden, hidden]`.
public struct RecurrentLayerWeights {
    public let weightIH: Variable
    public let weightHH: Variable
    public let biasIH: Variable
    public let biasHH: Variable

    /// PyTorch's default: every weight and bias uniform in ±1/√hidden, drawn in the order
    /// weight_ih, weight_hh, bias_ih, bias_hh.
    init(gates: Int, inputSize: Int, hiddenSize: Int, generator: inout SeededGenerator) {
        let bound = 1 / Float(hiddenSize).squareRoot()
        weightIH = Variable(generator.uniformTensor([gates * hiddenSize, inputSize], bound: bound), requiresGrad: true)
        weightHH = Variable(generator.uniformTensor([gates * hiddenSize, hiddenSize], bound: bound), requiresGrad: true)
        biasIH = Variable(generator.uniformTensor([gates * hiddenSize], bound: bound), requiresGrad: true)
        biasHH = Variable(generator.uniformTensor([gates * hiddenSize], bound: bound), requiresGrad: true)
    }

    /// The weights of a stack of layers, drawn bottom layer first (PyTorch's order); layers
    /// above the first take the hidden state as input.
    static func stack(gates: Int, inputSize: Int, hiddenSize: Int, layerCount: Int,
                      generator: inout SeededGenerator) -> [RecurrentLayerWeights] {
        var built = [RecurrentLayerWeights]()
        for l in 0..<layerCount {
            built.append(RecurrentLayerWeights(gates: gates, inputSize: l == 0 ? inputSize : hiddenSize,
                                               hiddenSize: hiddenSize, generator: &generator))
        }
        return built
    }

    func named(layer: Int) -> [(name: String, variable: Variable)] {
        [("weight_ih_l\(layer)", weightIH), ("weight_hh_l\(layer)", weightHH),
         ("bias_ih_l\(layer)", biasIH), ("bias_hh_l\(layer)", biasHH)]
    }
}

/// What a recurrent layer returns: the top layer's output at every time step, and each
/// layer's final hidden state.
public struct RecurrentOutput {
    /// Top-layer outputs, one `[batch, hidden]` variable per time step.
    public var steps: [Variable] {
        if let stepOutputs { return stepOutputs }
        guard let sequenceOutput else { return [] }
        let batch = sequenceOutput.shape[0], hidden = sequenceOutput.shape[2]
        return (0..<sequenceOutput.shape[1]).map { t in sequenceOutput.slice(axis: 1, t..<(t + 1)).reshaped([batch, hidden]) }
    }
    private let stepOutputs: [Variable]?
    /// Final hidden state of each layer, `[batch, hidden]`.
    public let finalHidden: [Variable]
    /// Final cell state of each layer (LSTM only).
    public let finalCell: [Variable]
    /// The top layer's outputs as one variable when the layer produced them that way.
    let sequenceOutput: Variable?

    init(steps: [Variable]?, finalHidden: [Variable], finalCell: [Variable], sequenceOutput: Variable? = nil) {
        self.stepOutputs = steps
        self.finalHidden = finalHidden
        self.finalCell = finalCell
        self.sequenceOutput = sequenceOutput
    }

    /// The outputs as one batch-first `[batch, time, hidden]` variable.
    public var sequence: Variable { sequenceOutput ?? Variable.stack(steps, axis: 1) }
}

/// Multi-layer, batch-first GRU with PyTorch's equations (gates r, z, n; see `GRUCellKernel`).
public final class GRU: Module {
    public let inputSize: Int
    public let hiddenSize: Int
    public let layers: [RecurrentLayerWeights]

    public init(inputSize: Int, hiddenSize: Int, layerCount: Int = 1, generator: inout SeededGenerator) {
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        layers = RecurrentLayerWeights.stack(gates: 3, inputSize: inputSize, hiddenSize: hiddenSize,
                                             layerCount: layerCount, generator: &generator)
    }

    public var namedParameters: [(name: String, variable: Variable)] {
        layers.enumerated().flatMap { $0.element.named(layer: $0.offset) }
    }

    /// Runs the sequence `x` `[batch, time, input]` from zero (or `initialHidden`) states.
    /// Each layer is one fused operation (`GRUSequenceKernel`); `stepwise` is the same network
    /// built from per-step cells, kept as the reference the tests compare it with.
    public func callAsFunction(_ x: Variable, initialHidden: [Variable]? = nil) -> RecurrentOutput {
        precondition(x.shape.count == 3 && x.shape[2] == inputSize, "GRU input \(x.shape), expected [batch, time, \(inputSize)]")
        let batch = x.shape[0], time = x.shape[1]
        var layerInput = x
        var finals = [Variable]()
        for (l, w) in layers.enumerated() {
            // Input projections for all time steps in one matrix product.
            let gatesAll = layerInput.linear(weight: w.weightIH, bias: w.biasIH)
            let h0 = initialHidden?[l] ?? Variable(.zeros([batch, hiddenSize]))
            layerInput = Variable.gruSequence(inputGates: gatesAll, weightHH: w.weightHH, biasHH: w.biasHH, initial: h0)
            finals.append(layerInput.slice(axis: 1, (time - 1)..<time).reshaped([batch, hiddenSize]))
        }
        return RecurrentOutput(steps: nil, finalHidden: finals, finalCell: [], sequenceOutput: layerInput)
    }

    /// The same computation with one fused cell node per time step.
    public func stepwise(_ x: Variable, initialHidden: [Variable]? = nil) -> RecurrentOutput {
        precondition(x.shape.count == 3 && x.shape[2] == inputSize, "GRU input \(x.shape), expected [batch, time, \(inputSize)]")
        let batch = x.shape[0], time = x.shape[1]
        var layerInput = x
        var steps = [Variable]()
        var finals = [Variable]()
        for (l, w) in layers.enumerated() {
            let gatesAll = layerInput.linear(weight: w.weightIH, bias: w.biasIH)
            var h = initialHidden?[l] ?? Variable(.zeros([batch, hiddenSize]))
            steps = []
            for t in 0..<time {
                let gi = gatesAll.slice(axis: 1, t..<(t + 1)).reshaped([batch, 3 * hiddenSize])
                let gh = h.linear(weight: w.weightHH, bias: w.biasHH)
                h = Variable.gruCell(inputGates: gi, hiddenGates: gh, hidden: h)
                steps.append(h)
            }
            finals.append(h)
            if l + 1 < layers.count { layerInput = Variable.stack(steps, axis: 1) }
        }
        return RecurrentOutput(steps: steps, finalHidden: finals, finalCell: [])
    }

    /// The GRU step written with primitive operations only; the fused kernel must agree with it
    /// (values and gradients), which the tests check.
    public static func primitiveCell(inputGates gi: Variable, hiddenGates gh: Variable, hidden h: Variable) -> Variable {
        let hidden = h.shape[1]
        let r = (gi.slice(axis: 1, 0..<hidden) + gh.slice(axis: 1, 0..<hidden)).sigmoid()
        let z = (gi.slice(axis: 1, hidden..<(2 * hidden)) + gh.slice(axis: 1, hidden..<(2 * hidden))).sigmoid()
        let n = (gi.slice(axis: 1, (2 * hidden)..<(3 * hidden)) + r * gh.slice(axis: 1, (2 * hidden)..<(3 * hidden))).tanh()
        return n + z * (h - n)
    }
}

/// Multi-layer, batch-first LSTM with PyTorch's equations, built from primitive operations:
///
///     i = σ(·), f = σ(·), g = tanh(·), o = σ(·)   (gate blocks in that order)
///     c' = f ⊙ c + i ⊙ g,   h' = o ⊙ tanh(c')
public final class LSTM: Module {
    public let inputSize: Int
    public let hiddenSize: Int
    public let layers: [RecurrentLayerWeights]

    public init(inputSize: Int, hiddenSize: Int, layerCount: Int = 1, generator: inout SeededGenerator) {
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        layers = RecurrentLayerWeights.stack(gates: 4, inputSize: inputSize, hiddenSize: hiddenSize,
                                             layerCount: layerCount, generator: &generator)
    }

    public var namedParameters: [(name: String, variable: Variable)] {
        layers.enumerated().flatMap { $0.element.named(layer: $0.offset) }
    }

    /// Runs the sequence `x` `[batch, time, input]` from zero states.
    public func callAsFunction(_ x: Variable) -> RecurrentOutput {
        precondition(x.shape.count == 3 && x.shape[2] == inputSize, "LSTM input \(x.shape), expected [batch, time, \(inputSize)]")
        let batch = x.shape[0], time = x.shape[1], hs = hiddenSize
        var layerInput = x
        var steps = [Variable]()
        var finalH = [Variable](), finalC = [Variable]()
        for w in layers {
            let gatesAll = layerInput.linear(weight: w.weightIH, bias: w.biasIH)
            var h = Variable(.zeros([batch, hs]))
            var c = Variable(.zeros([batch, hs]))
            steps = []
            for t in 0..<time {
                let gates = gatesAll.slice(axis: 1, t..<(t + 1)).reshaped([batch, 4 * hs])
                    + h.linear(weight: w.weightHH, bias: w.biasHH)
                let i = gates.slice(axis: 1, 0..<hs).sigmoid()
                let f = gates.slice(axis: 1, hs..<(2 * hs)).sigmoid()
                let g = gates.slice(axis: 1, (2 * hs)..<(3 * hs)).tanh()
                let o = gates.slice(axis: 1, (3 * hs)..<(4 * hs)).sigmoid()
                c = f * c + i * g
                h = o * c.tanh()
                steps.append(h)
            }
            finalH.append(h)
            finalC.append(c)
            layerInput = Variable.stack(steps, axis: 1)
        }
        return RecurrentOutput(steps: steps, finalHidden: finalH, finalCell: finalC)
    }
}
