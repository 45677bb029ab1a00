/// Layout operations: transpose, permute, slice and concatenate.
extension Tensor {
    /// Swaps the last two dimensions (a batch of matrix transposes).
    public func transposedLastTwo() -> Tensor {
        precondition(rank >= 2, "transpose needs rank >= 2, got \(shape)")
        let rows = shape[rank - 2], cols = shape[rank - 1]
        let batch = count / max(rows * cols, 1)
        var out = [Float](repeating: 0, count: count)
        scalars.withUnsafeBufferPointer { p in
            out.withUnsafeMutableBufferPointer { o in
                for b in 0..<batch {
                    let base = b * rows * cols
                    for i in 0..<rows {
                        for j in 0..<cols { o[base + j * rows + i] = p[base + i * cols + j] }
                    }
                }
            }
        }
        var newShape = shape
        newShape.swapAt(rank - 2, rank - 1)
        return Tensor(shape: newShape, scalars: out)
    }

    /// Reorders dimensions: result dimension `i` is source dimension `order[i]`.
    public func permuted(_ order: [Int]) -> Tensor {
        precondition(order.sorted() == Array(0..<rank), "invalid permutation \(order) for \(shape)")
        let newShape = order.map { shape[$0] }
        let sourceStrides = Tensor.strides(of: shape)
        let permutedStrides = order.map { sourceStrides[$0] }
        var out = [Float](repeating: 0, count: count)
        var index = [Int](repeating: 0, count: rank)
        for flat in 0..<count {
            var offset = 0
            for axis in 0..<rank { offset += index[axis] * permutedStrides[axis] }
            out[flat] = scalars[offset]
            var axis = rank - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < newShape[axis] { break }
                index[axis] = 0
                axis -= 1
            }
        }
        return Tensor(shape: newShape, scalars: out)
    }

    /// Outer count, axis extent and inner count around `axis`.
    func split(at axis: Int) -> (outer: Int, extent: Int, inner: Int) {
        let outer = shape[..<axis].reduce(1, *)
        let inner = shape[(axis + 1)...].reduce(1, *)
        return (outer, shape[axis], inner)
    }

    /// Elements `range` along `axis`, all of every other dimension.
    public func slice(axis: Int, _ range: Range<Int>) -> Tensor {
        precondition(axis >= 0 && axis < rank, "axis \(axis) out of range for \(shape)")
        precondition(range.lowerBound >= 0 && range.upperBound <= shape[axis], "slice \(range) out of \(shape[axis])")
        let (outer, extent, inner) = split(at: axis)
        let length = range.count
        var out = [Float](repeating: 0, count: outer * length * inner)
        scalars.withUnsafeBufferPointer { p in
            out.withUnsafeMutableBufferPointer { o in
                for b in 0..<outer {
                    let src = (b * extent + range.lowerBound) * inner
                    let dst = b * length * inner
                    for j in 0..<(length * inner) { o[dst + j] = p[src + j] }
                }
            }
        }
        var newShape = shape
        newShape[axis] = length
        return Tensor(shape: newShape, scalars: out)
    }

    /// Adds `part` into the elements `start..<start+part.shape[axis]` along `axis`
    /// (the gradient of `slice`, written without materialising a zero tensor).
    public mutating func addSlice(_ part: Tensor, axis: Int, start: Int) {
        let (outer, extent, inner) = split(at: axis)
        let length = part.shape[axis]
        precondition(part.count == outer * length * inner && start + length <= extent, "slice gradient shape")
        scalars.withUnsafeMutableBufferPointer { o in
            part.scalars.withUnsafeBufferPointer { p in
                for b in 0..<outer {
                    let dst = (b * extent + start) * inner
                    let src = b * length * inner
                    for j in 0..<(length * inner) { o[dst + j] += p[src + j] }
                }
            }
        }
    }

    /// Joins tensors along `axis`; every other dimension must agree.
    public static func concatenate(_ parts: [Tensor], axis: Int) -> Tensor {
        precondition(!parts.isEmpty, "concatenate needs at least one tensor")
        let first = parts[0]
        for p in parts {
            precondition(p.rank == first.rank, "concatenate ranks differ")
            for d in 0..<first.rank where d != axis {
                precondition(p.shape[d] == first.shape[d], "concatenate \(p.shape) with \(first.shape) on axis \(axis)")
            }
        }
        let total = parts.reduce(0) { $0 + $1.shape[axis] }
        var shape = first.shape
        shape[axis] = total
        var out = Tensor.zeros(shape)
        var start = 0
        for p in parts {
            out.addSlice(p, axis: axis, start: start)
            start += p.shape[axis]
        }
        return out
    }

    /// Stacks equally shaped tensors along a new dimension `axis`.
    public static func stack(_ parts: [Tensor], axis: Int) -> Tensor {
        let expanded = parts.map { p -> Tensor in
            var s = p.shape
            s.insert(1, at: axis)
            return p.reshaped(s)
        }
        return concatenate(expanded, axis: axis)
    }
}
