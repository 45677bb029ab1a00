import Foundation

/// Softmax cross-entropy as one fused operation, like PyTorch's `CrossEntropyLoss` with mean
/// reduction: `-(1/B) Σ_b Σ_c t[b,c] · log_softmax(z[b])[c]`. Fused because the log-sum-exp must
/// subtract the row maximum to stay finite, and its gradient is simply `softmax·Σt − t`.
enum SoftmaxCrossEntropy {
    /// The mean loss and the softmax of each row (kept for the backward pass).
    static func forward(logits: Tensor, targets: Tensor) -> (loss: Float, softmax: Tensor) {
        let rows = logits.shape[0], classes = logits.shape[1]
        var softmax = [Float](repeating: 0, count: logits.count)
        var total = 0.0
        for r in 0..<rows {
            let base = r * classes
            var maximum = -Float.infinity
            for c in 0..<classes { maximum = max(maximum, logits.scalars[base + c]) }
            var sum: Float = 0
            for c in 0..<classes {
                let e = Foundation.exp(logits.scalars[base + c] - maximum)
                softmax[base + c] = e
                sum += e
            }
            let logSum = Foundation.log(sum) + maximum
            var rowLoss: Float = 0
            for c in 0..<classes {
                softmax[base + c] /= sum
                rowLoss += targets.scalars[base + c] * (logSum - logits.scalars[base + c])
            }
            total += Double(rowLoss)
        }
        return (Float(total / Double(max(rows, 1))), Tensor(shape: logits.shape, scalars: softmax))
    }

    /// Gradient with respect to the logits.
    static func backward(upstream: Float, softmax: Tensor, targets: Tensor) -> Tensor {
        let rows = softmax.shape[0], classes = softmax.shape[1]
        let scale = upstream / Float(max(rows, 1))
        var gradient = [Float](repeating: 0, count: softmax.count)
        for r in 0..<rows {
            let base = r * classes
            var mass: Float = 0
            for c in 0..<classes { mass += targets.scalars[base + c] }
            for c in 0..<classes { gradient[base + c] = scale * (softmax.scalars[base + c] * mass - targets.scalars[base + c]) }
        }
        return Tensor(shape: softmax.shape, scalars: gradient)
    }
}

extension Variable {
    /// Mean softmax cross-entropy of these logits `[batch, classes]` against class-probability
    /// targets of the same shape (one-hot rows for class labels).
    public func softmaxCrossEntropy(_ targets: Variable) -> Variable {
        precondition(shape.count == 2 && shape == targets.shape, "cross-entropy: logits \(shape) vs targets \(targets.shape)")
        let (loss, softmax) = SoftmaxCrossEntropy.forward(logits: value, targets: targets.value)
        return Variable.record(Tensor(scalar: loss), .softmaxCrossEntropy(saved: softmax), [self, targets])
    }
}

extension Tensor {
    /// The mean softmax cross-entropy of logits against class-probability targets (evaluation).
    public func softmaxCrossEntropy(_ targets: Tensor) -> Float { SoftmaxCrossEntropy.forward(logits: self, targets: targets).loss }
}
