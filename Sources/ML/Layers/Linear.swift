/// A fully connected layer `y = x·Wᵀ + b` with PyTorch's layout (`weight` is `[out, in]`).
public final class Linear: Module {
    public let weight: Variable
    public let bias: Variable?

    /// PyTorch's default initialisation: Kaiming-uniform with a = √5, which gives weight and
    /// bias uniform in ±1/√fan_in; the weight is drawn first, then the bias.
    public init(inputSize: Int, outputSize: Int, bias: Bool = true, generator: inout SeededGenerator) {
        let bound = 1 / Float(inputSize).squareRoot()
        weight = Variable(generator.uniformTensor([outputSize, inputSize], bound: bound), requiresGrad: true)
        self.bias = bias ? Variable(generator.uniformTensor([outputSize], bound: bound), requiresGrad: true) : nil
    }

    public var namedParameters: [(name: String, variable: Variable)] {
        var result: [(name: String, variable: Variable)] = [("weight", weight)]
        if let bias { result.append(("bias", bias)) }
        return result
    }

    public func callAsFunction(_ x: Variable) -> Variable { x.linear(weight: weight, bias: bias) }
}

/// Dropout with a seeded mask: in training each element is zeroed with probability `p` and the
/// rest scaled by 1/(1−p); in evaluation it is the identity.
public final class Dropout {
    public let probability: Float
    public var isTraining = true
    private var generator: SeededGenerator

    public init(probability: Float, seed: UInt64) {
        precondition(probability >= 0 && probability < 1, "dropout probability must be in [0, 1)")
        self.probability = probability
        generator = SeededGenerator(seed: seed)
    }

    public func callAsFunction(_ x: Variable) -> Variable {
        guard isTraining, probability > 0 else { return x }
        let keep = 1 / (1 - probability)
        let p = probability
        var g = generator
        let mask = Tensor(shape: x.shape) { _ in g.nextUnitFloat() < p ? 0 : keep }
        generator = g
        return x * Variable(mask)
    }
}
