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
                guard let source = p.baseAddress, let target = o.baseAddress else { return }
                for b in 0..<outer {
                    let row = target + b * inner
                    for k in 0..<extent {
                        Tensor.addInPlace(row, source + (b * extent + k) * inner, count: inner)
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

extension Tensor {
    /// `target[i] += source[i]` for i in 0..<count, eight lanes at a time (each element one
    /// addition, so the result is the scalar loop's).
    @inline(__always)
    static func addInPlace(_ target: UnsafeMutablePointer<Float>, _ source: UnsafePointer<Float>, count: Int) {
        var j = 0
        while j + 8 <= count {
            let sum = UnsafeRawPointer(target + j).loadUnaligned(as: SIMD8<Float>.self)
                + UnsafeRawPointer(source + j).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(target + j).storeBytes(of: sum, as: SIMD8<Float>.self)
            j += 8
        }
        while j < count {
            target[j] += source[j]
            j += 1
        }
    }
}
