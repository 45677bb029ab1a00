/// Reductions. Every sum runs in ascending index order, so results never depend on how
/// work was split across threads.
extension Tensor {
    /// Sum of all scalars.
    public func sum() -> Tensor {
        var total: Float = 0
        scalars.withUnsafeBufferPointer { p in for v in p { total += v } }
        return Tensor(scalar: total)
    }

    /// Mean of all scalars.
    public func mean() -> Tensor { Tensor(scalar: sum().scalar / Float(max(count, 1))) }

    /// Sums over `axis`; the axis is kept with extent 1 when `keepingDimension`.
    public func sum(axis: Int, keepingDimension: Bool = false) -> Tensor {
        let (outer, extent, inner) = split(at: axis)
        var out = [Float](repeating: 0, count: outer * inner)
        scalars.withUnsafeBufferPointer { p in
            out.withUnsafeMutableBufferPointer { o in
                for b in 0..<outer {
                    for k in 0..<extent {
                        let src = (b * extent + k) * inner
                        for j in 0..<inner { o[b * inner + j] += p[src + j] }
                    }
                }
            }
        }
        var newShape = shape
        if keepingDimension { newShape[axis] = 1 } else { newShape.remove(at: axis) }
        return Tensor(shape: newShape, scalars: out)
    }

    /// Mean over `axis`.
    public func mean(axis: Int, keepingDimension: Bool = false) -> Tensor {
        let extent = Float(shape[axis])
        return sum(axis: axis, keepingDimension: keepingDimension).map { $0 / extent }
    }

    /// Largest scalar and smallest scalar.
    public func minMax() -> (min: Float, max: Float) {
        var lo = Float.infinity, hi = -Float.infinity
        for v in scalars { lo = Swift.min(lo, v); hi = Swift.max(hi, v) }
        return (lo, hi)
    }
}
