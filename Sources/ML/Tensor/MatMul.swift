/// Matrix multiplication kernels.
///
/// Each output element is the sum over k in ascending order of `a[i,k] * b[k,j]`, computed
/// with separate multiply and add (no fused multiply-add), whichever tile or thread produced
/// it: results are bit-identical for any thread count.
enum MatMulKernel {
    /// `c[m×n] (= or +=) a[m×k] · b[k×n]`; `b` and `c` row-major and contiguous, `a[i,p]` at
    /// `a[i·aRowStride + p·aColumnStride]` (so a transposed left operand needs no copy).
    static func multiply(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                         m: Int, n: Int, k: Int, accumulate: Bool,
                         aRowStride: Int? = nil, aColumnStride: Int = 1) {
        let rowStride = aRowStride ?? k
        ComputeThreads.parallelChunks(total: m, granule: 4, cost: m * n * k) { rows in
            // Blocks of k keep a slice of b in cache. The running sums are stored in c between
            // blocks and reloaded, so every element still adds its products in order p = 0, 1, …
            let blockK = max(16, 32_768 / max(n, 1))
            var p0 = 0
            repeat {
                let p1 = min(k, p0 + blockK)
                multiplyRows(a, b, c, rows: rows, n: n, k: p0..<p1, aRowStride: rowStride, aColumnStride: aColumnStride,
                             continuing: p0 > 0 || accumulate)
                p0 = p1
            } while p0 < k
        }
    }

    @inline(__always)
    private static func load(_ c: UnsafeMutablePointer<Float>, _ continuing: Bool) -> Float {
        continuing ? c.pointee : 0
    }

    @inline(__always)
    private static func load8(_ c: UnsafeMutablePointer<Float>, _ continuing: Bool) -> SIMD8<Float> {
        continuing ? UnsafeRawPointer(c).loadUnaligned(as: SIMD8<Float>.self) : SIMD8<Float>()
    }

    @inline(__always)
    private static func store8(_ value: SIMD8<Float>, _ c: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(c).storeBytes(of: value, as: SIMD8<Float>.self)
    }

    /// Rows `rows`, products `k`, of the result: 4×8 register tiles, then scalar edges that
    /// perform the same operations in the same order. `continuing` adds to the sums in `c`.
    private static func multiplyRows(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                                     rows: Range<Int>, n: Int, k: Range<Int>, aRowStride rs: Int, aColumnStride cs: Int,
                                     continuing: Bool) {
        let braw = UnsafeRawPointer(b)
        var i = rows.lowerBound
        while i + 4 <= rows.upperBound {
            let a0 = a + i * rs, a1 = a0 + rs, a2 = a1 + rs, a3 = a2 + rs
            let r0 = c + i * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n
            var j = 0
            while j + 8 <= n {
                var c0 = load8(r0 + j, continuing), c1 = load8(r1 + j, continuing)
                var c2 = load8(r2 + j, continuing), c3 = load8(r3 + j, continuing)
                for p in k {
                    let bv = braw.loadUnaligned(fromByteOffset: (p * n + j) * 4, as: SIMD8<Float>.self)
                    let q = p * cs
                    c0 += SIMD8(repeating: a0[q]) * bv
                    c1 += SIMD8(repeating: a1[q]) * bv
                    c2 += SIMD8(repeating: a2[q]) * bv
                    c3 += SIMD8(repeating: a3[q]) * bv
                }
                store8(c0, r0 + j); store8(c1, r1 + j); store8(c2, r2 + j); store8(c3, r3 + j)
                j += 8
            }
            while j < n {
                var s0 = load(r0 + j, continuing), s1 = load(r1 + j, continuing)
                var s2 = load(r2 + j, continuing), s3 = load(r3 + j, continuing)
                for p in k {
                    let bv = b[p * n + j], q = p * cs
                    s0 += a0[q] * bv; s1 += a1[q] * bv; s2 += a2[q] * bv; s3 += a3[q] * bv
                }
                r0[j] = s0; r1[j] = s1; r2[j] = s2; r3[j] = s3
                j += 1
            }
            i += 4
        }
        while i < rows.upperBound {
            let a0 = a + i * rs, r0 = c + i * n
            var j = 0
            while j + 8 <= n {
                var c0 = load8(r0 + j, continuing)
                for p in k {
                    c0 += SIMD8(repeating: a0[p * cs]) * braw.loadUnaligned(fromByteOffset: (p * n + j) * 4, as: SIMD8<Float>.self)
                }
                store8(c0, r0 + j)
                j += 8
            }
            while j < n {
                var s0 = load(r0 + j, continuing)
                for p in k { s0 += a0[p * cs] * b[p * n + j] }
                r0[j] = s0
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
        let right = transposeOther ? other.transposedLastTwo() : other
        let m = transposeSelf ? shape[rank - 1] : shape[rank - 2]
        let k = transposeSelf ? shape[rank - 2] : shape[rank - 1]
        let n = right.shape[right.rank - 1]
        precondition(right.shape[right.rank - 2] == k, "matmul inner dimensions: \(shape)\(transposeSelf ? "ᵀ" : "") · \(right.shape)")
        let batchShape = Array(shape.dropLast(2))
        let batch = batchShape.reduce(1, *)
        let outShape = batchShape + [m, n]
        let sharedRight = right.rank == 2
        precondition(sharedRight || Array(right.shape.dropLast(2)) == batchShape,
                     "matmul batch dimensions: \(shape) · \(right.shape)")
        var out = [Float](repeating: 0, count: batch * m * n)
        scalars.withUnsafeBufferPointer { pa in
            right.scalars.withUnsafeBufferPointer { pb in
                out.withUnsafeMutableBufferPointer { pc in
                    guard let a = pa.baseAddress, let b = pb.baseAddress, let c = pc.baseAddress else { return }
                    if sharedRight && !transposeSelf {
                        // Shared right operand: fold the batch into the rows.
                        MatMulKernel.multiply(a, b, c, m: batch * m, n: n, k: k, accumulate: false)
                        return
                    }
                    for e in 0..<batch {
                        MatMulKernel.multiply(a + e * m * k, sharedRight ? b : b + e * k * n, c + e * m * n, m: m, n: n, k: k,
                                              accumulate: false, aRowStride: transposeSelf ? 1 : k, aColumnStride: transposeSelf ? m : 1)
                    }
                }
            }
        }
        return Tensor(shape: outShape, scalars: out)
    }
}
