import Foundation
import ML

typealias ONNXOperator = (ONNXNodeContext) throws -> [ONNXTensor]

/// The operator tables of the evaluator: default domain (what torch.onnx emits for GRU, LSTM
/// and MLP graphs) and ai.onnx.ml (what skl2onnx emits for linear and tree models).
enum ONNXOperators {
    static let standard: [String: ONNXOperator] = [
        "Add": { [try broadcast($0, +)] },
        "Sub": { [try broadcast($0, -)] },
        "Mul": { [try broadcast($0, *)] },
        "Div": { [try broadcast($0, /)] },
        "Relu": { [try unary($0) { max($0, 0) }] },
        "Tanh": { [try unary($0) { tanhf($0) }] },
        "Sigmoid": { [try unary($0, sigmoid)] },
        "Identity": { [try $0.input(0)] },
        "Cast": cast,
        "MatMul": { [try matMul(try $0.input(0), try $0.input(1))] },
        "Gemm": gemm,
        "GRU": ONNXRecurrent.gru,
        "LSTM": ONNXRecurrent.lstm,
        "Constant": constant,
        "ConstantOfShape": constantOfShape,
        "Shape": shapeOf,
        "Reshape": reshape,
        "Squeeze": squeeze,
        "Unsqueeze": unsqueeze,
        "Transpose": transpose,
        "Gather": gather,
        "Slice": slice,
        "Concat": concat,
        "Flatten": flatten,
    ]

    static let machineLearning: [String: ONNXOperator] = ONNXMLOperators.table

    // MARK: Element-wise

    static func sigmoid(_ x: Float) -> Float { 1 / (1 + expf(-x)) }

    static func unary(_ c: ONNXNodeContext, _ f: (Float) -> Float) throws -> ONNXTensor {
        let x = try c.input(0)
        return ONNXTensor(shape: x.shape, floats: x.floats.map(f))
    }

    /// Multidirectional (numpy) broadcasting shape of two shapes.
    static func broadcastShape(_ a: [Int], _ b: [Int]) throws -> [Int] {
        let rank = max(a.count, b.count)
        let pa = [Int](repeating: 1, count: rank - a.count) + a
        let pb = [Int](repeating: 1, count: rank - b.count) + b
        let shape = try (0..<rank).map { i in
            if pa[i] == pb[i] || pb[i] == 1 { return pa[i] }
            if pa[i] == 1 { return pb[i] }
            throw ONNXError.malformed("shapes \(a) and \(b) do not broadcast")
        }
        _ = try checkedElementCount(shape, what: "broadcast result")
        return shape
    }

    /// For each element of `shape`, the flat index into a tensor of `source` broadcast to it.
    static func broadcastIndex(from source: [Int], to shape: [Int]) -> [Int] {
        let padded = [Int](repeating: 1, count: shape.count - source.count) + source
        let sourceStrides = ONNXTensor.strides(padded)
        let n = shape.reduce(1, *)
        var result = [Int](repeating: 0, count: n)
        var position = [Int](repeating: 0, count: shape.count)
        for i in 0..<n {
            var s = 0
            for d in 0..<shape.count where padded[d] != 1 { s += position[d] * sourceStrides[d] }
            result[i] = s
            var d = shape.count - 1
            while d >= 0 {
                position[d] += 1
                if position[d] < shape[d] { break }
                position[d] = 0
                d -= 1
            }
        }
        return result
    }

    static func broadcast(_ c: ONNXNodeContext, _ f: (Float, Float) -> Float) throws -> ONNXTensor {
        let a = try c.input(0), b = try c.input(1)
        if !a.isFloat && !b.isFloat {
            // Shape arithmetic on Int64 (torch.onnx sometimes computes sizes this way).
            let shape = try broadcastShape(a.shape, b.shape)
            let ia = broadcastIndex(from: a.shape, to: shape), ib = broadcastIndex(from: b.shape, to: shape)
            let va = a.ints, vb = b.ints
            let values = (0..<ia.count).map { Int64(f(Float(va[ia[$0]]), Float(vb[ib[$0]]))) }
            return ONNXTensor(shape: shape, ints: values)
        }
        let va = a.floats, vb = b.floats
        if a.shape == b.shape { return ONNXTensor(shape: a.shape, floats: zip(va, vb).map { f($0, $1) }) }
        let shape = try broadcastShape(a.shape, b.shape)
        let ia = broadcastIndex(from: a.shape, to: shape), ib = broadcastIndex(from: b.shape, to: shape)
        var out = [Float](repeating: 0, count: ia.count)
        for i in 0..<ia.count { out[i] = f(va[ia[i]], vb[ib[i]]) }
        return ONNXTensor(shape: shape, floats: out)
    }

    static func cast(_ c: ONNXNodeContext) throws -> [ONNXTensor] {
        let x = try c.input(0)
        switch Int32(truncatingIfNeeded: c.int("to", default: 1)) {
        case ONNXElementType.float, ONNXElementType.double: return [ONNXTensor(shape: x.shape, floats: x.floats)]
        case ONNXElementType.int64, ONNXElementType.int32: return [ONNXTensor(shape: x.shape, ints: x.ints)]
        case let other: throw ONNXError.unsupported("Cast to element type \(other)")
        }
    }

    // MARK: Products

    /// `[m, k] × [k, n]` with a fixed summation order (over p, for each output row), on raw
    /// buffers: the evaluator's hot loop (recurrent steps, Gemm, the certificate's 64 windows).
    static func product(_ a: [Float], _ b: [Float], m: Int, k: Int, n: Int, transA: Bool = false, transB: Bool = false,
                        transposedB: [Float]? = nil) -> [Float] {
        let right = transB ? (transposedB ?? ONNXRecurrent.transposed(b, rows: n, columns: k)) : b
        var out = [Float](repeating: 0, count: m * n)
        guard m > 0, n > 0, k > 0 else { return out }
        a.withUnsafeBufferPointer { av in
            right.withUnsafeBufferPointer { bv in
                out.withUnsafeMutableBufferPointer { ov in
                    // ML's kernel: the same sum over p ascending per element, on SIMD tiles.
                    MatMulKernel.multiply(av.baseAddress!, bv.baseAddress!, ov.baseAddress!, m: m, n: n, k: k, accumulate: false,
                                          aRowStride: transA ? 1 : k, aColumnStride: transA ? m : 1)
                }
            }
        }
        return out
    }

    /// MatMul: `[..., m, k] × [k, n]`, or batched with equal leading dimensions.
    static func matMul(_ a: ONNXTensor, _ b: ONNXTensor) throws -> ONNXTensor {
        guard a.rank >= 1, b.rank >= 1 else { throw ONNXError.malformed("MatMul of a scalar") }
        let aShape = a.rank == 1 ? [1, a.shape[0]] : a.shape
        let bShape = b.rank == 1 ? [b.shape[0], 1] : b.shape
        let k = aShape[aShape.count - 1]
        guard bShape[bShape.count - 2] == k else { throw ONNXError.malformed("MatMul of \(a.shape) and \(b.shape)") }
        let n = bShape[bShape.count - 1]
        _ = try checkedElementCount(Array(aShape.dropLast()) + [n], what: "MatMul result")
        var outShape: [Int]
        var values: [Float]
        if bShape.count == 2 {
            let m = aShape.dropLast().reduce(1, *)
            values = product(a.floats, b.floats, m: m, k: k, n: n)
            outShape = Array(aShape.dropLast()) + [n]
        } else {
            guard aShape.count == bShape.count, Array(aShape.dropLast(2)) == Array(bShape.dropLast(2)) else {
                throw ONNXError.unsupported("MatMul broadcasting between \(a.shape) and \(b.shape)")
            }
            let batch = aShape.dropLast(2).reduce(1, *), m = aShape[aShape.count - 2]
            let va = a.floats, vb = b.floats
            values = []
            values.reserveCapacity(batch * m * n)
            for s in 0..<batch {
                values += product(Array(va[(s * m * k)..<((s + 1) * m * k)]), Array(vb[(s * k * n)..<((s + 1) * k * n)]), m: m, k: k, n: n)
            }
            outShape = Array(aShape.dropLast()) + [n]
        }
        if a.rank == 1 { outShape.remove(at: outShape.count - 2) }
        if b.rank == 1 { outShape.removeLast() }
        return ONNXTensor(shape: outShape, floats: values)
    }

    static func gemm(_ c: ONNXNodeContext) throws -> [ONNXTensor] {
        let a = try c.input(0), b = try c.input(1)
        guard a.rank == 2, b.rank == 2 else { throw ONNXError.malformed("Gemm takes matrices, got \(a.shape) and \(b.shape)") }
        let transA = c.int("transA", default: 0) != 0, transB = c.int("transB", default: 0) != 0
        let alpha = c.float("alpha", default: 1), beta = c.float("beta", default: 1)
        let m = transA ? a.shape[1] : a.shape[0], k = transA ? a.shape[0] : a.shape[1]
        let kb = transB ? b.shape[1] : b.shape[0], n = transB ? b.shape[0] : b.shape[1]
        _ = try checkedElementCount([m, n], what: "Gemm result")
        guard k == kb else { throw ONNXError.malformed("Gemm of \(a.shape) and \(b.shape) (transA \(transA), transB \(transB))") }
        var out = product(a.floats, b.floats, m: m, k: k, n: n, transA: transA, transB: transB, transposedB: c.prepared?.transposedB)
        if alpha != 1 { for i in 0..<out.count { out[i] *= alpha } }
        if let bias = c.optionalInput(2), bias.count == n, bias.shape.last == n, bias.rank <= 2 {
            // A row bias (what exporters write): added to each row without an index table.
            let vc = bias.floats
            for i in 0..<m { for j in 0..<n { out[i * n + j] += beta * vc[j] } }
        } else if let bias = c.optionalInput(2) {
            _ = try broadcastShape([m, n], bias.shape)
            guard try broadcastShape([m, n], bias.shape) == [m, n] else { throw ONNXError.malformed("Gemm bias \(bias.shape) does not broadcast to [\(m), \(n)]") }
            let index = broadcastIndex(from: bias.shape, to: [m, n]), vc = bias.floats
            for i in 0..<out.count { out[i] += beta * vc[index[i]] }
        }
        return [ONNXTensor(shape: [m, n], floats: out)]
    }

    // MARK: Shapes and layout

    static func constant(_ c: ONNXNodeContext) throws -> [ONNXTensor] {
        if let a = c.attribute("value"), a.hasT { return [try ONNXTensor(proto: a.t)] }
        if let a = c.attribute("value_float") { return [ONNXTensor(shape: [], floats: [a.f])] }
        if let a = c.attribute("value_floats") { return [ONNXTensor(shape: [a.floats.count], floats: a.floats)] }
        if let a = c.attribute("value_int") { return [ONNXTensor(shape: [], ints: [a.i])] }
        if let a = c.attribute("value_ints") { return [ONNXTensor(shape: [a.ints.count], ints: a.ints)] }
        throw ONNXError.unsupported("Constant without a dense value")
    }

    static func constantOfShape(_ c: ONNXNodeContext) throws -> [ONNXTensor] {
        let shape = try c.input(0).ints.map { Int(clamping: $0) }
        let count = try checkedElementCount(shape, what: "ConstantOfShape")
        guard let a = c.attribute("value"), a.hasT else { return [ONNXTensor(shape: shape, floats: [Float](repeating: 0, count: count))] }
        let value = try ONNXTensor(proto: a.t)
        guard value.count == 1 else { throw ONNXError.malformed("ConstantOfShape value must hold one element") }
        switch value.storage {
        case .float(let v): return [ONNXTensor(shape: shape, floats: [Float](repeating: v[0], count: count))]
        case .int64(let v): return [ONNXTensor(shape: shape, ints: [Int64](repeating: v[0], count: count))]
        }
    }

    static func shapeOf(_ c: ONNXNodeContext) throws -> [ONNXTensor] {
        let x = try c.input(0)
        let rank = x.rank
        var start = Int(c.int("start", default: 0)), end = Int(c.int("end", default: Int64(rank)))
        if start < 0 { start += rank }
        if end < 0 { end += rank }
        start = min(max(start, 0), rank)
        end = min(max(end, start), rank)
        return [ONNXTensor(shape: [end - start], ints: x.shape[start..<end].map { Int64($0) })]
    }

    static func reshape(_ c: ONNXNodeContext) throws -> [ONNXTensor] {
        let x = try c.input(0)
        let requested = try c.input(1).ints
        var shape = try requested.enumerated().map { i, d -> Int in
            if d == 0 && c.int("allowzero", default: 0) == 0 {
                guard i < x.rank else { throw ONNXError.malformed("Reshape copies dimension \(i) of rank-\(x.rank) input") }
                return x.shape[i]
            }
            return Int(clamping: d)
        }
        if let inferred = shape.firstIndex(of: -1) {
            var others = shape
            others.remove(at: inferred)
            guard others.allSatisfy({ $0 >= 0 }), let known = try? checkedElementCount(others, what: "reshape"), known > 0, x.count % known == 0 else {
                throw ONNXError.malformed("cannot reshape \(x.shape) to \(requested)")
            }
            shape[inferred] = x.count / known
        }
        return [try x.reshaped(shape)]
    }

    /// Axes from the opset-13 input or the older attribute.
    static func axes(_ c: ONNXNodeContext, input: Int) -> [Int64]? {
        if let t = c.optionalInput(input) { return t.ints }
        return c.ints("axes")
    }

    static func squeeze(_ c: ONNXNodeContext) throws -> [ONNXTensor] {
        let x = try c.input(0)
        let axes = try (axes(c, input: 1) ?? x.shape.indices.filter { x.shape[$0] == 1 }.map { Int64($0) })
            .map { try normalizedAxis($0, rank: x.rank) }
        for a in axes where x.shape[a] != 1 { throw ONNXError.malformed("Squeeze of axis \(a) of size \(x.shape[a])") }
        return [try x.reshaped(x.shape.indices.filter { !axes.contains($0) }.map { x.shape[$0] })]
    }

    static func unsqueeze(_ c: ONNXNodeContext) throws -> [ONNXTensor] {
        let x = try c.input(0)
        guard let raw = axes(c, input: 1) else { throw ONNXError.malformed("Unsqueeze needs axes") }
        let rank = x.rank + raw.count
        let axes = Set(try raw.map { try normalizedAxis($0, rank: rank) })
        var shape = [Int](), source = x.shape.makeIterator()
        for d in 0..<rank { shape.append(axes.contains(d) ? 1 : (source.next() ?? 1)) }
        return [try x.reshaped(shape)]
    }

    static func flatten(_ c: ONNXNodeContext) throws -> [ONNXTensor] {
        let x = try c.input(0)
        let axis = Int(c.int("axis", default: 1))
        let a = axis < 0 ? axis + x.rank : axis
        guard a >= 0, a <= x.rank else { throw ONNXError.malformed("Flatten axis \(axis) for rank \(x.rank)") }
        return [try x.reshaped([x.shape[..<a].reduce(1, *), x.shape[a...].reduce(1, *)])]
    }

    static func transpose(_ c: ONNXNodeContext) throws -> [ONNXTensor] {
        let x = try c.input(0)
        let perm = c.ints("perm").map { $0.map { Int($0) } } ?? Array((0..<x.rank).reversed())
        guard perm.count == x.rank, Set(perm) == Set(0..<x.rank) else { throw ONNXError.malformed("Transpose perm \(perm) for rank \(x.rank)") }
        let shape = perm.map { x.shape[$0] }
        let inStrides = ONNXTensor.strides(x.shape)
        return [x.remapped(to: shape, source: affineSource(shape, strides: perm.map { inStrides[$0] }, base: 0))]
    }

    /// The input index of output element i when the output walks the input with per-axis
    /// `strides` from `base` (transpose: permuted strides; slice: stepped strides from the start).
    static func affineSource(_ shape: [Int], strides: [Int], base: Int) -> (Int) -> Int {
        let outStrides = ONNXTensor.strides(shape)
        return { i in
            var rest = i, s = base
            for d in 0..<shape.count {
                s += (rest / outStrides[d]) * strides[d]
                rest %= outStrides[d]
            }
            return s
        }
    }

    static func gather(_ c: ONNXNodeContext) throws -> [ONNXTensor] {
        let x = try c.input(0), indices = try c.input(1)
        let axis = try normalizedAxis(c.int("axis", default: 0), rank: x.rank)
        let size = x.shape[axis]
        let idx = try indices.ints.map { i -> Int in
            let j = i < 0 ? Int(i) + size : Int(i)
            guard j >= 0, j < size else { throw ONNXError.malformed("Gather index \(i) out of range for size \(size)") }
            return j
        }
        let inner = x.shape[(axis + 1)...].reduce(1, *)
        let shape = Array(x.shape[..<axis]) + indices.shape + Array(x.shape[(axis + 1)...])
        _ = try checkedElementCount(shape, what: "Gather result")
        let count = idx.count
        return [x.remapped(to: shape) { i in
            let o = i / (count * inner), rest = i % (count * inner)
            return (o * size + idx[rest / inner]) * inner + rest % inner
        }]
    }

    static func slice(_ c: ONNXNodeContext) throws -> [ONNXTensor] {
        let x = try c.input(0)
        let starts = try c.input(1).ints, ends = try c.input(2).ints
        let axes = try (c.optionalInput(3)?.ints ?? starts.indices.map { Int64($0) }).map { try normalizedAxis($0, rank: x.rank) }
        let steps = c.optionalInput(4)?.ints ?? [Int64](repeating: 1, count: starts.count)
        guard starts.count == ends.count, axes.count == starts.count, steps.count == starts.count else {
            throw ONNXError.malformed("Slice starts/ends/axes/steps differ in length")
        }
        var begin = [Int](repeating: 0, count: x.rank), step = [Int](repeating: 1, count: x.rank), shape = x.shape
        for (k, axis) in axes.enumerated() {
            let size = Int64(x.shape[axis]), st = steps[k]
            guard st != 0 else { throw ONNXError.malformed("Slice step 0") }
            func clampIndex(_ v: Int64, low: Int64, high: Int64) -> Int64 {
                let w = v < 0 ? v + size : v
                return min(max(w, low), high)
            }
            let s: Int64, e: Int64
            if st > 0 {
                s = clampIndex(starts[k], low: 0, high: size)
                e = clampIndex(ends[k], low: 0, high: size)
                shape[axis] = e > s ? Int((e - s + st - 1) / st) : 0
            } else {
                s = clampIndex(starts[k], low: -1, high: size - 1)
                e = clampIndex(ends[k], low: -1, high: size - 1)
                shape[axis] = s > e ? Int((s - e + (-st) - 1) / (-st)) : 0
            }
            begin[axis] = Int(s)
            step[axis] = Int(st)
        }
        let inStrides = ONNXTensor.strides(x.shape)
        let base = (0..<x.rank).reduce(0) { $0 + begin[$1] * inStrides[$1] }
        return [x.remapped(to: shape, source: affineSource(shape, strides: (0..<x.rank).map { step[$0] * inStrides[$0] }, base: base))]
    }

    static func concat(_ c: ONNXNodeContext) throws -> [ONNXTensor] {
        let parts = c.inputs.compactMap { $0 }
        guard let first = parts.first else { throw ONNXError.malformed("Concat of nothing") }
        let axis = try normalizedAxis(c.int("axis", default: 0), rank: first.rank)
        for p in parts {
            guard p.rank == first.rank, p.shape.indices.allSatisfy({ $0 == axis || p.shape[$0] == first.shape[$0] }) else {
                throw ONNXError.malformed("Concat of \(first.shape) and \(p.shape) on axis \(axis)")
            }
        }
        var shape = first.shape
        shape[axis] = parts.reduce(0) { $0 + $1.shape[axis] }
        let outer = first.shape[..<axis].reduce(1, *), inner = first.shape[(axis + 1)...].reduce(1, *)
        if parts.allSatisfy({ !$0.isFloat }) {
            var out = [Int64]()
            for o in 0..<outer { for p in parts { let v = p.ints, w = p.shape[axis] * inner; out += v[(o * w)..<((o + 1) * w)] } }
            return [ONNXTensor(shape: shape, ints: out)]
        }
        var out = [Float]()
        out.reserveCapacity(shape.reduce(1, *))
        let values = parts.map(\.floats)
        for o in 0..<outer {
            for (p, v) in zip(parts, values) { let w = p.shape[axis] * inner; out += v[(o * w)..<((o + 1) * w)] }
        }
        return [ONNXTensor(shape: shape, floats: out)]
    }
}
