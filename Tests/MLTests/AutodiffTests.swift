import ML
import Testing

/// Gradients against central finite differences, accumulation, and inference without a tape.
struct AutodiffTests {
    /// Compares analytic gradients of `f` at `inputs` with central differences computed in Float.
    func checkGradients(_ inputs: [Tensor], step: Float = 1e-2, tolerance: Float = 2e-2,
                        _ f: ([Variable]) -> Variable) {
        let variables = inputs.map { Variable($0, requiresGrad: true) }
        f(variables).backward()
        for (index, input) in inputs.enumerated() {
            guard let analytic = variables[index].grad else {
                Issue.record("input \(index) received no gradient")
                continue
            }
            for element in 0..<input.count {
                func evaluate(_ delta: Float) -> Float {
                    var shifted = inputs
                    shifted[index][flat: element] += delta
                    return GradientMode.withoutGradients { f(shifted.map { Variable($0) }).value.scalar }
                }
                let numeric = (evaluate(step) - evaluate(-step)) / (2 * step)
                let error = abs(numeric - analytic.scalars[element]) / max(1, abs(numeric))
                #expect(error < tolerance, "input \(index) element \(element): analytic \(analytic.scalars[element]) numeric \(numeric)")
            }
        }
    }

    func random(_ shape: [Int], seed: UInt64, bound: Float = 1) -> Tensor {
        var g = SeededGenerator(seed: seed)
        return g.uniformTensor(shape, bound: bound)
    }

    @Test func elementwiseAndBroadcastGradients() {
        checkGradients([random([3, 4], seed: 1), random([4], seed: 2), random([3, 1], seed: 3, bound: 0.5)]) { v in
            let a = v[0], b = v[1], c = v[2] + Variable(Tensor(shape: [3, 1], repeating: 2))
            return ((a * b - a / c).sigmoid() + (a + b).tanh().squared() - (a * c).relu() + a.abs() * 0.5).sum()
        }
    }

    @Test func matmulLinearAndLayoutGradients() {
        checkGradients([random([2, 3, 4], seed: 4), random([4, 5], seed: 5), random([5, 4], seed: 6), random([5], seed: 7)]) { v in
            let product = v[0].matmul(v[1])
            let affine = v[0].linear(weight: v[2], bias: v[3])
            let mixed = Variable.concatenate([product.slice(axis: 2, 1..<4), affine.transposedLastTwo().reshaped([2, 3, 5]).slice(axis: 2, 0..<2)], axis: 2)
            return (mixed.sum(axis: 1).squared().mean() + Variable.stack([product, affine], axis: 0).mean())
        }
    }

    @Test func batchedMatmulGradients() {
        checkGradients([random([2, 3, 4], seed: 8), random([2, 4, 2], seed: 9)]) { v in
            v[0].matmul(v[1]).tanh().sum()
        }
    }

    @Test func recurrentLayerGradients() throws {
        var g = SeededGenerator(seed: 10)
        let gru = GRU(inputSize: 2, hiddenSize: 3, layerCount: 2, generator: &g)
        let lstm = LSTM(inputSize: 2, hiddenSize: 3, layerCount: 1, generator: &g)
        let x = random([2, 4, 2], seed: 11)
        // Gradient with respect to the input sequence.
        checkGradients([x]) { v in (gru(v[0]).sequence.squared().sum() + lstm(v[0]).finalCell[0].sum()) }
        // And with respect to one weight of each layer (through the parameters' own grad).
        let gruLoss = { gru(Variable(x)).finalHidden[1].squared().sum() }
        gru.zeroGrad()
        gruLoss().backward()
        let w = gru.layers[0].weightHH
        let analytic = try #require(w.grad)
        for element in [0, 5, 17, 26] {
            let original = w.value
            var plus = original, minus = original
            plus[flat: element] += 1e-2
            minus[flat: element] -= 1e-2
            w.assign(plus)
            let up = GradientMode.withoutGradients { gruLoss().value.scalar }
            w.assign(minus)
            let down = GradientMode.withoutGradients { gruLoss().value.scalar }
            w.assign(original)
            let numeric = (up - down) / 2e-2
            #expect(abs(numeric - analytic.scalars[element]) < 2e-2 * max(1, abs(numeric)))
        }
    }

    @Test func fusedGRUCellAgreesWithPrimitiveComposition() {
        let gi = random([3, 12], seed: 12), gh = random([3, 12], seed: 13), h = random([3, 4], seed: 14)
        let upstream = random([3, 4], seed: 15)
        func run(_ cell: (Variable, Variable, Variable) -> Variable) -> [Tensor] {
            let v = [gi, gh, h].map { Variable($0, requiresGrad: true) }
            let out = cell(v[0], v[1], v[2])
            out.backward(seed: upstream)
            return [out.value] + v.map { $0.grad ?? .zeros([0]) }
        }
        let fused = run { Variable.gruCell(inputGates: $0, hiddenGates: $1, hidden: $2) }
        let primitive = run { GRU.primitiveCell(inputGates: $0, hiddenGates: $1, hidden: $2) }
        for (a, b) in zip(fused, primitive) { #expect(a.maxAbsDifference(b) < 1e-6) }
    }

    @Test func gradientsAccumulateUntilZeroed() {
        let w = Variable(Tensor(shape: [2], scalars: [1, 2]), requiresGrad: true)
        let x = Variable(Tensor(shape: [2], scalars: [3, 4]))
        (w * x).sum().backward()
        #expect(w.grad?.scalars == [3, 4])
        (w * x).sum().backward()
        #expect(w.grad?.scalars == [6, 8])
        #expect(x.grad == nil)
        w.zeroGrad()
        #expect(w.grad == nil)
        (w * w).sum().backward()
        #expect(w.grad?.scalars == [2, 4])
    }

    @Test func noGradientModeRecordsNoGraph() {
        let w = Variable(Tensor(shape: [2], scalars: [1, 2]), requiresGrad: true)
        let inference = GradientMode.withoutGradients { (w * w).sum() }
        #expect(inference.requiresGrad == false)
        #expect(inference.value.scalar == 5)
        inference.backward()
        #expect(w.grad == nil)
        let training = (w * w).sum()
        #expect(training.requiresGrad)
    }
}

extension AutodiffTests {
    /// The fused whole-layer GRU and the per-step cell graph give the same values and gradients.
    @Test func fusedGRULayerAgreesWithStepwiseGraph() throws {
        var g = SeededGenerator(seed: 20)
        let gru = GRU(inputSize: 2, hiddenSize: 5, layerCount: 2, generator: &g)
        let x = random([3, 7, 2], seed: 21), upstream = random([3, 7, 5], seed: 22), h0 = random([3, 5], seed: 23)
        func run(_ forward: (Variable, [Variable]) -> RecurrentOutput) -> [Tensor] {
            gru.zeroGrad()
            let input = Variable(x, requiresGrad: true)
            let initial = [Variable(h0, requiresGrad: true), Variable(.zeros([3, 5]))]
            let out = forward(input, initial)
            ((out.sequence * Variable(upstream)).sum() + out.finalHidden[0].sum()).backward()
            return [out.sequence.value, input.grad ?? .zeros([0]), initial[0].grad ?? .zeros([0])]
                + gru.parameters.map { $0.grad ?? .zeros([0]) }
        }
        let fused = run { gru($0, initialHidden: $1) }
        let stepwise = run { gru.stepwise($0, initialHidden: $1) }
        for (index, (a, b)) in zip(fused, stepwise).enumerated() {
            #expect(a.shape == b.shape)
            #expect(a.maxAbsDifference(b) < 1e-5, "tensor \(index) differs")
        }
    }
}

extension AutodiffTests {
    @Test func dropoutIsSeededScaledAndOffInEvaluation() {
        let x = Variable(Tensor(shape: [1000], repeating: 1), requiresGrad: true)
        let first = Dropout(probability: 0.25, seed: 9), second = Dropout(probability: 0.25, seed: 9)
        let a = first(x), b = second(x)
        #expect(a.value == b.value)
        #expect(a.value.scalars.allSatisfy { $0 == 0 || $0 == Float(1) / 0.75 })
        let dropped = a.value.scalars.filter { $0 == 0 }.count
        #expect(dropped > 180 && dropped < 320)
        #expect(first(x).value != a.value)  // the generator advances between calls
        a.sum().backward()
        #expect(x.grad == a.value)  // the gradient passes through the same mask
        first.isTraining = false
        #expect(first(x).value == x.value)
    }
}
