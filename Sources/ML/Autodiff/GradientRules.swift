import Foundation

/// The primitive operations the autodiff engine knows. Layers are built from these; the
/// fused `gruCell` exists because the benchmark showed the GRU step dominated by many small
/// elementwise nodes (its rule is checked against the primitive composition in tests).
enum Operation {
    case add, subtract, multiply, divide
    case negate
    case scale(Float)
    /// `a · b` over the last two dimensions (`b` shared or batched).
    case matmul
    /// `x · wᵀ + b` with `x` `[..., in]`, `w` `[out, in]`, optional `b` `[out]`.
    case linear
    case reshape
    case transposeLastTwo
    case slice(axis: Int, start: Int)
    case concatenate(axis: Int)
    case sum
    case mean
    case sumAxis(axis: Int, keepingDimension: Bool)
    case sigmoid, tanh, relu, abs, square
    /// Fused GRU step; `saved` holds the gates r|z|n of the forward pass, `[batch, 3·hidden]`.
    case gruCell(saved: Tensor)
    /// Fused GRU layer over all time steps (inputs: gatesAll, W_hh, b_hh, initial state).
    case gruSequence(saved: GRUSequenceKernel.Saved)
    /// Mean softmax cross-entropy of logits `[batch, classes]` against class-probability
    /// targets (inputs: logits, targets); `saved` holds the softmax of the forward pass.
    case softmaxCrossEntropy(saved: Tensor)
}

/// The one table of gradient rules: for each operation, how the upstream gradient of its
/// output becomes contributions to the gradients of its inputs.
enum GradientRules {
    static func propagate(_ operation: Operation, node: Variable, upstream g: Tensor) {
        let inputs = node.inputs
        switch operation {
        case .add:
            inputs[0].accumulate(g.summed(toShape: inputs[0].shape))
            inputs[1].accumulate(g.summed(toShape: inputs[1].shape))
        case .subtract:
            inputs[0].accumulate(g.summed(toShape: inputs[0].shape))
            inputs[1].accumulate((-g).summed(toShape: inputs[1].shape))
        case .multiply:
            let a = inputs[0], b = inputs[1]
            if a.requiresGrad { a.accumulate((g * b.value).summed(toShape: a.shape)) }
            if b.requiresGrad { b.accumulate((g * a.value).summed(toShape: b.shape)) }
        case .divide:
            let a = inputs[0], b = inputs[1]
            if a.requiresGrad { a.accumulate((g / b.value).summed(toShape: a.shape)) }
            if b.requiresGrad {
                let db = Tensor.broadcasting(g, Tensor.broadcasting(a.value, b.value) { x, y in -x / (y * y) }, *)
                b.accumulate(db.summed(toShape: b.shape))
            }
        case .negate:
            inputs[0].accumulate(-g)
        case .scale(let s):
            inputs[0].accumulate(g * s)
        case .matmul:
            let a = inputs[0], b = inputs[1]
            if a.requiresGrad { a.accumulate(g.matmul(b.transposed)) }
            if b.requiresGrad {
                if b.value.rank == 2 {
                    let k = a.value.shape.last!, n = g.shape.last!
                    let a2 = a.value.reshaped([-1, k]), g2 = g.reshaped([-1, n])
                    b.accumulate(a2.matmul(g2, transposeSelf: true))
                } else {
                    b.accumulate(a.value.matmul(g, transposeSelf: true))
                }
            }
        case .linear:
            let x = inputs[0], w = inputs[1]
            let outFeatures = w.value.shape[0], inFeatures = w.value.shape[1]
            let g2 = g.reshaped([-1, outFeatures])
            if x.requiresGrad { x.accumulate(g2.matmul(w.value).reshaped(x.shape)) }
            if w.requiresGrad { w.accumulate(g2.matmul(x.value.reshaped([-1, inFeatures]), transposeSelf: true)) }
            if inputs.count > 2, inputs[2].requiresGrad { inputs[2].accumulate(g2.sum(axis: 0)) }
        case .reshape:
            inputs[0].accumulate(g.reshaped(inputs[0].shape))
        case .transposeLastTwo:
            inputs[0].accumulate(g.transposedLastTwo())
        case .slice(let axis, let start):
            inputs[0].accumulateSlice(g, axis: axis, start: start)
        case .concatenate(let axis):
            var start = 0
            for input in inputs {
                let extent = input.shape[axis]
                if input.requiresGrad { input.accumulate(g.slice(axis: axis, start..<(start + extent))) }
                start += extent
            }
        case .sum:
            inputs[0].accumulate(Tensor(shape: inputs[0].shape, repeating: g.scalar))
        case .mean:
            let n = Float(max(inputs[0].value.count, 1))
            inputs[0].accumulate(Tensor(shape: inputs[0].shape, repeating: g.scalar / n))
        case .sumAxis(let axis, let keeping):
            var kept = inputs[0].shape
            kept[axis] = 1
            let expanded = keeping ? g : g.reshaped(kept)
            inputs[0].accumulate(Tensor.broadcasting(Tensor.zeros(inputs[0].shape), expanded, +))
        case .sigmoid:
            inputs[0].accumulate(Tensor.broadcasting(g, node.value) { d, y in d * (y * (1 - y)) })
        case .tanh:
            inputs[0].accumulate(Tensor.broadcasting(g, node.value) { d, y in d * (1 - y * y) })
        case .relu:
            inputs[0].accumulate(Tensor.broadcasting(g, inputs[0].value) { d, x in x > 0 ? d : 0 })
        case .abs:
            inputs[0].accumulate(Tensor.broadcasting(g, inputs[0].value) { d, x in x > 0 ? d : (x < 0 ? -d : 0) })
        case .square:
            inputs[0].accumulate(Tensor.broadcasting(g, inputs[0].value) { d, x in d * 2 * x })
        case .gruCell(let saved):
            let (dgi, dgh, dh) = GRUCellKernel.backward(upstream: g, saved: saved, gh: inputs[1].value, h: inputs[2].value)
            inputs[0].accumulate(dgi)
            inputs[1].accumulate(dgh)
            inputs[2].accumulate(dh)
        case .gruSequence(let saved):
            let d = GRUSequenceKernel.backward(upstream: g, saved: saved, weightHH: inputs[1].value)
            inputs[0].accumulate(d.gatesAll)
            inputs[1].accumulate(d.weightHH)
            inputs[2].accumulate(d.biasHH)
            inputs[3].accumulate(d.initial)
        case .softmaxCrossEntropy(let softmax):
            inputs[0].accumulate(SoftmaxCrossEntropy.backward(upstream: g.scalar, softmax: softmax, targets: inputs[1].value))
        }
    }
}
