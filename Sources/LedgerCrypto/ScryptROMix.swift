/// scrypt's memory-hard core (RFC 7914, sections 3-5: Salsa20/8, BlockMix, ROMix) in Swift.
///
/// OpenSSL enforces RFC 7914's bound N < 2^(128·r/8), so it refuses parameters such as
/// n = 2^18 with r = 1 that real keystore files use (the ethereum-tests KeyStoreTests vector
/// `test2` among them). `Scrypt.derive` runs this implementation only for such parameters;
/// the outer PBKDF2-HMAC-SHA256 steps still go through OpenSSL.
enum ScryptROMix {
    /// scrypt(P, S, N, r, p, dkLen) = PBKDF2(P, ROMix each 128·r block of PBKDF2(P, S, 1, p·128·r), 1, dkLen).
    static func derive(password: [UInt8], salt: [UInt8], n: Int, r: Int, p: Int, length: Int) throws(OpenSSLError) -> [UInt8] {
        let blockBytes = 128 * r
        var b = try PBKDF2.sha256(password: password, salt: salt, iterations: 1, length: p * blockBytes)
        let words = blockBytes / 4
        let v = UnsafeMutablePointer<UInt32>.allocate(capacity: n * words)
        let x = UnsafeMutablePointer<UInt32>.allocate(capacity: words)
        let y = UnsafeMutablePointer<UInt32>.allocate(capacity: words)
        defer { v.deallocate(); x.deallocate(); y.deallocate() }
        b.withUnsafeMutableBytes { raw in
            for i in 0..<p {
                let block = raw.baseAddress! + i * blockBytes
                for w in 0..<words { x[w] = UInt32(littleEndian: block.loadUnaligned(fromByteOffset: w * 4, as: UInt32.self)) }
                romix(x, scratch: y, table: v, n: n, r: r)
                for w in 0..<words { block.storeBytes(of: x[w].littleEndian, toByteOffset: w * 4, as: UInt32.self) }
            }
        }
        return try PBKDF2.sha256(password: password, salt: b, iterations: 1, length: length)
    }

    /// ROMix (RFC 7914, section 5) in place on the 32·r words at `x`.
    static func romix(_ x: UnsafeMutablePointer<UInt32>, scratch y: UnsafeMutablePointer<UInt32>,
                      table v: UnsafeMutablePointer<UInt32>, n: Int, r: Int) {
        let words = 32 * r
        for i in 0..<n {
            (v + i * words).update(from: x, count: words)
            blockMix(x, into: y, r: r)
            x.update(from: y, count: words)
        }
        let mask = UInt64(n - 1)
        for _ in 0..<n {
            // Integerify: the first 64 bits (little-endian) of the last 64-byte sub-block, mod n.
            let last = x + (2 * r - 1) * 16
            let j = Int((UInt64(last[1]) << 32 | UInt64(last[0])) & mask)
            let row = v + j * words
            for w in 0..<words { x[w] ^= row[w] }
            blockMix(x, into: y, r: r)
            x.update(from: y, count: words)
        }
    }

    /// BlockMix with Salsa20/8 (RFC 7914, section 4): 2r 64-byte sub-blocks in, with the outputs
    /// of even steps first and odd steps second.
    static func blockMix(_ b: UnsafePointer<UInt32>, into out: UnsafeMutablePointer<UInt32>, r: Int) {
        var t: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32,
                UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &t) { raw in
            let x = raw.baseAddress!.assumingMemoryBound(to: UInt32.self)
            x.update(from: b + (2 * r - 1) * 16, count: 16)
            for i in 0..<(2 * r) {
                let sub = b + i * 16
                for w in 0..<16 { x[w] ^= sub[w] }
                salsa20_8(x)
                let destination = out + ((i & 1 == 0) ? (i / 2) : (r + i / 2)) * 16
                destination.update(from: x, count: 16)
            }
        }
    }

    @inline(__always)
    private static func rotl(_ v: UInt32, _ n: UInt32) -> UInt32 { (v << n) | (v >> (32 - n)) }

    /// Salsa20/8 core (RFC 7914, section 3) in place: 4 double rounds, then add the input.
    static func salsa20_8(_ b: UnsafeMutablePointer<UInt32>) {
        var x0 = b[0], x1 = b[1], x2 = b[2], x3 = b[3], x4 = b[4], x5 = b[5], x6 = b[6], x7 = b[7]
        var x8 = b[8], x9 = b[9], x10 = b[10], x11 = b[11], x12 = b[12], x13 = b[13], x14 = b[14], x15 = b[15]
        for _ in 0..<4 {
            // Columns.
            x4 ^= rotl(x0 &+ x12, 7); x8 ^= rotl(x4 &+ x0, 9); x12 ^= rotl(x8 &+ x4, 13); x0 ^= rotl(x12 &+ x8, 18)
            x9 ^= rotl(x5 &+ x1, 7); x13 ^= rotl(x9 &+ x5, 9); x1 ^= rotl(x13 &+ x9, 13); x5 ^= rotl(x1 &+ x13, 18)
            x14 ^= rotl(x10 &+ x6, 7); x2 ^= rotl(x14 &+ x10, 9); x6 ^= rotl(x2 &+ x14, 13); x10 ^= rotl(x6 &+ x2, 18)
            x3 ^= rotl(x15 &+ x11, 7); x7 ^= rotl(x3 &+ x15, 9); x11 ^= rotl(x7 &+ x3, 13); x15 ^= rotl(x11 &+ x7, 18)
            // Rows.
            x1 ^= rotl(x0 &+ x3, 7); x2 ^= rotl(x1 &+ x0, 9); x3 ^= rotl(x2 &+ x1, 13); x0 ^= rotl(x3 &+ x2, 18)
            x6 ^= rotl(x5 &+ x4, 7); x7 ^= rotl(x6 &+ x5, 9); x4 ^= rotl(x7 &+ x6, 13); x5 ^= rotl(x4 &+ x7, 18)
            x11 ^= rotl(x10 &+ x9, 7); x8 ^= rotl(x11 &+ x10, 9); x9 ^= rotl(x8 &+ x11, 13); x10 ^= rotl(x9 &+ x8, 18)
            x12 ^= rotl(x15 &+ x14, 7); x13 ^= rotl(x12 &+ x15, 9); x14 ^= rotl(x13 &+ x12, 13); x15 ^= rotl(x14 &+ x13, 18)
        }
        b[0] &+= x0; b[1] &+= x1; b[2] &+= x2; b[3] &+= x3; b[4] &+= x4; b[5] &+= x5; b[6] &+= x6; b[7] &+= x7
        b[8] &+= x8; b[9] &+= x9; b[10] &+= x10; b[11] &+= x11; b[12] &+= x12; b[13] &+= x13; b[14] &+= x14; b[15] &+= x15
    }
}
