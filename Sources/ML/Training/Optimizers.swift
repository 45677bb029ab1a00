import Foundation

/// Updates parameters from their gradients.
public protocol Optimizer: AnyObject {
    /// Applies one update to every parameter that has a gradient.
    func step()
    /// Clears every parameter's gradient.
    func zeroGrad()
}

/// An optimizer whose running state (moments, momentum buffers, step counts) can be saved in a
/// checkpoint and restored, so that a resumed run continues exactly where it stopped.
public protocol CheckpointableOptimizer: Optimizer {
    /// The state as named tensors (names are stable: `<kind>.<parameter index>`).
    var checkpointState: [String: Tensor] { get }
    /// Replaces the state with one `checkpointState` gave; a tensor of the wrong shape is an error.
    func restore(checkpointState: [String: Tensor]) throws
}

extension CheckpointableOptimizer {
    /// The state tensor `name`, checked against `shape`; nil when absent.
    func stateTensor(_ state: [String: Tensor], _ name: String, shape: [Int]) throws -> Tensor? {
        guard let tensor = state[name] else { return nil }
        guard tensor.shape == shape else { throw MLError.shapeMismatch("optimizer state \(name) has shape \(tensor.shape), expected \(shape)") }
        return tensor
    }
}

/// Stochastic gradient descent with momentum, following PyTorch's `SGD`:
/// `g += wd·p`; `buf = g` on the first step, then `buf = μ·buf + (1 − dampening)·g`;
/// `p -= lr·buf` (or `lr·(g + μ·buf)` with Nesterov).
public final class SGD: Optimizer {
    public let parameters: [Variable]
    public var learningRate: Float
    public let momentum: Float
    public let dampening: Float
    public let weightDecay: Float
    public let nesterov: Bool
    fileprivate var buffers: [Tensor?]

    public init(parameters: [Variable], learningRate: Float, momentum: Float = 0, dampening: Float = 0,
                weightDecay: Float = 0, nesterov: Bool = false) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        buffers = Array(repeating: nil, count: parameters.count)
    }

    public func step() {
        for (index, p) in parameters.enumerated() {
            guard var g = p.grad else { continue }
            if weightDecay != 0 { g = Tensor.broadcasting(g, p.value) { $0 + self.weightDecay * $1 } }
            if momentum != 0 {
                var buf: Tensor
                if let old = buffers[index] {
                    buf = Tensor.broadcasting(old, g) { self.momentum * $0 + (1 - self.dampening) * $1 }
                } else {
                    buf = g
                }
                buffers[index] = buf
                g = nesterov ? Tensor.broadcasting(g, buf) { $0 + self.momentum * $1 } : buf
            }
            let lr = learningRate
            p.assign(Tensor.broadcasting(p.value, g) { $0 - lr * $1 })
        }
    }

    public func zeroGrad() { for p in parameters { p.zeroGrad() } }
}

extension SGD: CheckpointableOptimizer {
    public var checkpointState: [String: Tensor] {
        var state: [String: Tensor] = [:]
        for (index, buffer) in buffers.enumerated() { if let buffer { state["momentum.\(index)"] = buffer } }
        return state
    }

    public func restore(checkpointState state: [String: Tensor]) throws {
        buffers = try parameters.enumerated().map { try stateTensor(state, "momentum.\($0.offset)", shape: $0.element.shape) }
    }
}

/// Adam (Kingma and Ba, 2015) and AdamW (Loshchilov and Hutter, 2019) exactly as PyTorch's
/// single-tensor implementation computes them:
///
///     Adam:  g += wd·p                 AdamW: p *= 1 − lr·wd
///     m = m + (1 − β1)·(g − m)         v = β2·v + (1 − β2)·g²
///     p -= (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)
public final class Adam: Optimizer {
    public let parameters: [Variable]
    public var learningRate: Float
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    public let weightDecay: Float
    /// Decoupled weight decay (AdamW) instead of L2 added to the gradient (Adam).
    public let decoupledWeightDecay: Bool
    fileprivate var firstMoments: [Tensor?]
    fileprivate var secondMoments: [Tensor?]
    fileprivate var steps: [Int]

    public init(parameters: [Variable], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0, decoupledWeightDecay: Bool = false) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupledWeightDecay
        firstMoments = Array(repeating: nil, count: parameters.count)
        secondMoments = Array(repeating: nil, count: parameters.count)
        steps = Array(repeating: 0, count: parameters.count)
    }

    /// AdamW with PyTorch's default weight decay of 0.01.
    public static func adamW(parameters: [Variable], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                             epsilon: Float = 1e-8, weightDecay: Float = 0.01) -> Adam {
        Adam(parameters: parameters, learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
             weightDecay: weightDecay, decoupledWeightDecay: true)
    }

    public func step() {
        for (index, p) in parameters.enumerated() {
            guard let grad = p.grad else { continue }
            steps[index] += 1
            let t = Double(steps[index])
            // Scalars derived in double precision, as PyTorch computes them in Python floats.
            let bias1 = 1 - pow(Double(beta1), t)
            let bias2Root = (1 - pow(Double(beta2), t)).squareRoot()
            let stepSize = Float(Double(learningRate) / bias1)
            let bias2RootF = Float(bias2Root)
            let b1 = beta1, b2 = beta2, eps = epsilon, wd = weightDecay
            let decayFactor = 1 - learningRate * weightDecay
            var values = p.value.scalars
            var m = firstMoments[index]?.scalars ?? [Float](repeating: 0, count: values.count)
            var v = secondMoments[index]?.scalars ?? [Float](repeating: 0, count: values.count)
            let decoupled = decoupledWeightDecay
            grad.scalars.withUnsafeBufferPointer { g in
                for i in 0..<values.count {
                    var gi = g[i]
                    if wd != 0 {
                        if decoupled { values[i] *= decayFactor } else { gi += wd * values[i] }
                    }
                    m[i] += (gi - m[i]) * (1 - b1)
                    v[i] = v[i] * b2 + (1 - b2) * gi * gi
                    let denom = v[i].squareRoot() / bias2RootF + eps
                    values[i] += -stepSize * (m[i] / denom)
                }
            }
            firstMoments[index] = Tensor(shape: p.shape, scalars: m)
            secondMoments[index] = Tensor(shape: p.shape, scalars: v)
            p.assign(Tensor(shape: p.shape, scalars: values))
        }
    }

    public func zeroGrad() { for p in parameters { p.zeroGrad() } }
}

extension Adam: CheckpointableOptimizer {
    public var checkpointState: [String: Tensor] {
        var state: [String: Tensor] = [:]
        for index in parameters.indices {
            if let m = firstMoments[index] { state["exp_avg.\(index)"] = m }
            if let v = secondMoments[index] { state["exp_avg_sq.\(index)"] = v }
            state["step.\(index)"] = Tensor(scalar: Float(steps[index]))
        }
        return state
    }

    public func restore(checkpointState state: [String: Tensor]) throws {
        for (index, p) in parameters.enumerated() {
            firstMoments[index] = try stateTensor(state, "exp_avg.\(index)", shape: p.shape)
            secondMoments[index] = try stateTensor(state, "exp_avg_sq.\(index)", shape: p.shape)
            steps[index] = Int(try stateTensor(state, "step.\(index)", shape: [])?.scalar ?? 0)
        }
    }
}
