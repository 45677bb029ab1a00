/// Elementwise arithmetic with NumPy-style broadcasting, and unary maps.
extension Tensor {
    /// The shape two operands broadcast to (trailing dimensions aligned, 1 stretches).
    public static func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int]? {
        let rank = max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            if da == db || db == 1 { result[i] = da } else if da == 1 { result[i] = db } else { return nil }
        }
        return result
    }

    /// Applies `op` to each pair of broadcast elements.
    @inline(__always)
    static func broadcasting(_ a: Tensor, _ b: Tensor, _ op: (Float, Float) -> Float) -> Tensor {
        if a.shape == b.shape {
            var out = [Float](repeating: 0, count: a.count)
            a.scalars.withUnsafeBufferPointer { pa in
                b.scalars.withUnsafeBufferPointer { pb in
                    out.withUnsafeMutableBufferPointer { po in
                        for i in 0..<po.count { po[i] = op(pa[i], pb[i]) }
                    }
                }
            }
            return Tensor(shape: a.shape, scalars: out)
        }
        guard let shape = broadcastShape(a.shape, b.shape) else {
            preconditionFailure("cannot broadcast \(a.shape) with \(b.shape)")
        }
        let n = count(of: shape)
        var out = [Float](repeating: 0, count: n)
        // Fast path: b repeats over a's leading dimensions (a bias row added to a batch).
        if shape == a.shape, b.count > 0, a.count % b.count == 0,
           Array(a.shape.suffix(b.shape.count)) == b.shape || b.count == 1 {
            let inner = b.count
            a.scalars.withUnsafeBufferPointer { pa in
                b.scalars.withUnsafeBufferPointer { pb in
                    out.withUnsafeMutableBufferPointer { po in
                        var base = 0
                        while base < n {
                            for j in 0..<inner { po[base + j] = op(pa[base + j], pb[j]) }
                            base += inner
                        }
                    }
                }
            }
            return Tensor(shape: shape, scalars: out)
        }
        let ia = broadcastIndexMap(from: a.shape, to: shape)
        let ib = broadcastIndexMap(from: b.shape, to: shape)
        for i in 0..<n { out[i] = op(a.scalars[ia[i]], b.scalars[ib[i]]) }
        return Tensor(shape: shape, scalars: out)
    }

    /// For each element of `target`, the flat index of the source element broadcast onto it.
    static func broadcastIndexMap(from source: [Int], to target: [Int]) -> [Int] {
        let rank = target.count
        let padded = [Int](repeating: 1, count: rank - source.count) + source
        let sourceStrides = strides(of: padded)
        let n = count(of: target)
        var map = [Int](repeating: 0, count: n)
        var index = [Int](repeating: 0, count: rank)
        for flat in 0..<n {
            var offset = 0
            for axis in 0..<rank where padded[axis] != 1 { offset += index[axis] * sourceStrides[axis] }
            map[flat] = offset
            var axis = rank - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < target[axis] { break }
                index[axis] = 0
                axis -= 1
            }
        }
        return map
    }

    /// Applies `op` to every scalar.
    @inline(__always)
    public func map(_ op: (Float) -> Float) -> Tensor {
        var out = [Float](repeating: 0, count: count)
        scalars.withUnsafeBufferPointer { p in
            out.withUnsafeMutableBufferPointer { o in
                for i in 0..<o.count { o[i] = op(p[i]) }
            }
        }
        return Tensor(shape: shape, scalars: out)
    }

    public static func + (a: Tensor, b: Tensor) -> Tensor { broadcasting(a, b, +) }
    public static func - (a: Tensor, b: Tensor) -> Tensor { broadcasting(a, b, -) }
    public static func * (a: Tensor, b: Tensor) -> Tensor { broadcasting(a, b, *) }
    public static func / (a: Tensor, b: Tensor) -> Tensor { broadcasting(a, b, /) }
    public static func * (a: Tensor, s: Float) -> Tensor { a.map { $0 * s } }
    public static func + (a: Tensor, s: Float) -> Tensor { a.map { $0 + s } }
    public static prefix func - (a: Tensor) -> Tensor { a.map { -$0 } }

    /// Adds `other` (same shape) into this tensor in place.
    public mutating func add(_ other: Tensor) {
        precondition(shape == other.shape, "add \(other.shape) into \(shape)")
        scalars.withUnsafeMutableBufferPointer { p in
            other.scalars.withUnsafeBufferPointer { q in
                guard let target = p.baseAddress, let source = q.baseAddress else { return }
                Tensor.addInPlace(target, source, count: p.count)
            }
        }
    }

    /// Adds `row` (the size of the last dimension) to every row in place: `self + row` without
    /// a new buffer (a bias added to a product), the same additions.
    public mutating func addToEveryRow(_ row: Tensor) {
        let inner = row.count
        precondition(inner > 0 && shape.last == inner, "add a row of \(row.shape) to \(shape)")
        scalars.withUnsafeMutableBufferPointer { p in
            row.scalars.withUnsafeBufferPointer { q in
                guard let target = p.baseAddress, let source = q.baseAddress else { return }
                var base = 0
                while base < p.count {
                    Tensor.addInPlace(target + base, source, count: inner)
                    base += inner
                }
            }
        }
    }

    /// Sums a broadcast result back down to `target`, the shape of the operand that was
    /// broadcast (the gradient rule of broadcasting). Sums run in ascending index order.
    public func summed(toShape target: [Int]) -> Tensor {
        if shape == target { return self }
        let n = Tensor.count(of: target)
        var out = [Float](repeating: 0, count: n)
        if n > 0, count % n == 0, Array(shape.suffix(target.count)) == target || n == 1 {
            scalars.withUnsafeBufferPointer { p in
                out.withUnsafeMutableBufferPointer { o in
                    guard let source = p.baseAddress, let target = o.baseAddress else { return }
                    var base = 0
                    while base < p.count {
                        Tensor.addInPlace(target, source + base, count: n)
                        base += n
                    }
                }
            }
            return Tensor(shape: target, scalars: out)
        }
        let map = Tensor.broadcastIndexMap(from: target, to: shape)
        for i in 0..<count { out[map[i]] += scalars[i] }
        return Tensor(shape: target, scalars: out)
    }
}
