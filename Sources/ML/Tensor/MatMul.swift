import MLWideKernels
import MLWideKernels512

/// Matrix multiplication kernels.
///
/// Each output element is the sum over k in ascending order of `a[i,k] * b[k,j]`, computed
/// with separate multiply and add (no fused multiply-add), whichever tile or thread produced
/// it: results are bit-identical for any thread count.
package enum MatMulKernel {
    /// Rows of one register tile: 6 rows × 8 columns is 12 SSE accumulators, leaving room
    /// for the two halves of a `b` row and the broadcast `a` value in the 16 registers of the
    /// x86-64 baseline.
    static let tileRows = 6
    static let tileColumns = 8

    /// Rows that thread splits should keep together: the register tile of the kernel in use.
    package static var rowGranule: Int { CPUFeatures.matMulVariant == .avx512 ? AVX512MatMul.tileRows : tileRows }

    /// `c[m×n] (= or +=) a[m×k] · b[k×n]`; `b` and `c` row-major and contiguous, `a[i,p]` at
    /// `a[i·aRowStride + p·aColumnStride]` (so a transposed left operand needs no copy).
    /// `variant` picks the kernel (all give the same bits; by default the widest the CPU has).
    package static func multiply(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                                 m: Int, n: Int, k: Int, accumulate: Bool,
                                 aRowStride: Int? = nil, aColumnStride: Int = 1, variant: MatMulVariant = CPUFeatures.matMulVariant) {
        let rowStride = aRowStride ?? k
        if variant != .baseline && m < tileRows {
            // Fewer rows than a tile (one window's recurrent step): a tile would mostly compute
            // padding rows; the row kernel gives the same bits without them.
            WideRowProduct.multiply(a, b, c, rows: 0..<m, n: n, k: k, accumulate: accumulate, aRowStride: rowStride, aColumnStride: aColumnStride)
            return
        }
        let granule = variant == .avx512 ? AVX512MatMul.tileRows : tileRows
        ComputeThreads.parallelChunks(total: m, granule: granule, cost: m * n * k) { rows in
            switch variant {
            case .avx512:
                AVX512MatMul.multiply(a, b, c, rows: rows, n: n, k: k, accumulate: accumulate,
                                      aRowStride: rowStride, aColumnStride: aColumnStride)
                return
            case .avx2:
                WideMatMul.multiply(a, b, c, rows: rows, n: n, k: k, accumulate: accumulate,
                                    aRowStride: rowStride, aColumnStride: aColumnStride)
                return
            case .baseline:
                break
            }
            // Blocks of k keep a slice of b in cache. The running sums are stored in c between
            // blocks and reloaded, so every element still adds its products in order p = 0, 1, …
            let blockK = max(16, 32_768 / max(n, 1))
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 4 * tileRows * min(k, blockK) + tileRows * tileColumns) { scratch in
                let packed = scratch.baseAddress!
                let edgeTile = packed + 4 * tileRows * min(k, blockK)
                var p0 = 0
                repeat {
                    let p1 = min(k, p0 + blockK)
                    multiplyRows(a, b, c, rows: rows, n: n, k: p0..<p1, aRowStride: rowStride, aColumnStride: aColumnStride,
                                 continuing: p0 > 0 || accumulate, packed: packed, edgeTile: edgeTile)
                    p0 = p1
                } while p0 < k
            }
        }
    }

    @inline(__always)
    private static func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always)
    private static func load8(_ c: UnsafeMutablePointer<Float>, _ continuing: Bool) -> SIMD8<Float> {
        continuing ? UnsafeRawPointer(c).loadUnaligned(as: SIMD8<Float>.self) : SIMD8<Float>()
    }

    @inline(__always)
    private static func store8(_ value: SIMD8<Float>, _ c: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(c).storeBytes(of: value, as: SIMD8<Float>.self)
    }

    /// Rows `rows`, products `k`, of the result, six rows at a time: the rows' slice of `a` is
    /// first copied into `packed` as `[p][6]` (zeros past the last row) so the tile reads it
    /// sequentially whatever the strides; then 6×8 register tiles, then scalar edge columns.
    /// Every element runs the same operations in the same order. `continuing` adds to `c`.
    private static func multiplyRows(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                                     rows: Range<Int>, n: Int, k: Range<Int>, aRowStride rs: Int, aColumnStride cs: Int,
                                     continuing: Bool, packed: UnsafeMutablePointer<Float>, edgeTile: UnsafeMutablePointer<Float>) {
        let depth = k.count
        let bBlock = b + k.lowerBound &* n
        var i = rows.lowerBound
        while i < rows.upperBound {
            let valid = min(tileRows, rows.upperBound &- i)
            // Pack a[i..<i+valid, k] as [p][6][4]: each value repeated four times, so the
            // tile multiplies by it straight from memory instead of spending a shuffle on
            // every broadcast (shuffles compete with the adds for the same SSE pipes).
            let first = a + i &* rs + k.lowerBound &* cs
            if valid == tileRows && cs != 1 {
                var source = first, target = packed
                for _ in 0..<depth {
                    for r in 0..<tileRows { (target + 4 &* r).update(repeating: source[r &* rs], count: 4) }
                    source += cs; target += 4 &* tileRows
                }
            } else {
                for r in 0..<tileRows {
                    var target = packed + 4 &* r
                    if r < valid {
                        var source = first + r &* rs
                        for _ in 0..<depth {
                            target.update(repeating: source.pointee, count: 4)
                            source += cs; target += 4 &* tileRows
                        }
                    } else {
                        for _ in 0..<depth { target.update(repeating: 0, count: 4); target += 4 &* tileRows }
                    }
                }
            }
            let cRow = c + i &* n
            var j = 0
            if valid == tileRows {
                while j &+ tileColumns <= n {
                    tile(packed, bBlock + j, ldb: n, cRow + j, ldc: n, depth: depth, continuing: continuing)
                    j &+= tileColumns
                }
            } else {
                // A partial tile runs through a 6×8 scratch tile so the kernel never touches
                // rows past the end of c; the padding rows compute zeros that are dropped.
                while j &+ tileColumns <= n {
                    for r in 0..<tileRows {
                        let target = edgeTile + r &* tileColumns
                        if continuing && r < valid {
                            target.update(from: cRow + r &* n + j, count: tileColumns)
                        } else {
                            target.update(repeating: 0, count: tileColumns)
                        }
                    }
                    tile(packed, bBlock + j, ldb: n, edgeTile, ldc: tileColumns, depth: depth, continuing: true)
                    for r in 0..<valid { (cRow + r &* n + j).update(from: edgeTile + r &* tileColumns, count: tileColumns) }
                    j &+= tileColumns
                }
            }
            while j < n {
                for r in 0..<valid {
                    let target = cRow + r &* n + j
                    var s: Float = continuing ? target.pointee : 0
                    var pa = UnsafePointer(packed) + 4 &* r, pb = bBlock + j
                    for _ in 0..<depth {
                        s += pa.pointee * pb.pointee
                        pa += 4 &* tileRows; pb += n
                    }
                    target.pointee = s
                }
                j &+= 1
            }
            i &+= tileRows
        }
    }

    /// One 6×8 tile: `c[r, 0..<8] (= or +=) Σ_p packed[p][r] · b[p·ldb + 0..<8]`, p ascending,
    /// kept as twelve four-lane halves.
    @inline(__always)
    private static func tile(_ packed: UnsafeMutablePointer<Float>, _ b: UnsafePointer<Float>, ldb: Int,
                             _ c: UnsafeMutablePointer<Float>, ldc: Int, depth: Int, continuing: Bool) {
        let r0 = c, r1 = r0 + ldc, r2 = r1 + ldc, r3 = r2 + ldc, r4 = r3 + ldc, r5 = r4 + ldc
        var c00 = load4(r0, continuing), c01 = load4(r0 + 4, continuing)
        var c10 = load4(r1, continuing), c11 = load4(r1 + 4, continuing)
        var c20 = load4(r2, continuing), c21 = load4(r2 + 4, continuing)
        var c30 = load4(r3, continuing), c31 = load4(r3 + 4, continuing)
        var c40 = load4(r4, continuing), c41 = load4(r4 + 4, continuing)
        var c50 = load4(r5, continuing), c51 = load4(r5 + 4, continuing)
        var pa = UnsafeRawPointer(packed), pb = UnsafeRawPointer(b)
        let bStep = ldb &* 4
        for _ in 0..<depth {
            let b0 = pb.loadUnaligned(as: SIMD4<Float>.self), b1 = pb.loadUnaligned(fromByteOffset: 16, as: SIMD4<Float>.self)
            let a0 = pa.loadUnaligned(as: SIMD4<Float>.self)
            c00 += a0 * b0; c01 += a0 * b1
            let a1 = pa.loadUnaligned(fromByteOffset: 16, as: SIMD4<Float>.self)
            c10 += a1 * b0; c11 += a1 * b1
            let a2 = pa.loadUnaligned(fromByteOffset: 32, as: SIMD4<Float>.self)
            c20 += a2 * b0; c21 += a2 * b1
            let a3 = pa.loadUnaligned(fromByteOffset: 48, as: SIMD4<Float>.self)
            c30 += a3 * b0; c31 += a3 * b1
            let a4 = pa.loadUnaligned(fromByteOffset: 64, as: SIMD4<Float>.self)
            c40 += a4 * b0; c41 += a4 * b1
            let a5 = pa.loadUnaligned(fromByteOffset: 80, as: SIMD4<Float>.self)
            c50 += a5 * b0; c51 += a5 * b1
            pa += 96; pb += bStep
        }
        store4(c00, r0); store4(c01, r0 + 4); store4(c10, r1); store4(c11, r1 + 4)
        store4(c20, r2); store4(c21, r2 + 4); store4(c30, r3); store4(c31, r3 + 4)
        store4(c40, r4); store4(c41, r4 + 4); store4(c50, r5); store4(c51, r5 + 4)
    }

    @inline(__always)
    private static func load4(_ c: UnsafeMutablePointer<Float>, _ continuing: Bool) -> SIMD4<Float> {
        continuing ? UnsafeRawPointer(c).loadUnaligned(as: SIMD4<Float>.self) : SIMD4<Float>()
    }

    @inline(__always)
    private static func store4(_ value: SIMD4<Float>, _ c: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(c).storeBytes(of: value, as: SIMD4<Float>.self)
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
        // Every kernel writes each element when k > 0 (no zero fill needed first).
        var out = k > 0 ? [Float].uninitialized(count: batch * m * n) : [Float](repeating: 0, count: batch * m * n)
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
