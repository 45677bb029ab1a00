import COpenSSL

/// BLS12-381 arithmetic for the EIP-4844 point evaluation precompile: a 6-limb Montgomery field,
/// G1 over Fp, G2 over Fp2 = Fp[u]/(u^2 + 1) (M-twist y^2 = x^3 + 4(1 + u)), and an optimal ate
/// pairing check with Miller-loop lines in Fp12 = Fp[w]/(w^12 - 2 w^6 + 2), where w^6 = 1 + u.
/// Written for clarity; one point evaluation costs tens of milliseconds.
enum BLS12381 {
    /// A field element in Montgomery form: six limbs, least significant first, inline (no heap).
    struct Fp: Equatable {
        typealias Limbs = (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
        var w: Limbs

        static func == (a: Fp, b: Fp) -> Bool {
            a.w.0 == b.w.0 && a.w.1 == b.w.1 && a.w.2 == b.w.2 && a.w.3 == b.w.3 && a.w.4 == b.w.4 && a.w.5 == b.w.5
        }

        static let modulus: [UInt64] = [0xb9feffffffffaaab, 0x1eabfffeb153ffff, 0x6730d2a0f6b0f624,
                                        0x64774b84f38512bf, 0x4b1ba7b6434bacd7, 0x1a0111ea397fe69a]
        static let m: Limbs = (0xb9feffffffffaaab, 0x1eabfffeb153ffff, 0x6730d2a0f6b0f624,
                               0x64774b84f38512bf, 0x4b1ba7b6434bacd7, 0x1a0111ea397fe69a)
        static let nPrime: UInt64 = 0x89f3fffcfffcfffd
        static let r2 = Fp(l: limbs(hex: "11988fe592cae3aa9a793e85b519952d67eb88a9939d83c08de5476c4c95b6d50a76e6a609d104f1f4df1f341c341746"))
        static let zero = Fp(w: (0, 0, 0, 0, 0, 0))
        static let one = Fp(canonical: [1, 0, 0, 0, 0, 0])

        static func limbs(hex: String) -> [UInt64] {
            let chars = Array(hex.utf8)
            var out = [UInt64](repeating: 0, count: 6)
            for i in 0..<6 {
                var v: UInt64 = 0
                for c in chars[(80 - 16 * i)..<(96 - 16 * i)] {
                    v = v << 4 | UInt64(c >= 97 ? c - 87 : c - 48)
                }
                out[i] = v
            }
            return out
        }

        init(w: Limbs) { self.w = w }
        init(l: [UInt64]) { w = (l[0], l[1], l[2], l[3], l[4], l[5]) }
        var l: [UInt64] { [w.0, w.1, w.2, w.3, w.4, w.5] }
        /// From a canonical (non-Montgomery) value below the modulus.
        init(canonical c: [UInt64]) { self = Fp(l: c) * Fp.r2 }
        init(hex: String) { self.init(canonical: Fp.limbs(hex: hex)) }

        /// From 48 big-endian bytes; nil when not below the modulus.
        init?(bytes: ArraySlice<UInt8>) {
            var c = [UInt64](repeating: 0, count: 6)
            let b = Array(bytes)
            for i in 0..<6 { for j in 0..<8 { c[i] |= UInt64(b[47 - 8 * i - j]) << (8 * UInt64(j)) } }
            guard Fp.less(c, Fp.modulus) else { return nil }
            self.init(canonical: c)
        }

        var canonical: [UInt64] { (self * Fp(w: (1, 0, 0, 0, 0, 0))).l }
        var isZero: Bool { (w.0 | w.1 | w.2 | w.3 | w.4 | w.5) == 0 }

        static func less(_ a: [UInt64], _ b: [UInt64]) -> Bool {
            for i in stride(from: 5, through: 0, by: -1) where a[i] != b[i] { return a[i] < b[i] }
            return false
        }

        /// a - m if a >= m (or if `carry`), in place over raw limbs.
        @inline(__always)
        static func reduceOnce(_ r: UnsafeMutablePointer<UInt64>, carry: Bool) {
            var ge = carry
            if !ge {
                ge = true
                withUnsafeBytes(of: m) { mr in
                    let mm = mr.bindMemory(to: UInt64.self)
                    for i in stride(from: 5, through: 0, by: -1) where r[i] != mm[i] { ge = r[i] > mm[i]; break }
                }
            }
            if !ge { return }
            withUnsafeBytes(of: m) { mr in
                let mm = mr.bindMemory(to: UInt64.self)
                var borrow: UInt64 = 0
                for i in 0..<6 {
                    let (d1, o1) = r[i].subtractingReportingOverflow(mm[i])
                    let (d2, o2) = d1.subtractingReportingOverflow(borrow)
                    r[i] = d2; borrow = (o1 || o2) ? 1 : 0
                }
            }
        }

        static func + (a: Fp, b: Fp) -> Fp {
            var r: Limbs = (0, 0, 0, 0, 0, 0)
            withUnsafeMutableBytes(of: &r) { rr in
                let rp = rr.baseAddress!.assumingMemoryBound(to: UInt64.self)
                withUnsafeBytes(of: a.w) { ar in withUnsafeBytes(of: b.w) { br in
                    let x = ar.bindMemory(to: UInt64.self), y = br.bindMemory(to: UInt64.self)
                    var carry: UInt64 = 0
                    for i in 0..<6 {
                        let (s1, o1) = x[i].addingReportingOverflow(y[i])
                        let (s2, o2) = s1.addingReportingOverflow(carry)
                        rp[i] = s2; carry = (o1 || o2) ? 1 : 0
                    }
                    reduceOnce(rp, carry: carry == 1)
                } }
            }
            return Fp(w: r)
        }

        var negated: Fp {
            if isZero { return self }
            var r: Limbs = (0, 0, 0, 0, 0, 0)
            withUnsafeMutableBytes(of: &r) { rr in
                let rp = rr.baseAddress!.assumingMemoryBound(to: UInt64.self)
                withUnsafeBytes(of: w) { ar in withUnsafeBytes(of: Fp.m) { mr in
                    let x = ar.bindMemory(to: UInt64.self), mm = mr.bindMemory(to: UInt64.self)
                    var borrow: UInt64 = 0
                    for i in 0..<6 {
                        let (d1, o1) = mm[i].subtractingReportingOverflow(x[i])
                        let (d2, o2) = d1.subtractingReportingOverflow(borrow)
                        rp[i] = d2; borrow = (o1 || o2) ? 1 : 0
                    }
                } }
            }
            return Fp(w: r)
        }

        static func - (a: Fp, b: Fp) -> Fp { a + b.negated }

        /// 64x64 -> 128-bit product through UInt128, which compiles to one instruction
        /// (UInt64.multipliedFullWidth is an out-of-line call in this toolchain).
        @inline(__always)
        static func wide(_ a: UInt64, _ b: UInt64) -> (UInt64, UInt64) {
            let p = UInt128(a) &* UInt128(b)
            return (UInt64(truncatingIfNeeded: p >> 64), UInt64(truncatingIfNeeded: p))
        }

        /// Montgomery product (CIOS), unrolled: no loops, no closures.
        static func * (a: Fp, b: Fp) -> Fp {
            let (a0, a1, a2, a3, a4, a5) = a.w
            let (m0, m1, m2, m3, m4, m5) = Fp.m
            var t0: UInt64 = 0, t1: UInt64 = 0, t2: UInt64 = 0, t3: UInt64 = 0, t4: UInt64 = 0, t5: UInt64 = 0, t6: UInt64 = 0, t7: UInt64 = 0
            var c: UInt64 = 0, h: UInt64 = 0, lo: UInt64 = 0, o1 = false, o2 = false, k: UInt64 = 0
            do { let y = b.w.0; c = 0
                (h, lo) = wide(a0, y); (t0, o1) = t0.addingReportingOverflow(lo); (t0, o2) = t0.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(a1, y); (t1, o1) = t1.addingReportingOverflow(lo); (t1, o2) = t1.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(a2, y); (t2, o1) = t2.addingReportingOverflow(lo); (t2, o2) = t2.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(a3, y); (t3, o1) = t3.addingReportingOverflow(lo); (t3, o2) = t3.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(a4, y); (t4, o1) = t4.addingReportingOverflow(lo); (t4, o2) = t4.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(a5, y); (t5, o1) = t5.addingReportingOverflow(lo); (t5, o2) = t5.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (t6, o1) = t6.addingReportingOverflow(c); t7 = o1 ? 1 : 0
                k = t0 &* nPrime
                (h, lo) = wide(k, m0); (_, o1) = t0.addingReportingOverflow(lo); c = h &+ (o1 ? 1 : 0)
                (h, lo) = wide(k, m1); (t0, o1) = t1.addingReportingOverflow(lo); (t0, o2) = t0.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(k, m2); (t1, o1) = t2.addingReportingOverflow(lo); (t1, o2) = t1.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(k, m3); (t2, o1) = t3.addingReportingOverflow(lo); (t2, o2) = t2.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(k, m4); (t3, o1) = t4.addingReportingOverflow(lo); (t3, o2) = t3.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(k, m5); (t4, o1) = t5.addingReportingOverflow(lo); (t4, o2) = t4.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (t5, o1) = t6.addingReportingOverflow(c); t6 = t7 &+ (o1 ? 1 : 0)
            }
            do { let y = b.w.1; c = 0
                (h, lo) = wide(a0, y); (t0, o1) = t0.addingReportingOverflow(lo); (t0, o2) = t0.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(a1, y); (t1, o1) = t1.addingReportingOverflow(lo); (t1, o2) = t1.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(a2, y); (t2, o1) = t2.addingReportingOverflow(lo); (t2, o2) = t2.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(a3, y); (t3, o1) = t3.addingReportingOverflow(lo); (t3, o2) = t3.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(a4, y); (t4, o1) = t4.addingReportingOverflow(lo); (t4, o2) = t4.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(a5, y); (t5, o1) = t5.addingReportingOverflow(lo); (t5, o2) = t5.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (t6, o1) = t6.addingReportingOverflow(c); t7 = o1 ? 1 : 0
                k = t0 &* nPrime
                (h, lo) = wide(k, m0); (_, o1) = t0.addingReportingOverflow(lo); c = h &+ (o1 ? 1 : 0)
                (h, lo) = wide(k, m1); (t0, o1) = t1.addingReportingOverflow(lo); (t0, o2) = t0.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(k, m2); (t1, o1) = t2.addingReportingOverflow(lo); (t1, o2) = t1.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(k, m3); (t2, o1) = t3.addingReportingOverflow(lo); (t2, o2) = t2.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(k, m4); (t3, o1) = t4.addingReportingOverflow(lo); (t3, o2) = t3.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(k, m5); (t4, o1) = t5.addingReportingOverflow(lo); (t4, o2) = t4.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (t5, o1) = t6.addingReportingOverflow(c); t6 = t7 &+ (o1 ? 1 : 0)
            }
            do { let y = b.w.2; c = 0
                (h, lo) = wide(a0, y); (t0, o1) = t0.addingReportingOverflow(lo); (t0, o2) = t0.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(a1, y); (t1, o1) = t1.addingReportingOverflow(lo); (t1, o2) = t1.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(a2, y); (t2, o1) = t2.addingReportingOverflow(lo); (t2, o2) = t2.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(a3, y); (t3, o1) = t3.addingReportingOverflow(lo); (t3, o2) = t3.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(a4, y); (t4, o1) = t4.addingReportingOverflow(lo); (t4, o2) = t4.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(a5, y); (t5, o1) = t5.addingReportingOverflow(lo); (t5, o2) = t5.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (t6, o1) = t6.addingReportingOverflow(c); t7 = o1 ? 1 : 0
                k = t0 &* nPrime
                (h, lo) = wide(k, m0); (_, o1) = t0.addingReportingOverflow(lo); c = h &+ (o1 ? 1 : 0)
                (h, lo) = wide(k, m1); (t0, o1) = t1.addingReportingOverflow(lo); (t0, o2) = t0.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(k, m2); (t1, o1) = t2.addingReportingOverflow(lo); (t1, o2) = t1.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(k, m3); (t2, o1) = t3.addingReportingOverflow(lo); (t2, o2) = t2.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(k, m4); (t3, o1) = t4.addingReportingOverflow(lo); (t3, o2) = t3.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(k, m5); (t4, o1) = t5.addingReportingOverflow(lo); (t4, o2) = t4.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (t5, o1) = t6.addingReportingOverflow(c); t6 = t7 &+ (o1 ? 1 : 0)
            }
            do { let y = b.w.3; c = 0
                (h, lo) = wide(a0, y); (t0, o1) = t0.addingReportingOverflow(lo); (t0, o2) = t0.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(a1, y); (t1, o1) = t1.addingReportingOverflow(lo); (t1, o2) = t1.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(a2, y); (t2, o1) = t2.addingReportingOverflow(lo); (t2, o2) = t2.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(a3, y); (t3, o1) = t3.addingReportingOverflow(lo); (t3, o2) = t3.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(a4, y); (t4, o1) = t4.addingReportingOverflow(lo); (t4, o2) = t4.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(a5, y); (t5, o1) = t5.addingReportingOverflow(lo); (t5, o2) = t5.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (t6, o1) = t6.addingReportingOverflow(c); t7 = o1 ? 1 : 0
                k = t0 &* nPrime
                (h, lo) = wide(k, m0); (_, o1) = t0.addingReportingOverflow(lo); c = h &+ (o1 ? 1 : 0)
                (h, lo) = wide(k, m1); (t0, o1) = t1.addingReportingOverflow(lo); (t0, o2) = t0.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(k, m2); (t1, o1) = t2.addingReportingOverflow(lo); (t1, o2) = t1.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(k, m3); (t2, o1) = t3.addingReportingOverflow(lo); (t2, o2) = t2.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(k, m4); (t3, o1) = t4.addingReportingOverflow(lo); (t3, o2) = t3.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(k, m5); (t4, o1) = t5.addingReportingOverflow(lo); (t4, o2) = t4.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (t5, o1) = t6.addingReportingOverflow(c); t6 = t7 &+ (o1 ? 1 : 0)
            }
            do { let y = b.w.4; c = 0
                (h, lo) = wide(a0, y); (t0, o1) = t0.addingReportingOverflow(lo); (t0, o2) = t0.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(a1, y); (t1, o1) = t1.addingReportingOverflow(lo); (t1, o2) = t1.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(a2, y); (t2, o1) = t2.addingReportingOverflow(lo); (t2, o2) = t2.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(a3, y); (t3, o1) = t3.addingReportingOverflow(lo); (t3, o2) = t3.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(a4, y); (t4, o1) = t4.addingReportingOverflow(lo); (t4, o2) = t4.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(a5, y); (t5, o1) = t5.addingReportingOverflow(lo); (t5, o2) = t5.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (t6, o1) = t6.addingReportingOverflow(c); t7 = o1 ? 1 : 0
                k = t0 &* nPrime
                (h, lo) = wide(k, m0); (_, o1) = t0.addingReportingOverflow(lo); c = h &+ (o1 ? 1 : 0)
                (h, lo) = wide(k, m1); (t0, o1) = t1.addingReportingOverflow(lo); (t0, o2) = t0.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(k, m2); (t1, o1) = t2.addingReportingOverflow(lo); (t1, o2) = t1.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(k, m3); (t2, o1) = t3.addingReportingOverflow(lo); (t2, o2) = t2.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(k, m4); (t3, o1) = t4.addingReportingOverflow(lo); (t3, o2) = t3.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(k, m5); (t4, o1) = t5.addingReportingOverflow(lo); (t4, o2) = t4.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (t5, o1) = t6.addingReportingOverflow(c); t6 = t7 &+ (o1 ? 1 : 0)
            }
            do { let y = b.w.5; c = 0
                (h, lo) = wide(a0, y); (t0, o1) = t0.addingReportingOverflow(lo); (t0, o2) = t0.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(a1, y); (t1, o1) = t1.addingReportingOverflow(lo); (t1, o2) = t1.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(a2, y); (t2, o1) = t2.addingReportingOverflow(lo); (t2, o2) = t2.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(a3, y); (t3, o1) = t3.addingReportingOverflow(lo); (t3, o2) = t3.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(a4, y); (t4, o1) = t4.addingReportingOverflow(lo); (t4, o2) = t4.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(a5, y); (t5, o1) = t5.addingReportingOverflow(lo); (t5, o2) = t5.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (t6, o1) = t6.addingReportingOverflow(c); t7 = o1 ? 1 : 0
                k = t0 &* nPrime
                (h, lo) = wide(k, m0); (_, o1) = t0.addingReportingOverflow(lo); c = h &+ (o1 ? 1 : 0)
                (h, lo) = wide(k, m1); (t0, o1) = t1.addingReportingOverflow(lo); (t0, o2) = t0.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(k, m2); (t1, o1) = t2.addingReportingOverflow(lo); (t1, o2) = t1.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(k, m3); (t2, o1) = t3.addingReportingOverflow(lo); (t2, o2) = t2.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(k, m4); (t3, o1) = t4.addingReportingOverflow(lo); (t3, o2) = t3.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (h, lo) = wide(k, m5); (t4, o1) = t5.addingReportingOverflow(lo); (t4, o2) = t4.addingReportingOverflow(c); c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                (t5, o1) = t6.addingReportingOverflow(c); t6 = t7 &+ (o1 ? 1 : 0)
            }
            var r = Fp(w: (t0, t1, t2, t3, t4, t5))
            if t6 != 0 || !r.isBelowModulus { r.subtractModulus() }
            return r
        }

        var isBelowModulus: Bool {
            let m = Fp.m
            if w.5 != m.5 { return w.5 < m.5 }
            if w.4 != m.4 { return w.4 < m.4 }
            if w.3 != m.3 { return w.3 < m.3 }
            if w.2 != m.2 { return w.2 < m.2 }
            if w.1 != m.1 { return w.1 < m.1 }
            return w.0 < m.0
        }

        mutating func subtractModulus() {
            let m = Fp.m
            var b = false, o1 = false, o2 = false
            (w.0, o1) = w.0.subtractingReportingOverflow(m.0); b = o1
            (w.1, o1) = w.1.subtractingReportingOverflow(m.1); (w.1, o2) = w.1.subtractingReportingOverflow(b ? 1 : 0); b = o1 || o2
            (w.2, o1) = w.2.subtractingReportingOverflow(m.2); (w.2, o2) = w.2.subtractingReportingOverflow(b ? 1 : 0); b = o1 || o2
            (w.3, o1) = w.3.subtractingReportingOverflow(m.3); (w.3, o2) = w.3.subtractingReportingOverflow(b ? 1 : 0); b = o1 || o2
            (w.4, o1) = w.4.subtractingReportingOverflow(m.4); (w.4, o2) = w.4.subtractingReportingOverflow(b ? 1 : 0); b = o1 || o2
            (w.5, o1) = w.5.subtractingReportingOverflow(m.5); (w.5, o2) = w.5.subtractingReportingOverflow(b ? 1 : 0)
        }


        func pow(_ e: [UInt64]) -> Fp {
            var r = Fp.one
            for i in stride(from: e.count * 64 - 1, through: 0, by: -1) {
                r = r * r
                if (e[i / 64] >> UInt64(i % 64)) & 1 == 1 { r = r * self }
            }
            return r
        }

        static let pMinus2: [UInt64] = { var m = modulus; m[0] -= 2; return m }()
        /// (p + 1) / 4, for square roots (p = 3 mod 4).
        static let sqrtExponent: [UInt64] = {
            var m = modulus
            m[0] += 1  // no carry: the low limb is not all ones
            var out = [UInt64](repeating: 0, count: 6)
            for i in 0..<6 { out[i] = (m[i] >> 2) | (i < 5 ? m[i + 1] << 62 : 0) }
            return out
        }()
        var inverse: Fp { pow(Fp.pMinus2) }
        var squareRoot: Fp? { let s = pow(Fp.sqrtExponent); return s * s == self ? s : nil }
    }

    struct Fp2: Equatable {
        var a: Fp, b: Fp  // a + b u
        static let zero = Fp2(a: .zero, b: .zero)
        static func + (x: Fp2, y: Fp2) -> Fp2 { Fp2(a: x.a + y.a, b: x.b + y.b) }
        static func - (x: Fp2, y: Fp2) -> Fp2 { Fp2(a: x.a - y.a, b: x.b - y.b) }
        static func * (x: Fp2, y: Fp2) -> Fp2 { Fp2(a: x.a * y.a - x.b * y.b, b: x.a * y.b + x.b * y.a) }
        var negated: Fp2 { Fp2(a: a.negated, b: b.negated) }
        var inverse: Fp2 { let d = (a * a + b * b).inverse; return Fp2(a: a * d, b: (b * d).negated) }
        var isZero: Bool { a.isZero && b.isZero }
    }
}
