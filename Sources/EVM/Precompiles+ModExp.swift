import COpenSSL

/// MODEXP (EIP-198) with EIP-2565 pricing; the arithmetic is OpenSSL's BN_mod_exp.
enum ModExp {
    /// Reads a big-endian length field; nil when it exceeds what any gas limit can pay for.
    private static func length(_ input: [UInt8], _ at: Int) -> UInt64? {
        var v: UInt64 = 0
        for i in 0..<32 {
            let b = at + i < input.count ? input[at + i] : 0
            if i < 24 { if b != 0 { return nil } } else { v = v << 8 | UInt64(b) }
        }
        return v
    }

    private static func slice(_ input: [UInt8], _ start: UInt64, _ count: UInt64) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(count))
        if start < UInt64(input.count) {
            let n = min(Int(count), input.count - Int(start))
            for i in 0..<n { out[i] = input[Int(start) + i] }
        }
        return out
    }

    static func gas(_ input: [UInt8]) -> Int64 {
        let baseLength = length(input, 0), modLength = length(input, 64)
        // Zero base and modulus lengths cost the minimum whatever the exponent length.
        if baseLength == 0 && modLength == 0 { return 200 }
        guard let bl = baseLength, let el = length(input, 32), let ml = modLength,
              bl <= 1 << 32, el <= 1 << 32, ml <= 1 << 32 else { return Int64.max }
        let maxLength = max(bl, ml)
        let words = (maxLength + 7) / 8
        let complexity = words * words
        // Iteration count from the exponent's bit length (head = its first 32 bytes).
        let head = slice(input, 96 + bl, min(el, 32))
        var headBits = 0
        for (i, b) in head.enumerated() where b != 0 { headBits = (head.count - i) * 8 - b.leadingZeroBitCount; break }
        var iterations: UInt64
        if el <= 32 {
            iterations = headBits == 0 ? 0 : UInt64(headBits - 1)
        } else {
            iterations = 8 * (el - 32) + UInt64(max(headBits - 1, 0))
        }
        iterations = max(iterations, 1)
        let (product, overflow) = complexity.multipliedReportingOverflow(by: iterations)
        if overflow || product / 3 >= UInt64(Int64.max / 2) { return Int64.max }
        return max(200, Int64(product / 3))
    }

    static func run(_ input: [UInt8]) -> [UInt8]? {
        if length(input, 64) == 0 { return [] }
        guard let bl = length(input, 0), let el = length(input, 32), let ml = length(input, 64) else { return nil }
        if ml == 0 { return [] }
        let base = slice(input, 96, bl), exponent = slice(input, 96 + bl, el), modulus = slice(input, 96 + bl + el, ml)
        if modulus.allSatisfy({ $0 == 0 }) { return [UInt8](repeating: 0, count: Int(ml)) }
        guard let ctx = BN_CTX_new() else { return nil }
        defer { BN_CTX_free(ctx) }
        let b = BN_bin2bn(base, Int32(base.count), nil), e = BN_bin2bn(exponent, Int32(exponent.count), nil)
        let m = BN_bin2bn(modulus, Int32(modulus.count), nil), r = BN_new()
        defer { BN_free(b); BN_free(e); BN_free(m); BN_free(r) }
        guard BN_mod_exp(r, b, e, m, ctx) == 1 else { return nil }
        var out = [UInt8](repeating: 0, count: Int(ml))
        guard BN_bn2binpad(r, &out, Int32(ml)) >= 0 else { return nil }
        return out
    }
}
