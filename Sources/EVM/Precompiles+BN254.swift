import COpenSSL

/// alt_bn128 (BN254) point addition and scalar multiplication (EIP-196, priced by EIP-1108),
/// in affine coordinates over OpenSSL BIGNUM field arithmetic. Points are 64 bytes (x ‖ y),
/// (0, 0) is the point at infinity; coordinates must be below the field prime and on y² = x³ + 3.
enum BN254 {
    static let primeHex = "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47"

    /// Field arithmetic context: owns a BN_CTX and the prime; every value it returns is freed on `deinit`.
    final class Field {
        let ctx: OpaquePointer
        let p: OpaquePointer
        private var owned: [OpaquePointer] = []

        init?() {
            guard let c = BN_CTX_new() else { return nil }
            ctx = c
            var pp: OpaquePointer? = nil
            BN_hex2bn(&pp, BN254.primeHex)
            guard let prime = pp else { BN_CTX_free(c); return nil }
            p = prime
        }

        deinit { for b in owned { BN_free(b) }; BN_free(p); BN_CTX_free(ctx) }

        func new() -> OpaquePointer { let b = BN_new()!; owned.append(b); return b }
        func from(_ bytes: ArraySlice<UInt8>) -> OpaquePointer {
            let b = new()
            _ = Array(bytes).withUnsafeBufferPointer { BN_bin2bn($0.baseAddress, Int32($0.count), b) }
            return b
        }
        func word(_ v: UInt) -> OpaquePointer { let b = new(); BN_set_word(b, v); return b }
        func add(_ a: OpaquePointer, _ b: OpaquePointer) -> OpaquePointer { let r = new(); BN_mod_add(r, a, b, p, ctx); return r }
        func sub(_ a: OpaquePointer, _ b: OpaquePointer) -> OpaquePointer { let r = new(); BN_mod_sub(r, a, b, p, ctx); return r }
        func mul(_ a: OpaquePointer, _ b: OpaquePointer) -> OpaquePointer { let r = new(); BN_mod_mul(r, a, b, p, ctx); return r }
        func inv(_ a: OpaquePointer) -> OpaquePointer { let r = new(); BN_mod_inverse(r, a, p, ctx); return r }
        func eq(_ a: OpaquePointer, _ b: OpaquePointer) -> Bool { BN_cmp(a, b) == 0 }
        func isZero(_ a: OpaquePointer) -> Bool { BN_is_zero(a) == 1 }
        func bytes(_ a: OpaquePointer) -> [UInt8] {
            var out = [UInt8](repeating: 0, count: 32)
            _ = BN_bn2binpad(a, &out, 32)
            return out
        }
    }

    /// An affine point; nil coordinates mean infinity.
    struct Point { var x: OpaquePointer?; var y: OpaquePointer? }

    static func padded(_ input: [UInt8], _ count: Int) -> [UInt8] {
        input.count >= count ? Array(input[0..<count]) : input + [UInt8](repeating: 0, count: count - input.count)
    }

    /// Parses and validates a point; nil when invalid.
    static func point(_ f: Field, _ b: ArraySlice<UInt8>) -> Point? {
        let x = f.from(b[b.startIndex..<b.startIndex + 32]), y = f.from(b[b.startIndex + 32..<b.startIndex + 64])
        if BN_cmp(x, f.p) >= 0 || BN_cmp(y, f.p) >= 0 { return nil }
        if f.isZero(x) && f.isZero(y) { return Point(x: nil, y: nil) }
        let lhs = f.mul(y, y)
        let rhs = f.add(f.mul(f.mul(x, x), x), f.word(3))
        guard f.eq(lhs, rhs) else { return nil }
        return Point(x: x, y: y)
    }

    static func add(_ f: Field, _ a: Point, _ b: Point) -> Point {
        guard let x1 = a.x, let y1 = a.y else { return b }
        guard let x2 = b.x, let y2 = b.y else { return a }
        let lambda: OpaquePointer
        if f.eq(x1, x2) {
            if !f.eq(y1, y2) || f.isZero(y1) { return Point(x: nil, y: nil) }
            lambda = f.mul(f.mul(f.word(3), f.mul(x1, x1)), f.inv(f.add(y1, y1)))
        } else {
            lambda = f.mul(f.sub(y2, y1), f.inv(f.sub(x2, x1)))
        }
        let x3 = f.sub(f.sub(f.mul(lambda, lambda), x1), x2)
        let y3 = f.sub(f.mul(lambda, f.sub(x1, x3)), y1)
        return Point(x: x3, y: y3)
    }

    static func encode(_ f: Field, _ p: Point) -> [UInt8] {
        guard let x = p.x, let y = p.y else { return [UInt8](repeating: 0, count: 64) }
        return f.bytes(x) + f.bytes(y)
    }

    static func add(_ input: [UInt8]) -> [UInt8]? {
        guard let f = Field() else { return nil }
        let data = padded(input, 128)
        guard let a = point(f, data[0..<64]), let b = point(f, data[64..<128]) else { return nil }
        return encode(f, add(f, a, b))
    }

    static func mul(_ input: [UInt8]) -> [UInt8]? {
        guard let f = Field() else { return nil }
        let data = padded(input, 96)
        guard let p = point(f, data[0..<64]) else { return nil }
        let scalar = Array(data[64..<96])
        var result = Point(x: nil, y: nil)
        for byte in scalar {
            for bit in stride(from: 7, through: 0, by: -1) {
                result = add(f, result, result)
                if (byte >> UInt8(bit)) & 1 == 1 { result = add(f, result, p) }
            }
        }
        return encode(f, result)
    }
}
