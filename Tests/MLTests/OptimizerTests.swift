import ML
import Testing

/// Adam, AdamW and SGD against PyTorch: a Linear(3→2) fitted with MSE for five steps.
struct OptimizerTests {
    func run(_ name: String, make: ([Variable]) -> any Optimizer) throws {
        let fixture = try Fixture.load("optimizers")
        var generator = SeededGenerator(seed: 3)
        let model = Linear(inputSize: 3, outputSize: 2, generator: &generator)
        try model.loadStateDict(Fixture.tensors(fixture["initial"]))
        let x = try Fixture.tensor(fixture["x"]), y = try Fixture.tensor(fixture["y"])
        let optimizer = make(model.parameters)
        let steps = try #require(fixture["steps"]?[name]?.arrayValue)
        #expect(steps.count == 5)
        for (index, step) in steps.enumerated() {
            optimizer.zeroGrad()
            Loss.mse(model(Variable(x)), Variable(y)).backward()
            optimizer.step()
            let expected = try Fixture.tensors(step)
            for (pname, p) in model.namedParameters {
                let error = relativeError(p.value, try #require(expected[pname]))
                #expect(error < 1e-5, "\(name) step \(index + 1) \(pname) differs by \(error)")
            }
        }
    }

    @Test func adamMatchesPyTorch() throws {
        try run("adam") { Adam(parameters: $0, learningRate: 0.005, beta1: 0.9, beta2: 0.99) }
    }

    @Test func adamWithL2MatchesPyTorch() throws {
        try run("adam_l2") { Adam(parameters: $0, learningRate: 0.01, beta1: 0.8, beta2: 0.95, epsilon: 1e-6, weightDecay: 0.1) }
    }

    @Test func adamWMatchesPyTorch() throws {
        try run("adamw") { Adam.adamW(parameters: $0, learningRate: 0.01, weightDecay: 0.05) }
    }

    @Test func sgdMomentumMatchesPyTorch() throws {
        try run("sgd_momentum") { SGD(parameters: $0, learningRate: 0.05, momentum: 0.9, weightDecay: 0.01) }
    }

    @Test func sgdNesterovMatchesPyTorch() throws {
        try run("sgd_nesterov") { SGD(parameters: $0, learningRate: 0.05, momentum: 0.8, nesterov: true) }
    }
}
