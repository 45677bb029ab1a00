/// Keccak-256 of four equally long messages at once, one message per 64-bit lane of a 256-bit
/// vector: each Keccak-f[1600] operation runs on the four states together. This target alone is
/// compiled for AVX-512 F + VL (Package.swift), whose vector rotate (`vprolq`) and three-input
/// logic (`vpternlogq`) keep the lanes in vectors; `LedgerCrypto.Keccak256.hashChunks` calls it only
/// after checking the CPU, and every result equals the scalar `Keccak256` (LedgerCryptoTests).
///
/// Why: a file's 64 KiB chunk leaves are independent hashes, and they are computed for every byte
/// uploaded and checked for every byte downloaded; four at a time they cost well under half as much.
public enum KeccakX4 {
    public typealias Lanes = SIMD4<UInt64>
    /// Bytes absorbed per permutation (1600 - 2·256 bits).
    public static let rate = 136

    /// Writes the four 32-byte digests, message 0 first, to `digests` (128 bytes).
    public static func hash(_ m0: UnsafeRawPointer, _ m1: UnsafeRawPointer, _ m2: UnsafeRawPointer, _ m3: UnsafeRawPointer,
                            length: Int, digests: UnsafeMutableRawPointer) {
        var state = State()
        let whole = length / rate
        for block in 0..<whole {
            let offset = block * rate
            state.absorb(m0 + offset, m1 + offset, m2 + offset, m3 + offset)
        }
        // The last, padded block of each message: its tail, 0x01, zeros, 0x80 (Keccak's padding,
        // not SHA-3's 0x06).
        let tail = length - whole * rate
        withUnsafeTemporaryAllocation(byteCount: 4 * rate, alignment: 8) { padded in
                let base = padded.baseAddress!
            padded.initializeMemory(as: UInt8.self, repeating: 0)
            for (index, message) in [m0, m1, m2, m3].enumerated() {
                let block = base + index * rate
                block.copyMemory(from: message + whole * rate, byteCount: tail)
                block.storeBytes(of: 0x01, toByteOffset: tail, as: UInt8.self)
                block.storeBytes(of: block.load(fromByteOffset: rate - 1, as: UInt8.self) | 0x80, toByteOffset: rate - 1, as: UInt8.self)
            }
            state.absorb(base, base + rate, base + 2 * rate, base + 3 * rate)
        }
        let out = [state.a00, state.a01, state.a02, state.a03]
        for message in 0..<4 {
            for word in 0..<4 {
                digests.storeBytes(of: out[word][message].littleEndian, toByteOffset: message * 32 + word * 8, as: UInt64.self)
            }
        }
    }

    /// Keccak-f[1600]'s round constants for iota (FIPS 202 §3.2.5), one per round; the scalar
    /// permutation in LedgerCrypto reads these too.
    public static let roundConstants: [UInt64] = [
        0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
        0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
        0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
        0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
        0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
        0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
    ]

    @inline(__always)
    static func rotate(_ x: Lanes, _ n: UInt64) -> Lanes { (x &<< n) | (x &>> (64 &- n)) }

    /// Four Keccak states, lane (x, y) of all four in `a` + (x + 5y).
    struct State {
    var a00, a01, a02, a03, a04: Lanes
    var a05, a06, a07, a08, a09: Lanes
    var a10, a11, a12, a13, a14: Lanes
    var a15, a16, a17, a18, a19: Lanes
    var a20, a21, a22, a23, a24: Lanes

        init() {
        a00 = .zero; a01 = .zero; a02 = .zero; a03 = .zero; a04 = .zero
        a05 = .zero; a06 = .zero; a07 = .zero; a08 = .zero; a09 = .zero
        a10 = .zero; a11 = .zero; a12 = .zero; a13 = .zero; a14 = .zero
        a15 = .zero; a16 = .zero; a17 = .zero; a18 = .zero; a19 = .zero
        a20 = .zero; a21 = .zero; a22 = .zero; a23 = .zero; a24 = .zero
        }

        /// XORs one 136-byte block of each message into the first 17 lanes, then permutes.
        @inline(__always)
        mutating func absorb(_ p0: UnsafeRawPointer, _ p1: UnsafeRawPointer, _ p2: UnsafeRawPointer, _ p3: UnsafeRawPointer) {
            @inline(__always) func lane(_ i: Int) -> Lanes {
                Lanes(UInt64(littleEndian: p0.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)),
                      UInt64(littleEndian: p1.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)),
                      UInt64(littleEndian: p2.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)),
                      UInt64(littleEndian: p3.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)))
            }
            a00 ^= lane(0)
            a01 ^= lane(1)
            a02 ^= lane(2)
            a03 ^= lane(3)
            a04 ^= lane(4)
            a05 ^= lane(5)
            a06 ^= lane(6)
            a07 ^= lane(7)
            a08 ^= lane(8)
            a09 ^= lane(9)
            a10 ^= lane(10)
            a11 ^= lane(11)
            a12 ^= lane(12)
            a13 ^= lane(13)
            a14 ^= lane(14)
            a15 ^= lane(15)
            a16 ^= lane(16)
            permute()
        }

        /// Keccak-f[1600], 24 rounds (FIPS 202 §3.3): theta, rho and pi into b, chi, iota. The
        /// lanes live in locals for all rounds.
        mutating func permute() {
            var a00 = self.a00, a01 = self.a01, a02 = self.a02, a03 = self.a03, a04 = self.a04
            var a05 = self.a05, a06 = self.a06, a07 = self.a07, a08 = self.a08, a09 = self.a09
            var a10 = self.a10, a11 = self.a11, a12 = self.a12, a13 = self.a13, a14 = self.a14
            var a15 = self.a15, a16 = self.a16, a17 = self.a17, a18 = self.a18, a19 = self.a19
            var a20 = self.a20, a21 = self.a21, a22 = self.a22, a23 = self.a23, a24 = self.a24
            for round in 0..<24 {
                let c0 = a00 ^ a05 ^ a10 ^ a15 ^ a20
                let c1 = a01 ^ a06 ^ a11 ^ a16 ^ a21
                let c2 = a02 ^ a07 ^ a12 ^ a17 ^ a22
                let c3 = a03 ^ a08 ^ a13 ^ a18 ^ a23
                let c4 = a04 ^ a09 ^ a14 ^ a19 ^ a24
                let d0 = c4 ^ rotate(c1, 1)
                let d1 = c0 ^ rotate(c2, 1)
                let d2 = c1 ^ rotate(c3, 1)
                let d3 = c2 ^ rotate(c4, 1)
                let d4 = c3 ^ rotate(c0, 1)
                let b00 = a00 ^ d0
                let b01 = rotate(a06 ^ d1, 44)
                let b02 = rotate(a12 ^ d2, 43)
                let b03 = rotate(a18 ^ d3, 21)
                let b04 = rotate(a24 ^ d4, 14)
                let b05 = rotate(a03 ^ d3, 28)
                let b06 = rotate(a09 ^ d4, 20)
                let b07 = rotate(a10 ^ d0, 3)
                let b08 = rotate(a16 ^ d1, 45)
                let b09 = rotate(a22 ^ d2, 61)
                let b10 = rotate(a01 ^ d1, 1)
                let b11 = rotate(a07 ^ d2, 6)
                let b12 = rotate(a13 ^ d3, 25)
                let b13 = rotate(a19 ^ d4, 8)
                let b14 = rotate(a20 ^ d0, 18)
                let b15 = rotate(a04 ^ d4, 27)
                let b16 = rotate(a05 ^ d0, 36)
                let b17 = rotate(a11 ^ d1, 10)
                let b18 = rotate(a17 ^ d2, 15)
                let b19 = rotate(a23 ^ d3, 56)
                let b20 = rotate(a02 ^ d2, 62)
                let b21 = rotate(a08 ^ d3, 55)
                let b22 = rotate(a14 ^ d4, 39)
                let b23 = rotate(a15 ^ d0, 41)
                let b24 = rotate(a21 ^ d1, 2)
                a00 = b00 ^ (~b01 & b02)
                a01 = b01 ^ (~b02 & b03)
                a02 = b02 ^ (~b03 & b04)
                a03 = b03 ^ (~b04 & b00)
                a04 = b04 ^ (~b00 & b01)
                a05 = b05 ^ (~b06 & b07)
                a06 = b06 ^ (~b07 & b08)
                a07 = b07 ^ (~b08 & b09)
                a08 = b08 ^ (~b09 & b05)
                a09 = b09 ^ (~b05 & b06)
                a10 = b10 ^ (~b11 & b12)
                a11 = b11 ^ (~b12 & b13)
                a12 = b12 ^ (~b13 & b14)
                a13 = b13 ^ (~b14 & b10)
                a14 = b14 ^ (~b10 & b11)
                a15 = b15 ^ (~b16 & b17)
                a16 = b16 ^ (~b17 & b18)
                a17 = b17 ^ (~b18 & b19)
                a18 = b18 ^ (~b19 & b15)
                a19 = b19 ^ (~b15 & b16)
                a20 = b20 ^ (~b21 & b22)
                a21 = b21 ^ (~b22 & b23)
                a22 = b22 ^ (~b23 & b24)
                a23 = b23 ^ (~b24 & b20)
                a24 = b24 ^ (~b20 & b21)
                a00 ^= Lanes(repeating: roundConstants[round])
            }
            self.a00 = a00; self.a01 = a01; self.a02 = a02; self.a03 = a03; self.a04 = a04
        self.a05 = a05; self.a06 = a06; self.a07 = a07; self.a08 = a08; self.a09 = a09
        self.a10 = a10; self.a11 = a11; self.a12 = a12; self.a13 = a13; self.a14 = a14
        self.a15 = a15; self.a16 = a16; self.a17 = a17; self.a18 = a18; self.a19 = a19
        self.a20 = a20; self.a21 = a21; self.a22 = a22; self.a23 = a23; self.a24 = a24
        }
    }
}
