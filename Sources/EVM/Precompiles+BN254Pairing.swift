import Primitives
import COpenSSL

/// The alt_bn128 pairing check (EIP-197, priced by EIP-1108): whether the product of the optimal
/// ate pairings e(P_i, Q_i) is one. Written for clarity over speed: G2 points stay affine over
/// Fp2 = Fp[i]/(i^2 + 1); Miller-loop line values go straight into Fp12 = Fp[w]/(w^12 - 18 w^6 + 82),
/// where w^6 = 9 + i and the twist maps (x, y) to (x w^2, y w^3).
enum BN254Pairing {
    static let p = try! UInt256(hex: BN254.primeHex)
    static let order = try! UInt256(hex: "30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001")
    static let ateLoopCount: UInt64 = 0x9d797039be763ba8  // 29793968203157093288 without its top bit (2^64)

    // MARK: Fp

    @inline(__always) static func add(_ a: UInt256, _ b: UInt256) -> UInt256 {
        let (s, o) = a.addingReportingOverflow(b)
        return (o || s >= p) ? s &- p : s
    }
    @inline(__always) static func sub(_ a: UInt256, _ b: UInt256) -> UInt256 { a >= b ? a &- b : (a &- b) &+ p }
    @inline(__always) static func mul(_ a: UInt256, _ b: UInt256) -> UInt256 { UInt256.mulMod(a, b, p) }
    @inline(__always) static func neg(_ a: UInt256) -> UInt256 { a.isZero ? a : p &- a }
    static func pow(_ a: UInt256, _ e: UInt256) -> UInt256 {
        var result = UInt256.one
        for i in stride(from: e.bitWidth - 1, through: 0, by: -1) {
            result = mul(result, result)
            if !(e.shiftedRight(by: UInt256(UInt64(i))) & .one).isZero { result = mul(result, a) }
        }
        return result
    }
    /// Inverse by the binary extended Euclidean algorithm (p is odd; zero maps to zero).
    static func inv(_ a: UInt256) -> UInt256 {
        if a.isZero { return .zero }
        var u = a, v = p, x1 = UInt256.one, x2 = UInt256.zero
        @inline(__always) func halve(_ x: UInt256) -> UInt256 { (x.l0 & 1 == 0) ? x >> 1 : (x &+ p) >> 1 }
        while u != .one && v != .one {
            while u.l0 & 1 == 0 { u = u >> 1; x1 = halve(x1) }
            while v.l0 & 1 == 0 { v = v >> 1; x2 = halve(x2) }
            if u >= v { u = u &- v; x1 = sub(x1, x2) } else { v = v &- u; x2 = sub(x2, x1) }
        }
        return u == .one ? x1 : x2
    }

    // MARK: Fp2

    struct Fp2: Equatable {
        var a: UInt256, b: UInt256  // a + b i
        static let zero = Fp2(a: .zero, b: .zero)
        static func + (x: Fp2, y: Fp2) -> Fp2 { Fp2(a: add(x.a, y.a), b: add(x.b, y.b)) }
        static func - (x: Fp2, y: Fp2) -> Fp2 { Fp2(a: sub(x.a, y.a), b: sub(x.b, y.b)) }
        static func * (x: Fp2, y: Fp2) -> Fp2 {
            Fp2(a: sub(mul(x.a, y.a), mul(x.b, y.b)), b: add(mul(x.a, y.b), mul(x.b, y.a)))
        }
        func scaled(_ k: UInt256) -> Fp2 { Fp2(a: mul(a, k), b: mul(b, k)) }
        var inverse: Fp2 {
            let d = inv(add(mul(a, a), mul(b, b)))
            return Fp2(a: mul(a, d), b: neg(mul(b, d)))
        }
        var conjugate: Fp2 { Fp2(a: a, b: neg(b)) }
        var negated: Fp2 { Fp2(a: neg(a), b: neg(b)) }
        var isZero: Bool { a.isZero && b.isZero }
        func pow(_ e: UInt256) -> Fp2 {
            var r = Fp2(a: .one, b: .zero)
            for i in stride(from: e.bitWidth - 1, through: 0, by: -1) {
                r = r * r
                if !(e.shiftedRight(by: UInt256(UInt64(i))) & .one).isZero { r = r * self }
            }
            return r
        }
    }

    static let xi = Fp2(a: 9, b: 1)
    /// The twist's constant: y^2 = x^3 + 3 / (9 + i).
    static let twistB = xi.inverse.scaled(3)
    static let frobeniusX = xi.pow((p &- 1).div(3))
    static let frobeniusY = xi.pow((p &- 1).div(2))

    /// An affine point on the twist; nil is infinity.
    typealias G2 = (x: Fp2, y: Fp2)?

    static func g2Add(_ r: G2, _ q: G2) -> G2 {
        guard let r else { return q }
        guard let q else { return r }
        let m: Fp2
        if r.x == q.x {
            if r.y != q.y || r.y.isZero { return nil }
            m = (r.x * r.x).scaled(3) * (r.y + r.y).inverse
        } else {
            m = (q.y - r.y) * (q.x - r.x).inverse
        }
        let x = m * m - r.x - q.x
        return (x, m * (r.x - x) - r.y)
    }

    static func g2Multiply(_ q: G2, _ k: UInt256) -> G2 {
        var result: G2 = nil
        for i in stride(from: k.bitWidth - 1, through: 0, by: -1) {
            result = g2Add(result, result)
            if !(k.shiftedRight(by: UInt256(UInt64(i))) & .one).isZero { result = g2Add(result, q) }
        }
        return result
    }

    // MARK: Fp12

    struct Fp12 {
        var c: [UInt256]
        static var one: Fp12 { var c = [UInt256](repeating: .zero, count: 12); c[0] = .one; return Fp12(c: c) }
        /// Schoolbook product with lazy reduction: 512-bit column sums, one division per column.
        static func * (x: Fp12, y: Fp12) -> Fp12 {
            var hi = [UInt256](repeating: .zero, count: 23), lo = [UInt256](repeating: .zero, count: 23)
            @inline(__always) func accumulate(_ k: Int, _ h: UInt256, _ l: UInt256) {
                let (s, o) = lo[k].addingReportingOverflow(l)
                lo[k] = s
                hi[k] = hi[k] &+ h &+ (o ? .one : .zero)
            }
            for i in 0..<12 where !x.c[i].isZero {
                for j in 0..<12 where !y.c[j].isZero {
                    let (h, l) = x.c[i].multipliedFullWidth(by: y.c[j])
                    accumulate(i + j, h, l)
                }
            }
            // w^12 = 18 w^6 - 82, folded from the top column down.
            for k in stride(from: 22, through: 12, by: -1) where !(hi[k].isZero && lo[k].isZero) {
                let r = UInt256.remainder(high: hi[k], low: lo[k], modulus: p)
                let (h18, l18) = r.multipliedFullWidth(by: 18)
                accumulate(k - 6, h18, l18)
                let (h82, l82) = (p &- r).multipliedFullWidth(by: 82)
                accumulate(k - 12, h82, l82)
            }
            var c = [UInt256](repeating: .zero, count: 12)
            for k in 0..<12 { c[k] = UInt256.remainder(high: hi[k], low: lo[k], modulus: p) }
            return Fp12(c: c)
        }
        var isOne: Bool { c[0] == .one && c[1...].allSatisfy { $0.isZero } }
    }

    /// The line through R and S (tangent when equal) evaluated at P = (px, py), in Fp12.
    static func line(_ r: (x: Fp2, y: Fp2), _ s: (x: Fp2, y: Fp2), _ px: UInt256, _ py: UInt256) -> Fp12 {
        var c = [UInt256](repeating: .zero, count: 12)
        let m: Fp2
        if r.x == s.x && r.y != s.y {
            // Vertical line: xP - x w^2.
            c[0] = px
            c[2] = neg(sub(r.x.a, mul(r.x.b, 9)))
            c[8] = neg(r.x.b)
            return Fp12(c: c)
        } else if r.x == s.x {
            m = (r.x * r.x).scaled(3) * (r.y + r.y).inverse
        } else {
            m = (s.y - r.y) * (s.x - r.x).inverse
        }
        // m w (xP - x w^2) - (yP - y w^3) = m xP w + (y - m x) w^3 - yP
        let z = r.y - m * r.x
        c[0] = neg(py)
        c[1] = mul(sub(m.a, mul(m.b, 9)), px)
        c[7] = mul(m.b, px)
        c[3] = sub(z.a, mul(z.b, 9))
        c[9] = z.b
        return Fp12(c: c)
    }

    static func millerLoop(_ q: (x: Fp2, y: Fp2), _ px: UInt256, _ py: UInt256) -> Fp12 {
        var r: G2 = q
        var f = Fp12.one
        for i in stride(from: 63, through: 0, by: -1) {
            guard let cur = r else { break }
            f = f * f * line(cur, cur, px, py)
            r = g2Add(r, r)
            if (ateLoopCount >> UInt64(i)) & 1 == 1, let cur2 = r {
                f = f * line(cur2, q, px, py)
                r = g2Add(r, q)
            }
        }
        let q1 = (x: q.x.conjugate * frobeniusX, y: q.y.conjugate * frobeniusY)
        let q2 = (x: q1.x.conjugate * frobeniusX, y: q1.y.conjugate * frobeniusY)
        let nq2 = (x: q2.x, y: q2.y.negated)
        if let cur = r { f = f * line(cur, q1, px, py) }
        r = g2Add(r, q1)
        if let cur = r { f = f * line(cur, nq2, px, py) }
        return f
    }

    /// Bits of (p^12 - 1) / n, most significant first.
    static let finalExponentBits: [Bool] = {
        let ctx = BN_CTX_new()!
        defer { BN_CTX_free(ctx) }
        let pb = p.bigEndianBytes, nb = order.bigEndianBytes
        let bp = BN_bin2bn(pb, 32, nil), bn = BN_bin2bn(nb, 32, nil), twelve = BN_new(), e = BN_new(), rem = BN_new()
        defer { BN_free(bp); BN_free(bn); BN_free(twelve); BN_free(e); BN_free(rem) }
        BN_set_word(twelve, 12)
        BN_exp(e, bp, twelve, ctx)
        BN_sub_word(e, 1)
        BN_div(e, rem, e, bn, ctx)
        let bits = BN_num_bits(e)
        return (0..<bits).reversed().map { BN_is_bit_set(e, $0) == 1 }
    }()

    static func finalExponentiation(_ f: Fp12) -> Fp12 {
        var r = Fp12.one
        for bit in finalExponentBits {
            r = r * r
            if bit { r = r * f }
        }
        return r
    }

    /// EIP-197 input: k pairs of (G1 x, y, G2 x_imaginary, x_real, y_imaginary, y_real).
    static func run(_ input: [UInt8]) -> [UInt8]? {
        guard input.count % 192 == 0 else { return nil }
        var f = Fp12.one
        var any = false
        for k in 0..<(input.count / 192) {
            let base = k * 192
            func word(_ i: Int) -> UInt256? { try? UInt256(bigEndian: input[base + 32 * i..<base + 32 * i + 32]) }
            guard let px = word(0), let py = word(1), let qxi = word(2), let qxr = word(3), let qyi = word(4), let qyr = word(5),
                  px < p, py < p, qxi < p, qxr < p, qyi < p, qyr < p else { return nil }
            let pInfinity = px.isZero && py.isZero
            if !pInfinity && mul(py, py) != add(mul(mul(px, px), px), 3) { return nil }
            let qx = Fp2(a: qxr, b: qxi), qy = Fp2(a: qyr, b: qyi)
            let qInfinity = qx.isZero && qy.isZero
            if !qInfinity {
                guard qy * qy == qx * qx * qx + twistB else { return nil }
                guard g2Multiply((qx, qy), order) == nil else { return nil }  // subgroup check
            }
            if pInfinity || qInfinity { continue }
            f = f * millerLoop((qx, qy), px, py)
            any = true
        }
        let ok = !any || finalExponentiation(f).isOne
        var out = [UInt8](repeating: 0, count: 32)
        out[31] = ok ? 1 : 0
        return out
    }
}
