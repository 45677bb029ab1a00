/// Matrix multiplication kernels.
///
/// Each output element is the sum over k in ascending order of `a[i,k] * b[k,j]`, computed
/// with separate multiply and add (no fused multiply-add), whichever tile or thread produced
/// it: results are bit-identical for any thread count.
enum MatMulKernel {
    /// `c[m×n] (= or +=) a[m×k] · b[k×n]`, all row-major and contiguous.
    static func multiply(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                         m: Int, n: Int, k: Int, accumulate: Bool) {
        ComputeThreads.parallelChunks(total: m, granule: 4, cost: m * n * k) { rows in
            multiplyRows(a, b, c, rows: rows, n: n, k: k, accumulate: accumulate)
        }
    }

    @inline(__always)
    private static func store(_ value: Float, _ c: UnsafeMutablePointer<Float>, accumulate: Bool) {
        if accumulate { c.pointee = c.pointee + value } else { c.pointee = value }
    }

    @inline(__always)
    private static func store8(_ value: SIMD8<Float>, _ c: UnsafeMutablePointer<Float>, accumulate: Bool) {
        let raw = UnsafeMutableRawPointer(c)
        if accumulate {
            let old = raw.loadUnaligned(as: SIMD8<Float>.self)
            raw.storeBytes(of: old + value, as: SIMD8<Float>.self)
        } else {
            raw.storeBytes(of: value, as: SIMD8<Float>.self)
        }
    }

    /// Rows `rows` of the product: 4×8 register tiles, then scalar edges in the same k order.
    private static func multiplyRows(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                                     rows: Range<Int>, n: Int, k: Int, accumulate: Bool) {
        let braw = UnsafeRawPointer(b)
        var i = rows.lowerBound
        while i + 4 <= rows.upperBound {
            let a0 = a + i * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k
            var j = 0
            while j + 8 <= n {
                var c0 = SIMD8<Float>(), c1 = SIMD8<Float>(), c2 = SIMD8<Float>(), c3 = SIMD8<Float>()
                for p in 0..<k {
                    let bv = braw.loadUnaligned(fromByteOffset: (p * n + j) * 4, as: SIMD8<Float>.self)
                    c0 += SIMD8(repeating: a0[p]) * bv
                    c1 += SIMD8(repeating: a1[p]) * bv
                    c2 += SIMD8(repeating: a2[p]) * bv
                    c3 += SIMD8(repeating: a3[p]) * bv
                }
                store8(c0, c + i * n + j, accumulate: accumulate)
                store8(c1, c + (i + 1) * n + j, accumulate: accumulate)
                store8(c2, c + (i + 2) * n + j, accumulate: accumulate)
                store8(c3, c + (i + 3) * n + j, accumulate: accumulate)
                j += 8
            }
            while j < n {
                var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
                for p in 0..<k {
                    let bv = b[p * n + j]
                    s0 += a0[p] * bv; s1 += a1[p] * bv; s2 += a2[p] * bv; s3 += a3[p] * bv
                }
                store(s0, c + i * n + j, accumulate: accumulate)
                store(s1, c + (i + 1) * n + j, accumulate: accumulate)
                store(s2, c + (i + 2) * n + j, accumulate: accumulate)
                store(s3, c + (i + 3) * n + j, accumulate: accumulate)
                j += 1
            }
            i += 4
        }
        while i < rows.upperBound {
            let a0 = a + i * k
            var j = 0
            while j + 8 <= n {
                var c0 = SIMD8<Float>()
                for p in 0..<k {
                    c0 += SIMD8(repeating: a0[p]) * braw.loadUnaligned(fromByteOffset: (p * n + j) * 4, as: SIMD8<Float>.self)
                }
                store8(c0, c + i * n + j, accumulate: accumulate)
                j += 8
            }
            while j < n {
                var s0: Float = 0
                for p in 0..<k { s0 += a0[p] * b[p * n + j] }
                store(s0, c + i * n + j, accumulate: accumulate)
                j += 1
            }
            i += 1
        }
    }
}

extension Tensor {
    /// Matrix product over the last two dimensions, with optional transposes of either side.
    ///
    /// `self` is `[..., m, k]` (or `[..., k, m]` when `transposeSelf`), `other` is `[k, n]`
    /// (shared by every batch entry) or `[..., k, n]` with the same batch dimensions
    /// (`[n, k]` / `[..., n, k]` when `transposeOther`).
    public func matmul(_ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false) -> Tensor {
        precondition(rank >= 2 && other.rank >= 2, "matmul needs matrices: \(shape) · \(other.shape)")
        let left = transposeSelf ? transposedLastTwo() : self
        let right = transposeOther ? other.transposedLastTwo() : other
        let k = left.shape[left.rank - 1]
        let n = right.shape[right.rank - 1]
        precondition(right.shape[right.rank - 2] == k, "matmul inner dimensions: \(left.shape) · \(right.shape)")
        var outShape = left.shape
        outShape[outShape.count - 1] = n
        if right.rank == 2 {
            // Shared right operand: fold the batch into the rows.
            let m = left.count / max(k, 1)
            var out = [Float](repeating: 0, count: m * n)
            left.scalars.withUnsafeBufferPointer { pa in
                right.scalars.withUnsafeBufferPointer { pb in
                    out.withUnsafeMutableBufferPointer { pc in
                        guard let a = pa.baseAddress, let b = pb.baseAddress, let c = pc.baseAddress else { return }
                        MatMulKernel.multiply(a, b, c, m: m, n: n, k: k, accumulate: false)
                    }
                }
            }
            return Tensor(shape: outShape, scalars: out)
        }
        precondition(Array(left.shape.dropLast(2)) == Array(right.shape.dropLast(2)),
                     "matmul batch dimensions: \(left.shape) · \(right.shape)")
        let m = left.shape[left.rank - 2]
        let batch = left.count / max(m * k, 1)
        var out = [Float](repeating: 0, count: batch * m * n)
        left.scalars.withUnsafeBufferPointer { pa in
            right.scalars.withUnsafeBufferPointer { pb in
                out.withUnsafeMutableBufferPointer { pc in
                    guard let a = pa.baseAddress, let b = pb.baseAddress, let c = pc.baseAddress else { return }
                    for e in 0..<batch {
                        MatMulKernel.multiply(a + e * m * k, b + e * k * n, c + e * m * n, m: m, n: n, k: k, accumulate: false)
                    }
                }
            }
        }
        return Tensor(shape: outShape, scalars: out)
    }
}
