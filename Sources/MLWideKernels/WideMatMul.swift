/// The matrix-product kernel of the ML engine for CPUs with AVX2: this target alone is compiled
/// for AVX2 (Package.swift), and `MatMulKernel` calls it only after checking the CPU, so the
/// program still runs on any x86-64.
///
/// Same arithmetic as the baseline kernel: each output element is the sum over p ascending of
/// `a[i,p] * b[p,j]`, multiply then add (no fused multiply-add), so both kernels give the same
/// bits and weights do not depend on which one ran. Only the register tile differs: 6 rows ×
/// 16 columns held in twelve 8-lane accumulators.
public enum WideMatMul {
    public static let tileRows = 6
    public static let tileColumns = 16

    /// Rows `rows` of `c[m×n] (= or +=) a[m×k] · b[k×n]`, `a[i,p]` at `a[i·rs + p·cs]`.
    public static func multiply(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                                rows: Range<Int>, n: Int, k: Int, accumulate: Bool, aRowStride rs: Int, aColumnStride cs: Int) {
        // Blocks of k keep a slice of b in cache; running sums go through c between blocks, so
        // every element still adds its products in order p = 0, 1, …
        let blockK = max(16, 32_768 / max(n, 1))
        let depthCapacity = min(k, blockK)
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 8 * tileRows * depthCapacity + tileRows * tileColumns) { scratch in
            let packed = scratch.baseAddress!
            let edgeTile = packed + 8 * tileRows * depthCapacity
            var p0 = 0
            repeat {
                let p1 = min(k, p0 + blockK)
                multiplyRows(a, b, c, rows: rows, n: n, k: p0..<p1, rs: rs, cs: cs, continuing: p0 > 0 || accumulate,
                             packed: packed, edgeTile: edgeTile)
                p0 = p1
            } while p0 < k
        }
    }

    private static func multiplyRows(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                                     rows: Range<Int>, n: Int, k: Range<Int>, rs: Int, cs: Int, continuing: Bool,
                                     packed: UnsafeMutablePointer<Float>, edgeTile: UnsafeMutablePointer<Float>) {
        let depth = k.count
        let bBlock = b + k.lowerBound &* n
        var i = rows.lowerBound
        while i < rows.upperBound {
            let valid = min(tileRows, rows.upperBound &- i)
            // a[i..<i+valid, k] as [p][6][8]: each value repeated eight times, so the tile
            // multiplies by it straight from memory (no broadcast shuffles); zeros past the end.
            let first = a + i &* rs + k.lowerBound &* cs
            for r in 0..<tileRows {
                var target = packed + 8 &* r
                if r < valid {
                    var source = first + r &* rs
                    for _ in 0..<depth {
                        target.update(repeating: source.pointee, count: 8)
                        source += cs; target += 8 &* tileRows
                    }
                } else {
                    for _ in 0..<depth { target.update(repeating: 0, count: 8); target += 8 &* tileRows }
                }
            }
            let cRow = c + i &* n
            var j = 0
            while j &+ tileColumns <= n {
                if valid == tileRows {
                    tile(packed, bBlock + j, ldb: n, cRow + j, ldc: n, depth: depth, continuing: continuing)
                } else {
                    // A partial tile runs through scratch so the kernel never touches rows past c's end.
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
                }
                j &+= tileColumns
            }
            while j < n {
                for r in 0..<valid {
                    let target = cRow + r &* n + j
                    var s: Float = continuing ? target.pointee : 0
                    var pa = UnsafePointer(packed) + 8 &* r, pb = bBlock + j
                    for _ in 0..<depth {
                        s += pa.pointee * pb.pointee
                        pa += 8 &* tileRows; pb += n
                    }
                    target.pointee = s
                }
                j &+= 1
            }
            i &+= tileRows
        }
    }

    /// One 6×16 tile: `c[r, 0..<16] (= or +=) Σ_p packed[p][r] · b[p·ldb + 0..<16]`, p ascending.
    @inline(__always)
    private static func tile(_ packed: UnsafeMutablePointer<Float>, _ b: UnsafePointer<Float>, ldb: Int,
                             _ c: UnsafeMutablePointer<Float>, ldc: Int, depth: Int, continuing: Bool) {
        let r0 = c, r1 = r0 + ldc, r2 = r1 + ldc, r3 = r2 + ldc, r4 = r3 + ldc, r5 = r4 + ldc
        var c00 = load8(r0, continuing), c01 = load8(r0 + 8, continuing)
        var c10 = load8(r1, continuing), c11 = load8(r1 + 8, continuing)
        var c20 = load8(r2, continuing), c21 = load8(r2 + 8, continuing)
        var c30 = load8(r3, continuing), c31 = load8(r3 + 8, continuing)
        var c40 = load8(r4, continuing), c41 = load8(r4 + 8, continuing)
        var c50 = load8(r5, continuing), c51 = load8(r5 + 8, continuing)
        var pa = UnsafeRawPointer(packed), pb = UnsafeRawPointer(b)
        let bStep = ldb &* 4
        for _ in 0..<depth {
            let b0 = pb.loadUnaligned(as: SIMD8<Float>.self), b1 = pb.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
            let a0 = pa.loadUnaligned(as: SIMD8<Float>.self)
            c00 += a0 * b0; c01 += a0 * b1
            let a1 = pa.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
            c10 += a1 * b0; c11 += a1 * b1
            let a2 = pa.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self)
            c20 += a2 * b0; c21 += a2 * b1
            let a3 = pa.loadUnaligned(fromByteOffset: 96, as: SIMD8<Float>.self)
            c30 += a3 * b0; c31 += a3 * b1
            let a4 = pa.loadUnaligned(fromByteOffset: 128, as: SIMD8<Float>.self)
            c40 += a4 * b0; c41 += a4 * b1
            let a5 = pa.loadUnaligned(fromByteOffset: 160, as: SIMD8<Float>.self)
            c50 += a5 * b0; c51 += a5 * b1
            pa += 192; pb += bStep
        }
        store8(c00, r0); store8(c01, r0 + 8); store8(c10, r1); store8(c11, r1 + 8)
        store8(c20, r2); store8(c21, r2 + 8); store8(c30, r3); store8(c31, r3 + 8)
        store8(c40, r4); store8(c41, r4 + 8); store8(c50, r5); store8(c51, r5 + 8)
    }

    @inline(__always)
    private static func load8(_ c: UnsafeMutablePointer<Float>, _ continuing: Bool) -> SIMD8<Float> {
        continuing ? UnsafeRawPointer(c).loadUnaligned(as: SIMD8<Float>.self) : SIMD8<Float>()
    }

    @inline(__always)
    private static func store8(_ value: SIMD8<Float>, _ c: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(c).storeBytes(of: value, as: SIMD8<Float>.self)
    }
}
