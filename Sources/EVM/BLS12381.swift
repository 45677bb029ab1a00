import COpenSSL

/// BLS12-381 arithmetic for the EIP-4844 point evaluation precompile: a 6-limb Montgomery field,
/// G1 over Fp, G2 over Fp2 = Fp[u]/(u^2 + 1) (M-twist y^2 = x^3 + 4(1 + u)), and an optimal ate
/// pairing check with Miller-loop lines in Fp12 = Fp[w]/(w^12 - 2 w^6 + 2), where w^6 = 1 + u.
/// Written for clarity; one point evaluation costs tens of milliseconds.
enum BLS12381 {
    /// A field element in Montgomery form, limbs least significant first.
    struct Fp: Equatable {
        var l: [UInt64]

        static let modulus: [UInt64] = [0xb9feffffffffaaab, 0x1eabfffeb153ffff, 0x6730d2a0f6b0f624,
                                        0x64774b84f38512bf, 0x4b1ba7b6434bacd7, 0x1a0111ea397fe69a]
        static let nPrime: UInt64 = 0x89f3fffcfffcfffd
        static let r2 = Fp(l: limbs(hex: "11988fe592cae3aa9a793e85b519952d67eb88a9939d83c08de5476c4c95b6d50a76e6a609d104f1f4df1f341c341746"))
        static let zero = Fp(l: [0, 0, 0, 0, 0, 0])
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

        init(l: [UInt64]) { self.l = l }
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

        var canonical: [UInt64] { (self * Fp(l: [1, 0, 0, 0, 0, 0])).l }
        var isZero: Bool { l.allSatisfy { $0 == 0 } }

        static func less(_ a: [UInt64], _ b: [UInt64]) -> Bool {
            for i in stride(from: 5, through: 0, by: -1) where a[i] != b[i] { return a[i] < b[i] }
            return false
        }

        static func subtractModulus(_ a: inout [UInt64]) {
            var borrow = false
            for i in 0..<6 {
                let (d1, o1) = a[i].subtractingReportingOverflow(modulus[i])
                let (d2, o2) = d1.subtractingReportingOverflow(borrow ? 1 : 0)
                a[i] = d2; borrow = o1 || o2
            }
        }

        static func + (a: Fp, b: Fp) -> Fp {
            var r = [UInt64](repeating: 0, count: 6)
            var carry = false
            for i in 0..<6 {
                let (s1, o1) = a.l[i].addingReportingOverflow(b.l[i])
                let (s2, o2) = s1.addingReportingOverflow(carry ? 1 : 0)
                r[i] = s2; carry = o1 || o2
            }
            if carry || !less(r, modulus) { subtractModulus(&r) }
            return Fp(l: r)
        }

        var negated: Fp {
            if isZero { return self }
            var r = [UInt64](repeating: 0, count: 6)
            var borrow = false
            for i in 0..<6 {
                let (d1, o1) = Fp.modulus[i].subtractingReportingOverflow(l[i])
                let (d2, o2) = d1.subtractingReportingOverflow(borrow ? 1 : 0)
                r[i] = d2; borrow = o1 || o2
            }
            return Fp(l: r)
        }

        static func - (a: Fp, b: Fp) -> Fp { a + b.negated }

        /// Montgomery product (CIOS).
        static func * (a: Fp, b: Fp) -> Fp {
            var t = [UInt64](repeating: 0, count: 8)
            for i in 0..<6 {
                var c: UInt64 = 0
                for j in 0..<6 {
                    let (h, lo) = a.l[j].multipliedFullWidth(by: b.l[i])
                    let (s1, o1) = t[j].addingReportingOverflow(lo)
                    let (s2, o2) = s1.addingReportingOverflow(c)
                    t[j] = s2; c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                }
                let (s6, o6) = t[6].addingReportingOverflow(c)
                t[6] = s6; t[7] = o6 ? 1 : 0
                let m = t[0] &* nPrime
                let (h0, lo0) = m.multipliedFullWidth(by: modulus[0])
                let (_, oz) = t[0].addingReportingOverflow(lo0)
                c = h0 &+ (oz ? 1 : 0)
                for j in 1..<6 {
                    let (h, lo) = m.multipliedFullWidth(by: modulus[j])
                    let (s1, o1) = t[j].addingReportingOverflow(lo)
                    let (s2, o2) = s1.addingReportingOverflow(c)
                    t[j - 1] = s2; c = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                }
                let (s5, o5) = t[6].addingReportingOverflow(c)
                t[5] = s5; t[6] = t[7] &+ (o5 ? 1 : 0)
            }
            var r = Array(t[0..<6])
            if t[6] != 0 || !less(r, modulus) { subtractModulus(&r) }
            return Fp(l: r)
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
