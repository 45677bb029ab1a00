import Foundation

/// Differentiable operations. Each computes its value with the tensor kernels and records
/// the `Operation` whose rule in `GradientRules` differentiates it.
extension Variable {
    public static func + (a: Variable, b: Variable) -> Variable { record(a.value + b.value, .add, [a, b]) }
    public static func - (a: Variable, b: Variable) -> Variable { record(a.value - b.value, .subtract, [a, b]) }
    public static func * (a: Variable, b: Variable) -> Variable { record(a.value * b.value, .multiply, [a, b]) }
    public static func / (a: Variable, b: Variable) -> Variable { record(a.value / b.value, .divide, [a, b]) }
    public static prefix func - (a: Variable) -> Variable { record(-a.value, .negate, [a]) }
    public static func * (a: Variable, s: Float) -> Variable { record(a.value * s, .scale(s), [a]) }

    /// Matrix product over the last two dimensions.
    public func matmul(_ other: Variable) -> Variable {
        Variable.record(value.matmul(other.value), .matmul, [self, other])
    }

    /// `self · weightᵀ + bias`, the affine map of a Linear layer (`weight` is `[out, in]`).
    public func linear(weight: Variable, bias: Variable?) -> Variable {
        let inFeatures = weight.value.shape[1], outFeatures = weight.value.shape[0]
        precondition(shape.last == inFeatures, "linear: input \(shape) for weight \(weight.shape)")
        var y = value.reshaped([-1, inFeatures]).matmul(weight.transposed)
        if let bias { y.addToEveryRow(bias.value) }
        var outShape = shape
        outShape[outShape.count - 1] = outFeatures
        let inputs = bias.map { [self, weight, $0] } ?? [self, weight]
        return Variable.record(y.reshaped(outShape), .linear, inputs)
    }

    public func reshaped(_ shape: [Int]) -> Variable { Variable.record(value.reshaped(shape), .reshape, [self]) }
    public func transposedLastTwo() -> Variable { Variable.record(value.transposedLastTwo(), .transposeLastTwo, [self]) }

    /// Elements `range` along `axis`.
    public func slice(axis: Int, _ range: Range<Int>) -> Variable {
        Variable.record(value.slice(axis: axis, range), .slice(axis: axis, start: range.lowerBound), [self])
    }

    /// Joins variables along `axis`.
    public static func concatenate(_ parts: [Variable], axis: Int) -> Variable {
        record(Tensor.concatenate(parts.map(\.value), axis: axis), .concatenate(axis: axis), parts)
    }

    /// Stacks equally shaped variables along a new dimension `axis`.
    public static func stack(_ parts: [Variable], axis: Int) -> Variable {
        concatenate(parts.map { p in
            var s = p.shape
            s.insert(1, at: axis)
            return p.reshaped(s)
        }, axis: axis)
    }

    public func sum() -> Variable { Variable.record(value.sum(), .sum, [self]) }
    public func mean() -> Variable { Variable.record(value.mean(), .mean, [self]) }
    public func sum(axis: Int, keepingDimension: Bool = false) -> Variable {
        Variable.record(value.sum(axis: axis, keepingDimension: keepingDimension),
                        .sumAxis(axis: axis, keepingDimension: keepingDimension), [self])
    }

    public func sigmoid() -> Variable { Variable.record(value.map(Activation.sigmoid), .sigmoid, [self]) }
    public func tanh() -> Variable { Variable.record(value.map(FastMath.tanh), .tanh, [self]) }
    public func relu() -> Variable { Variable.record(value.map { $0 > 0 ? $0 : 0 }, .relu, [self]) }
    public func abs() -> Variable { Variable.record(value.map(Swift.abs), .abs, [self]) }
    public func squared() -> Variable { Variable.record(value.map { $0 * $0 }, .square, [self]) }

    /// One fused GRU step: `gi = x·W_ihᵀ + b_ih`, `gh = h·W_hhᵀ + b_hh`, both `[batch, 3·hidden]`
    /// with gates r|z|n; returns the next hidden state `[batch, hidden]`.
    public static func gruCell(inputGates gi: Variable, hiddenGates gh: Variable, hidden h: Variable) -> Variable {
        let (next, saved) = GRUCellKernel.forward(gi: gi.value, gh: gh.value, h: h.value)
        return record(next, .gruCell(saved: saved), [gi, gh, h])
    }

    /// A whole GRU layer over time: `gatesAll = x·W_ihᵀ + b_ih` `[batch, time, 3·hidden]`,
    /// recurrent weights and bias, initial state `[batch, hidden]`; returns `[batch, time, hidden]`.
    public static func gruSequence(inputGates gatesAll: Variable, weightHH: Variable, biasHH: Variable,
                                   initial: Variable) -> Variable {
        let inputs = [gatesAll, weightHH, biasHH, initial]
        let recording = GradientMode.isEnabled && inputs.contains { $0.requiresGrad }
        let (output, saved) = GRUSequenceKernel.forward(gatesAll: gatesAll.value, weightHH: weightHH.value,
                                                        weightHHTransposed: weightHH.transposed,
                                                        biasHH: biasHH.value, initial: initial.value, saving: recording)
        guard let saved else { return Variable(output) }
        return record(output, .gruSequence(saved: saved), inputs)
    }
}

/// Scalar activation functions shared by kernels.
enum Activation {
    @inline(__always) static func sigmoid(_ x: Float) -> Float { FastMath.sigmoid(x) }
}
