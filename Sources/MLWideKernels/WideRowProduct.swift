/// The AVX2 form of the ML engine's product for fewer rows than a register tile (a single
/// window's recurrent step is one row): each row of `c` is kept in eight 8-lane accumulators
/// per 64 columns while `p` runs, so no tile computes padding rows. Same arithmetic as the tile
/// kernels: every element is the sum over p ascending of `a[i,p] * b[p,j]`, multiply then add.
public enum WideRowProduct {
    /// Rows `rows` of `c[m×n] (= or +=) a[m×k] · b[k×n]`, `a[i,p]` at `a[i·rs + p·cs]`.
    public static func multiply(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                                rows: Range<Int>, n: Int, k: Int, accumulate: Bool, aRowStride rs: Int, aColumnStride cs: Int) {
        for i in rows {
            let aRow = a + i &* rs, cRow = c + i &* n
            var j = 0
            while j &+ 64 <= n {
                let out = cRow + j
                var s0 = load(out, accumulate), s1 = load(out + 8, accumulate), s2 = load(out + 16, accumulate)
                var s3 = load(out + 24, accumulate), s4 = load(out + 32, accumulate), s5 = load(out + 40, accumulate)
                var s6 = load(out + 48, accumulate), s7 = load(out + 56, accumulate)
                var pa = aRow, pb = UnsafeRawPointer(b + j)
                let step = n &* 4
                for _ in 0..<k {
                    let x = SIMD8<Float>(repeating: pa.pointee)
                    s0 += x * pb.loadUnaligned(as: SIMD8<Float>.self)
                    s1 += x * pb.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
                    s2 += x * pb.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self)
                    s3 += x * pb.loadUnaligned(fromByteOffset: 96, as: SIMD8<Float>.self)
                    s4 += x * pb.loadUnaligned(fromByteOffset: 128, as: SIMD8<Float>.self)
                    s5 += x * pb.loadUnaligned(fromByteOffset: 160, as: SIMD8<Float>.self)
                    s6 += x * pb.loadUnaligned(fromByteOffset: 192, as: SIMD8<Float>.self)
                    s7 += x * pb.loadUnaligned(fromByteOffset: 224, as: SIMD8<Float>.self)
                    pa += cs; pb += step
                }
                store(s0, out); store(s1, out + 8); store(s2, out + 16); store(s3, out + 24)
                store(s4, out + 32); store(s5, out + 40); store(s6, out + 48); store(s7, out + 56)
                j &+= 64
            }
            while j &+ 8 <= n {
                var s = load(cRow + j, accumulate)
                var pa = aRow, pb = b + j
                for _ in 0..<k {
                    s += SIMD8<Float>(repeating: pa.pointee) * UnsafeRawPointer(pb).loadUnaligned(as: SIMD8<Float>.self)
                    pa += cs; pb += n
                }
                store(s, cRow + j)
                j &+= 8
            }
            while j < n {
                var s: Float = accumulate ? cRow[j] : 0
                var pa = aRow, pb = b + j
                for _ in 0..<k {
                    s += pa.pointee * pb.pointee
                    pa += cs; pb += n
                }
                cRow[j] = s
                j &+= 1
            }
        }
    }

    @inline(__always)
    static func load(_ c: UnsafeMutablePointer<Float>, _ accumulate: Bool) -> SIMD8<Float> {
        accumulate ? UnsafeRawPointer(c).loadUnaligned(as: SIMD8<Float>.self) : SIMD8<Float>()
    }

    @inline(__always)
    static func store(_ value: SIMD8<Float>, _ c: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(c).storeBytes(of: value, as: SIMD8<Float>.self)
    }
}
