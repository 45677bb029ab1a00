/// The matrix-product kernel of the ML engine for CPUs with AVX-512: this target alone is
/// compiled for AVX-512F (Package.swift), and `MatMulKernel` calls it only after checking the
/// CPU, so the program still runs on any x86-64.
///
/// Same arithmetic as the baseline and AVX2 kernels: each output element is the sum over p
/// ascending of `a[i,p] * b[p,j]`, multiply then add (no fused multiply-add), starting from 0
/// (or from `c` when accumulating), so all three give the same bits. What differs is the shape
/// of the work: 8 rows × 32 columns in sixteen 16-lane accumulators, with the left operand read
/// in place (a broadcast per row and p, whatever its strides) instead of being packed first.
public enum AVX512MatMul {
    /// Rows of one register tile. Row ranges handed to `multiply` are best split at multiples of it.
    public static let tileRows = 8

    /// Rows `rows` of `c[m×n] (= or +=) a[m×k] · b[k×n]`, `a[i,p]` at `a[i·rs + p·cs]`.
    public static func multiply(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                                rows: Range<Int>, n: Int, k: Int, accumulate: Bool, aRowStride rs: Int, aColumnStride cs: Int) {
        guard !rows.isEmpty, n > 0 else { return }
        if k == 0 {
            if !accumulate { for i in rows { (c + i &* n).update(repeating: 0, count: n) } }
            return
        }
        if n < 8 && rs == 1 {
            // A transposed left operand with a narrow result (the weight gradient of a layer
            // with one input): consecutive rows of `a` are adjacent in memory, so the sums run
            // sixteen rows to a register instead of one scalar chain per element.
            narrowTransposed(a, b, c, rows: rows, n: n, k: k, accumulate: accumulate, cs: cs)
            return
        }
        // Blocks of k keep a slice of b in cache; running sums go through c between blocks, so
        // every element still adds its products in order p = 0, 1, …
        let blockK = max(16, 32_768 / n)
        var p0 = 0
        repeat {
            let p1 = min(k, p0 &+ blockK)
            let continuing = p0 > 0 || accumulate
            var i = rows.lowerBound
            while i < rows.upperBound {
                let valid = min(tileRows, rows.upperBound &- i)
                multiplyTileRow(a + i &* rs + p0 &* cs, b + p0 &* n, c + i &* n, valid: valid, n: n, depth: p1 &- p0,
                                rs: rs, cs: cs, continuing: continuing)
                i &+= tileRows
            }
            p0 = p1
        } while p0 < k
    }

    /// One band of up to eight rows across all columns: 32-column tiles, then 16, 8 and single
    /// columns. A band of fewer than eight rows repeats its last row in the unused slots (same
    /// reads, results dropped), so the tiles never read or write past the band.
    @inline(__always)
    private static func multiplyTileRow(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                                        valid: Int, n: Int, depth: Int, rs: Int, cs: Int, continuing: Bool) {
        let last = valid &- 1
        @inline(__always) func aRow(_ r: Int) -> UnsafePointer<Float> { a + min(r, last) &* rs }
        @inline(__always) func cRow(_ r: Int) -> UnsafeMutablePointer<Float> { c + min(r, last) &* n }
        let a0 = aRow(0), a1 = aRow(1), a2 = aRow(2), a3 = aRow(3), a4 = aRow(4), a5 = aRow(5), a6 = aRow(6), a7 = aRow(7)
        let c0 = cRow(0), c1 = cRow(1), c2 = cRow(2), c3 = cRow(3), c4 = cRow(4), c5 = cRow(5), c6 = cRow(6), c7 = cRow(7)
        var j = 0
        while j &+ 32 <= n {
            tile32(a0, a1, a2, a3, a4, a5, a6, a7, b + j, n: n, cs: cs, depth: depth,
                   c0 + j, c1 + j, c2 + j, c3 + j, c4 + j, c5 + j, c6 + j, c7 + j,
                   valid: valid, continuing: continuing)
            j &+= 32
        }
        if j &+ 16 <= n {
            tile16(a0, a1, a2, a3, a4, a5, a6, a7, b + j, n: n, cs: cs, depth: depth,
                   c0 + j, c1 + j, c2 + j, c3 + j, c4 + j, c5 + j, c6 + j, c7 + j,
                   valid: valid, continuing: continuing)
            j &+= 16
        }
        while j &+ 8 <= n {
            for r in 0..<valid {
                var s = continuing ? UnsafeRawPointer(cRow(r) + j).loadUnaligned(as: SIMD8<Float>.self) : SIMD8<Float>()
                var pa = aRow(r), pb = UnsafeRawPointer(b + j)
                let step = n &* 4
                for _ in 0..<depth {
                    s += SIMD8<Float>(repeating: pa.pointee) * pb.loadUnaligned(as: SIMD8<Float>.self)
                    pa += cs; pb += step
                }
                UnsafeMutableRawPointer(cRow(r) + j).storeBytes(of: s, as: SIMD8<Float>.self)
            }
            j &+= 8
        }
        while j < n {
            for r in 0..<valid {
                var s: Float = continuing ? cRow(r)[j] : 0
                var pa = aRow(r), pb = b + j
                for _ in 0..<depth {
                    s += pa.pointee * pb.pointee
                    pa += cs; pb += n
                }
                cRow(r)[j] = s
            }
            j &+= 1
        }
    }

    /// Eight rows × 32 columns: `c[r, 0..<32] (= or +=) Σ_p a_r[p·cs] · b[p·n + 0..<32]`, p ascending.
    @inline(__always)
    private static func tile32(_ a0: UnsafePointer<Float>, _ a1: UnsafePointer<Float>, _ a2: UnsafePointer<Float>, _ a3: UnsafePointer<Float>,
                               _ a4: UnsafePointer<Float>, _ a5: UnsafePointer<Float>, _ a6: UnsafePointer<Float>, _ a7: UnsafePointer<Float>,
                               _ b: UnsafePointer<Float>, n: Int, cs: Int, depth: Int,
                               _ c0: UnsafeMutablePointer<Float>, _ c1: UnsafeMutablePointer<Float>, _ c2: UnsafeMutablePointer<Float>,
                               _ c3: UnsafeMutablePointer<Float>, _ c4: UnsafeMutablePointer<Float>, _ c5: UnsafeMutablePointer<Float>,
                               _ c6: UnsafeMutablePointer<Float>, _ c7: UnsafeMutablePointer<Float>, valid: Int, continuing: Bool) {
        var s00 = load(c0, continuing), s01 = load(c0 + 16, continuing)
        var s10 = load(c1, continuing), s11 = load(c1 + 16, continuing)
        var s20 = load(c2, continuing), s21 = load(c2 + 16, continuing)
        var s30 = load(c3, continuing), s31 = load(c3 + 16, continuing)
        var s40 = load(c4, continuing), s41 = load(c4 + 16, continuing)
        var s50 = load(c5, continuing), s51 = load(c5 + 16, continuing)
        var s60 = load(c6, continuing), s61 = load(c6 + 16, continuing)
        var s70 = load(c7, continuing), s71 = load(c7 + 16, continuing)
        var pb = UnsafeRawPointer(b)
        let bStep = n &* 4
        var offset = 0
        for _ in 0..<depth {
            let b0 = pb.loadUnaligned(as: SIMD16<Float>.self), b1 = pb.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self)
            var x = SIMD16<Float>(repeating: a0[offset])
            s00 += x * b0; s01 += x * b1
            x = SIMD16<Float>(repeating: a1[offset])
            s10 += x * b0; s11 += x * b1
            x = SIMD16<Float>(repeating: a2[offset])
            s20 += x * b0; s21 += x * b1
            x = SIMD16<Float>(repeating: a3[offset])
            s30 += x * b0; s31 += x * b1
            x = SIMD16<Float>(repeating: a4[offset])
            s40 += x * b0; s41 += x * b1
            x = SIMD16<Float>(repeating: a5[offset])
            s50 += x * b0; s51 += x * b1
            x = SIMD16<Float>(repeating: a6[offset])
            s60 += x * b0; s61 += x * b1
            x = SIMD16<Float>(repeating: a7[offset])
            s70 += x * b0; s71 += x * b1
            offset &+= cs; pb += bStep
        }
        // Rows past `valid` repeated the last row: their sums are dropped, never stored.
        if valid > 7 { store(s70, c7); store(s71, c7 + 16) }
        if valid > 6 { store(s60, c6); store(s61, c6 + 16) }
        if valid > 5 { store(s50, c5); store(s51, c5 + 16) }
        if valid > 4 { store(s40, c4); store(s41, c4 + 16) }
        if valid > 3 { store(s30, c3); store(s31, c3 + 16) }
        if valid > 2 { store(s20, c2); store(s21, c2 + 16) }
        if valid > 1 { store(s10, c1); store(s11, c1 + 16) }
        store(s00, c0); store(s01, c0 + 16)
    }

    /// Eight rows × 16 columns, as `tile32`.
    @inline(__always)
    private static func tile16(_ a0: UnsafePointer<Float>, _ a1: UnsafePointer<Float>, _ a2: UnsafePointer<Float>, _ a3: UnsafePointer<Float>,
                               _ a4: UnsafePointer<Float>, _ a5: UnsafePointer<Float>, _ a6: UnsafePointer<Float>, _ a7: UnsafePointer<Float>,
                               _ b: UnsafePointer<Float>, n: Int, cs: Int, depth: Int,
                               _ c0: UnsafeMutablePointer<Float>, _ c1: UnsafeMutablePointer<Float>, _ c2: UnsafeMutablePointer<Float>,
                               _ c3: UnsafeMutablePointer<Float>, _ c4: UnsafeMutablePointer<Float>, _ c5: UnsafeMutablePointer<Float>,
                               _ c6: UnsafeMutablePointer<Float>, _ c7: UnsafeMutablePointer<Float>, valid: Int, continuing: Bool) {
        var s0 = load(c0, continuing), s1 = load(c1, continuing), s2 = load(c2, continuing), s3 = load(c3, continuing)
        var s4 = load(c4, continuing), s5 = load(c5, continuing), s6 = load(c6, continuing), s7 = load(c7, continuing)
        var pb = UnsafeRawPointer(b)
        let bStep = n &* 4
        var offset = 0
        for _ in 0..<depth {
            let b0 = pb.loadUnaligned(as: SIMD16<Float>.self)
            s0 += SIMD16<Float>(repeating: a0[offset]) * b0
            s1 += SIMD16<Float>(repeating: a1[offset]) * b0
            s2 += SIMD16<Float>(repeating: a2[offset]) * b0
            s3 += SIMD16<Float>(repeating: a3[offset]) * b0
            s4 += SIMD16<Float>(repeating: a4[offset]) * b0
            s5 += SIMD16<Float>(repeating: a5[offset]) * b0
            s6 += SIMD16<Float>(repeating: a6[offset]) * b0
            s7 += SIMD16<Float>(repeating: a7[offset]) * b0
            offset &+= cs; pb += bStep
        }
        if valid > 7 { store(s7, c7) }
        if valid > 6 { store(s6, c6) }
        if valid > 5 { store(s5, c5) }
        if valid > 4 { store(s4, c4) }
        if valid > 3 { store(s3, c3) }
        if valid > 2 { store(s2, c2) }
        if valid > 1 { store(s1, c1) }
        store(s0, c0)
    }

    /// `c[i, j] (= or +=) Σ_p a[i + p·cs] · b[p·n + j]` for n < 8: up to 128 rows at a time in
    /// eight 16-lane sums per column, then single rows.
    private static func narrowTransposed(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                                         rows: Range<Int>, n: Int, k: Int, accumulate: Bool, cs: Int) {
        var i = rows.lowerBound
        while i &+ 16 <= rows.upperBound {
            let blocks = min(8, (rows.upperBound &- i) / 16)
            for j in 0..<n {
                withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: 8) { sums in
                    for q in 0..<blocks {
                        var start = SIMD16<Float>()
                        if accumulate { for l in 0..<16 { start[l] = c[(i &+ q &* 16 &+ l) &* n &+ j] } }
                        sums[q] = start
                    }
                    if blocks == 8 {
                        var s0 = sums[0], s1 = sums[1], s2 = sums[2], s3 = sums[3], s4 = sums[4], s5 = sums[5], s6 = sums[6], s7 = sums[7]
                        var pa = UnsafeRawPointer(a + i), pb = b + j
                        let aStep = cs &* 4
                        for _ in 0..<k {
                            let x = SIMD16<Float>(repeating: pb.pointee)
                            s0 += pa.loadUnaligned(as: SIMD16<Float>.self) * x
                            s1 += pa.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self) * x
                            s2 += pa.loadUnaligned(fromByteOffset: 128, as: SIMD16<Float>.self) * x
                            s3 += pa.loadUnaligned(fromByteOffset: 192, as: SIMD16<Float>.self) * x
                            s4 += pa.loadUnaligned(fromByteOffset: 256, as: SIMD16<Float>.self) * x
                            s5 += pa.loadUnaligned(fromByteOffset: 320, as: SIMD16<Float>.self) * x
                            s6 += pa.loadUnaligned(fromByteOffset: 384, as: SIMD16<Float>.self) * x
                            s7 += pa.loadUnaligned(fromByteOffset: 448, as: SIMD16<Float>.self) * x
                            pa += aStep; pb += n
                        }
                        sums[0] = s0; sums[1] = s1; sums[2] = s2; sums[3] = s3; sums[4] = s4; sums[5] = s5; sums[6] = s6; sums[7] = s7
                    } else {
                        for q in 0..<blocks {
                            var s = sums[q]
                            var pa = UnsafeRawPointer(a + (i &+ q &* 16)), pb = b + j
                            let aStep = cs &* 4
                            for _ in 0..<k {
                                s += pa.loadUnaligned(as: SIMD16<Float>.self) * SIMD16<Float>(repeating: pb.pointee)
                                pa += aStep; pb += n
                            }
                            sums[q] = s
                        }
                    }
                    for q in 0..<blocks {
                        let s = sums[q]
                        for l in 0..<16 { c[(i &+ q &* 16 &+ l) &* n &+ j] = s[l] }
                    }
                }
            }
            i &+= blocks &* 16
        }
        while i < rows.upperBound {
            for j in 0..<n {
                var s: Float = accumulate ? c[i &* n &+ j] : 0
                var pa = a + i, pb = b + j
                for _ in 0..<k {
                    s += pa.pointee * pb.pointee
                    pa += cs; pb += n
                }
                c[i &* n &+ j] = s
            }
            i &+= 1
        }
    }

    @inline(__always)
    private static func load(_ c: UnsafeMutablePointer<Float>, _ continuing: Bool) -> SIMD16<Float> {
        continuing ? UnsafeRawPointer(c).loadUnaligned(as: SIMD16<Float>.self) : SIMD16<Float>()
    }

    @inline(__always)
    private static func store(_ value: SIMD16<Float>, _ c: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(c).storeBytes(of: value, as: SIMD16<Float>.self)
    }
}
