import LedgerCrypto
import COpenSSL
import Primitives

/// Field operations shared by the affine curve arithmetic of BLS12-381 G1 (over Fp) and G2 (over Fp2).
protocol BLSField: Equatable {
    static func + (a: Self, b: Self) -> Self
    static func - (a: Self, b: Self) -> Self
    static func * (a: Self, b: Self) -> Self
    var inverse: Self { get }
    var negated: Self { get }
    var isZero: Bool { get }
}
extension BLS12381.Fp: BLSField {}
extension BLS12381.Fp2: BLSField {}

extension BLS12381 {
    /// Affine point addition (doubling when equal); nil is infinity.
    static func add<F: BLSField>(_ p: (x: F, y: F)?, _ q: (x: F, y: F)?) -> (x: F, y: F)? {
        guard let p else { return q }
        guard let q else { return p }
        let m: F
        if p.x == q.x {
            if p.y != q.y || p.y.isZero { return nil }
            let x2 = p.x * p.x
            m = (x2 + x2 + x2) * (p.y + p.y).inverse
        } else {
            m = (q.y - p.y) * (q.x - p.x).inverse
        }
        let x = m * m - p.x - q.x
        return (x, m * (p.x - x) - p.y)
    }

    /// k * P for a big-endian scalar, in Jacobian coordinates (one inversion at the end).
    static func multiply<F: BLSField>(_ p: (x: F, y: F)?, _ k: [UInt8]) -> (x: F, y: F)? {
        guard let p else { return nil }
        var acc: (x: F, y: F, z: F)? = nil
        let base = (x: p.x, y: p.y, z: one(like: p.x))
        for byte in k {
            for bit in stride(from: 7, through: 0, by: -1) {
                acc = double(acc)
                if (byte >> UInt8(bit)) & 1 == 1 { acc = addJacobian(acc, base) }
            }
        }
        guard let r = acc, !r.z.isZero else { return nil }
        let zi = r.z.inverse, zi2 = zi * zi
        return (r.x * zi2, r.y * zi2 * zi)
    }

    static func one<F: BLSField>(like x: F) -> F {
        if let f = Fp.one as? F { return f }
        return (Fp2(a: .one, b: .zero) as? F)!
    }

    /// Jacobian doubling on y^2 = x^3 + b (a = 0); nil is infinity.
    static func double<F: BLSField>(_ p: (x: F, y: F, z: F)?) -> (x: F, y: F, z: F)? {
        guard let p, !p.y.isZero, !p.z.isZero else { return nil }
        let a = p.x * p.x, b = p.y * p.y, c = b * b
        let t = (p.x + b) * (p.x + b) - a - c
        let d = t + t
        let e = a + a + a
        let x3 = e * e - d - d
        let c2 = c + c, c4 = c2 + c2, c8 = c4 + c4
        let y3 = e * (d - x3) - c8
        let yz = p.y * p.z
        return (x3, y3, yz + yz)
    }

    /// Jacobian addition (add-2007-bl); nil is infinity.
    static func addJacobian<F: BLSField>(_ p: (x: F, y: F, z: F)?, _ q: (x: F, y: F, z: F)) -> (x: F, y: F, z: F)? {
        guard let p, !p.z.isZero else { return q }
        let z1z1 = p.z * p.z, z2z2 = q.z * q.z
        let u1 = p.x * z2z2, u2 = q.x * z1z1
        let s1 = p.y * q.z * z2z2, s2 = q.y * p.z * z1z1
        let h = u2 - u1, rr = s2 - s1
        if h.isZero { return rr.isZero ? double(p) : nil }
        let h2 = h + h
        let i = h2 * h2, j = h * i
        let r = rr + rr
        let v = u1 * i
        let x3 = r * r - j - v - v
        let s1j = s1 * j
        let y3 = r * (v - x3) - s1j - s1j
        let zs = p.z + q.z
        return (x3, y3, (zs * zs - z1z1 - z2z2) * h)
    }

    /// The group order r, big-endian.
    static let order: [UInt8] = (try? Hex.decode("73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001")) ?? []

    static let g1 = (x: Fp(hex: "17f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb"),
                     y: Fp(hex: "08b3f481e3aaa0f1a09e30ed741d8ae4fcf5e095d5d00af600db18cb2c04b3edd03cc744a2888ae40caa232946c5e7e1"))
    static let g2 = (
        x: Fp2(a: Fp(hex: "024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8"),
               b: Fp(hex: "13e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e")),
        y: Fp2(a: Fp(hex: "0ce5d527727d6e118cc9cdc6da2e351aadfd9baa8cbdd3a76d429a695160d12c923ac9cc3baca289e193548608b82801"),
               b: Fp(hex: "0606c4a02ea734cc32acd2b02bc28b99cb3e287e85a763af267492ab572e99ab3f370d275cec1da1aaa9075ff05f79be")))
    /// [tau]G2 of the EIP-4844 KZG ceremony (g2_monomial[1] of the trusted setup), uncompressed.
    static let tauG2 = (
        x: Fp2(a: Fp(hex: "185cbfee53492714734429b7b38608e23926c911cceceac9a36851477ba4c60b087041de621000edc98edada20c1def2"),
               b: Fp(hex: "15bfd7dd8cdeb128843bc287230af38926187075cbfbefa81009a2ce615ac53d2914e5870cb452d2afaaab24f3499f72")),
        y: Fp2(a: Fp(hex: "014353bdb96b626dd7d5ee8599d1fca2131569490e28de18e82451a496a9c9794ce26d105941f383ee689bfbbb832a99"),
               b: Fp(hex: "1666c54b0a32529503432fcae0181b4bef79de09fc63671fda5ed1ba9bfa07899495346f3d7ac9cd23048ef30d0a154f")))

    /// Decompresses a 48-byte G1 point (ZCash flags) and checks curve and subgroup membership.
    /// Returns .some(nil) for the point at infinity, nil when invalid.
    static func decompressG1(_ b: ArraySlice<UInt8>) -> (x: Fp, y: Fp)?? {
        let bytes = Array(b)
        guard bytes.count == 48, bytes[0] & 0x80 != 0 else { return nil }
        let infinity = bytes[0] & 0x40 != 0, sign = bytes[0] & 0x20 != 0
        var xb = bytes
        xb[0] &= 0x1f
        if infinity {
            guard !sign, xb.allSatisfy({ $0 == 0 }) else { return nil }
            return .some(nil)
        }
        guard let x = Fp(bytes: xb[...]) else { return nil }
        guard var y = (x * x * x + Fp(canonical: [4, 0, 0, 0, 0, 0])).squareRoot else { return nil }
        // The sign flag marks the lexicographically larger root (y > (p - 1) / 2).
        let yc = y.canonical, nc = y.negated.canonical
        if Fp.less(nc, yc) != sign { y = y.negated }
        guard multiply((x, y), order) == nil else { return nil }
        return .some((x, y))
    }

    // MARK: Pairing

    struct Fp12 {
        var c: [Fp]
        static var one: Fp12 { var c = [Fp](repeating: .zero, count: 12); c[0] = .one; return Fp12(c: c) }
        static func * (x: Fp12, y: Fp12) -> Fp12 {
            var t = [Fp](repeating: .zero, count: 23)
            for i in 0..<12 where !x.c[i].isZero {
                for j in 0..<12 where !y.c[j].isZero { t[i + j] = t[i + j] + x.c[i] * y.c[j] }
            }
            // w^12 = 2 w^6 - 2
            for k in stride(from: 22, through: 12, by: -1) where !t[k].isZero {
                let twice = t[k] + t[k]
                t[k - 6] = t[k - 6] + twice
                t[k - 12] = t[k - 12] - twice
            }
            return Fp12(c: Array(t[0..<12]))
        }
        var isOne: Bool { c[0] == .one && c[1...].allSatisfy { $0.isZero } }
        /// f^(p^6): w^(p^6) = -w because w^6 = 1 + u and (1 + u)^((p^6 - 1)/6) = -1.
        var conjugate: Fp12 { Fp12(c: c.enumerated().map { $0.offset % 2 == 1 ? $0.element.negated : $0.element }) }
        static func == (a: Fp12, b: Fp12) -> Bool { a.c == b.c }
    }

    /// The line through R and S on the twist, evaluated at P and scaled by w^6 (an Fp2 constant
    /// that the final exponentiation removes). embed(a + b u) = (a - b) + b w^6.
    static func line(_ r: (x: Fp2, y: Fp2), _ s: (x: Fp2, y: Fp2), _ p: (x: Fp, y: Fp)) -> Fp12 {
        var c = [Fp](repeating: .zero, count: 12)
        if r.x == s.x && r.y != s.y {
            c[6] = p.x
            c[4] = (r.x.a - r.x.b).negated
            c[10] = r.x.b.negated
            return Fp12(c: c)
        }
        let m: Fp2
        if r.x == s.x {
            let x2 = r.x * r.x
            m = (x2 + x2 + x2) * (r.y + r.y).inverse
        } else {
            m = (s.y - r.y) * (s.x - r.x).inverse
        }
        let z = r.y - m * r.x
        c[5] = (m.a - m.b) * p.x
        c[11] = m.b * p.x
        c[3] = z.a - z.b
        c[9] = z.b
        c[6] = p.y.negated
        return Fp12(c: c)
    }

    /// |x| for BLS12-381 (x = -0xd201000000010000); the sign only inverts the product.
    static let loopParameter: UInt64 = 0xd201_0000_0001_0000

    static func millerLoop(_ p: (x: Fp, y: Fp), _ q: (x: Fp2, y: Fp2)) -> Fp12 {
        var r: (x: Fp2, y: Fp2)? = q
        var f = Fp12.one
        for i in stride(from: 62, through: 0, by: -1) {
            guard let cur = r else { break }
            f = f * f * line(cur, cur, p)
            r = add(r, r)
            if (loopParameter >> UInt64(i)) & 1 == 1, let cur2 = r {
                f = f * line(cur2, q, p)
                r = add(r, q)
            }
        }
        return f
    }

    /// Bits of e' = (p^12 - 1) / (r (p^6 - 1)), most significant first: f^((p^12-1)/r) is one
    /// exactly when A = f^e' satisfies A^(p^6 - 1) = 1, that is conj(A) == A.
    static let finalExponentBits: [Bool] = {
        guard let ctx = BN_CTX_new() else { return [] }
        defer { BN_CTX_free(ctx) }
        let pBytes = (try? Hex.decode("1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab")) ?? []
        let bp = BN_bin2bn(pBytes, Int32(pBytes.count), nil), br = BN_bin2bn(order, Int32(order.count), nil)
        let six = BN_new(), p6 = BN_new(), e = BN_new(), rem = BN_new()
        defer { BN_free(bp); BN_free(br); BN_free(six); BN_free(p6); BN_free(e); BN_free(rem) }
        BN_set_word(six, 6)
        BN_exp(p6, bp, six, ctx)
        BN_mul(e, p6, p6, ctx)
        BN_sub_word(e, 1)
        BN_div(e, rem, e, br, ctx)
        BN_sub_word(p6, 1)
        BN_div(e, rem, e, p6, ctx)
        return (0..<BN_num_bits(e)).reversed().map { BN_is_bit_set(e, $0) == 1 }
    }()

    static func partialFinalExponentiation(_ f: Fp12) -> Fp12 {
        var r = Fp12.one
        for bit in finalExponentBits {
            r = r * r
            if bit { r = r * f }
        }
        return r
    }

    /// Whether the product of e(P_i, Q_i) is one; pairs with infinity contribute one.
    static func pairingCheck(_ pairs: [((x: Fp, y: Fp)?, (x: Fp2, y: Fp2)?)]) -> Bool {
        var f = Fp12.one
        var any = false
        for (p, q) in pairs {
            guard let p, let q else { continue }
            f = f * millerLoop(p, q)
            any = true
        }
        if !any { return true }
        let a = partialFinalExponentiation(f)
        return a.conjugate == a
    }
}

/// POINT_EVALUATION (EIP-4844): checks that a KZG proof opens a blob commitment at z to y.
enum PointEvaluation {
    static let blsModulus = (try? UInt256(hex: "73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001")) ?? .zero

    static func run(_ input: [UInt8]) -> [UInt8]? {
        guard input.count == 192 else { return nil }
        let commitment = Array(input[96..<144])
        // The versioned hash is 0x01 followed by SHA-256(commitment)[1...].
        guard let digest = try? SHA256.hash(commitment) else { return nil }
        guard input[0] == 0x01, Array(input[1..<32]) == Array(digest[1...]) else { return nil }
        guard let z = try? UInt256(bigEndian: input[32..<64]), let y = try? UInt256(bigEndian: input[64..<96]),
              z < blsModulus, y < blsModulus else { return nil }
        guard let c = BLS12381.decompressG1(input[96..<144]), let proof = BLS12381.decompressG1(input[144..<192]) else { return nil }
        // e(C - [y]G1, -G2) * e(proof, [tau]G2 - [z]G2) == 1
        let yG1 = BLS12381.multiply(BLS12381.g1, y.bigEndianBytes)
        let p1 = BLS12381.add(c, yG1.map { ($0.x, $0.y.negated) })
        let negG2 = (x: BLS12381.g2.x, y: BLS12381.g2.y.negated)
        let zG2 = BLS12381.multiply(BLS12381.g2, z.bigEndianBytes)
        let q2 = BLS12381.add(BLS12381.tauG2, zG2.map { ($0.x, $0.y.negated) })
        guard BLS12381.pairingCheck([(p1, negG2), (proof, q2)]) else { return nil }
        var out = [UInt8](repeating: 0, count: 64)
        out[30] = 0x10  // FIELD_ELEMENTS_PER_BLOB = 4096
        out.replaceSubrange(32..<64, with: blsModulus.bigEndianBytes)
        return out
    }
}
