/// Loss functions with mean reduction, as PyTorch's `MSELoss`, `L1Loss` and `CrossEntropyLoss`
/// (class-probability targets: one-hot rows for labels) by default.
public enum Loss: String, Sendable, Codable {
    case mse
    case mae
    case crossEntropy = "cross_entropy"

    /// The mean loss of `prediction` against `target` (same shape).
    public func callAsFunction(_ prediction: Variable, _ target: Variable) -> Variable {
        precondition(prediction.shape == target.shape, "loss: prediction \(prediction.shape) vs target \(target.shape)")
        switch self {
        case .mse: return (prediction - target).squared().mean()
        case .mae: return (prediction - target).abs().mean()
        case .crossEntropy: return prediction.softmaxCrossEntropy(target)
        }
    }

    /// The same loss on plain tensors (evaluation), summed in index order.
    public func value(_ prediction: Tensor, _ target: Tensor) -> Float {
        precondition(prediction.shape == target.shape, "loss: prediction \(prediction.shape) vs target \(target.shape)")
        if self == .crossEntropy { return prediction.softmaxCrossEntropy(target) }
        var total: Float = 0
        for i in 0..<prediction.count {
            let d = prediction.scalars[i] - target.scalars[i]
            total += self == .mse ? d * d : Swift.abs(d)
        }
        return total / Float(max(prediction.count, 1))
    }
}
