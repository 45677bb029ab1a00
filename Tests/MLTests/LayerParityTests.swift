import ML
import Testing
import Primitives

/// Forward values and gradients of Linear, GRU and LSTM against PyTorch on fixed weights and
/// inputs (Tests/MLTests/Fixtures, written by tools/make-ml-fixtures.py).
struct LayerParityTests {
    static let tolerance: Float = 1e-5

    /// Backpropagates Σ out_i ⊙ u_i with the fixture's upstream tensors.
    func backward(_ outputs: [Variable], _ fixture: JSONValue) throws {
        let upstream = try (fixture["upstream"]?.arrayValue ?? []).map { try Fixture.tensor($0) }
        #expect(upstream.count == outputs.count)
        var total: Variable?
        for (o, u) in zip(outputs, upstream) {
            let term = (o * Variable(u)).sum()
            total = total.map { $0 + term } ?? term
        }
        total?.backward()
    }

    func checkParameters(_ module: any Module, _ fixture: JSONValue, input: Variable, label: String) throws {
        let grads = try Fixture.tensors(fixture["grads"])
        var worst: Float = 0
        defer { print("[LayerParity] \(label): largest gradient error vs PyTorch \(worst) (tolerance \(Self.tolerance))") }
        for (name, p) in module.namedParameters {
            let expected = try #require(grads[name], "no reference gradient for \(name)")
            let g = try #require(p.grad, "no gradient for \(name)")
            let error = relativeError(g, expected)
            worst = max(worst, error)
            #expect(error < Self.tolerance, "\(name) gradient differs by \(error)")
        }
        let inputGrad = try #require(input.grad)
        let error = relativeError(inputGrad, try Fixture.tensor(fixture["input_grad"]))
        worst = max(worst, error)
        #expect(error < Self.tolerance, "input gradient differs by \(error)")
    }

    @Test func linearMatchesPyTorch() throws {
        let fixture = try Fixture.load("linear")
        var generator = SeededGenerator(seed: 1)
        let layer = Linear(inputSize: 5, outputSize: 3, generator: &generator)
        try layer.loadStateDict(Fixture.tensors(fixture["params"]))
        let x = Variable(try Fixture.tensor(fixture["input"]), requiresGrad: true)
        let y = layer(x)
        let expected = try Fixture.tensor(fixture["outputs"]?.arrayValue?.first)
        #expect(relativeError(y.value, expected) < Self.tolerance)
        try backward([y], fixture)
        try checkParameters(layer, fixture, input: x, label: "Linear")
    }

    @Test func twoLayerGRUMatchesPyTorch() throws {
        let fixture = try Fixture.load("gru")
        var generator = SeededGenerator(seed: 1)
        let gru = GRU(inputSize: 3, hiddenSize: 4, layerCount: 2, generator: &generator)
        try gru.loadStateDict(Fixture.tensors(fixture["params"]))
        let x = Variable(try Fixture.tensor(fixture["input"]), requiresGrad: true)
        let result = gru(x)
        let sequence = result.sequence
        let hidden = Variable.stack(result.finalHidden, axis: 0)
        let expected = try (fixture["outputs"]?.arrayValue ?? []).map { try Fixture.tensor($0) }
        #expect(relativeError(sequence.value, expected[0]) < Self.tolerance)
        #expect(relativeError(hidden.value, expected[1]) < Self.tolerance)
        try backward([sequence, hidden], fixture)
        try checkParameters(gru, fixture, input: x, label: "GRU 2 layers")
    }

    @Test func twoLayerLSTMMatchesPyTorch() throws {
        let fixture = try Fixture.load("lstm")
        var generator = SeededGenerator(seed: 1)
        let lstm = LSTM(inputSize: 3, hiddenSize: 4, layerCount: 2, generator: &generator)
        try lstm.loadStateDict(Fixture.tensors(fixture["params"]))
        let x = Variable(try Fixture.tensor(fixture["input"]), requiresGrad: true)
        let result = lstm(x)
        let outputs = [result.sequence, Variable.stack(result.finalHidden, axis: 0), Variable.stack(result.finalCell, axis: 0)]
        let expected = try (fixture["outputs"]?.arrayValue ?? []).map { try Fixture.tensor($0) }
        for (o, e) in zip(outputs, expected) { #expect(relativeError(o.value, e) < Self.tolerance) }
        try backward(outputs, fixture)
        try checkParameters(lstm, fixture, input: x, label: "LSTM 2 layers")
    }

    @Test func loadStateDictRejectsWrongShapesAndNames() throws {
        var generator = SeededGenerator(seed: 1)
        let layer = Linear(inputSize: 5, outputSize: 3, generator: &generator)
        #expect(throws: MLError.self) { try layer.loadStateDict(["weight": .zeros([3, 4]), "bias": .zeros([3])]) }
        #expect(throws: MLError.self) { try layer.loadStateDict(["weight": .zeros([3, 5])]) }
        #expect(throws: MLError.self) {
            try layer.loadStateDict(["weight": .zeros([3, 5]), "bias": .zeros([3]), "extra": .zeros([1])])
        }
    }
}
