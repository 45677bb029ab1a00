/// The 25-lane Keccak-f[1600] state (FIPS 202, section 3), kept in a tuple so it never
/// touches the heap. Lanes are indexed x + 5y and hold their bytes little-endian.
@usableFromInline
struct KeccakState {
    @usableFromInline
    var a: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
            UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
            UInt64, UInt64, UInt64, UInt64, UInt64) =
        (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)

    @usableFromInline init() {}

    /// Round constants for iota (FIPS 202, section 3.2.5), one per round.
    static let roundConstants: [UInt64] = [
        0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
        0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
        0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
        0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
        0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
        0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
    ]

    /// Bytes absorbed per permutation for Keccak-256: 1600 - 2*256 bits = 136 bytes = 17 lanes.
    @usableFromInline static let rate = 136

    /// Absorbs `blocks` consecutive 136-byte blocks from `input`: each is XORed into the first
    /// 17 lanes, then Keccak-f[1600] runs. The lanes stay in locals across all blocks, so long
    /// inputs pay no state loads/stores per block.
    @usableFromInline
    mutating func absorb(_ input: UnsafeRawPointer, blocks: Int) {
        var a00 = a.0, a01 = a.1, a02 = a.2, a03 = a.3, a04 = a.4
        var a05 = a.5, a06 = a.6, a07 = a.7, a08 = a.8, a09 = a.9
        var a10 = a.10, a11 = a.11, a12 = a.12, a13 = a.13, a14 = a.14
        var a15 = a.15, a16 = a.16, a17 = a.17, a18 = a.18, a19 = a.19
        var a20 = a.20, a21 = a.21, a22 = a.22, a23 = a.23, a24 = a.24
        KeccakState.roundConstants.withUnsafeBufferPointer { rc in
            var p = input
            for _ in 0..<blocks {
                a00 ^= lane(p, 0); a01 ^= lane(p, 1); a02 ^= lane(p, 2); a03 ^= lane(p, 3)
                a04 ^= lane(p, 4); a05 ^= lane(p, 5); a06 ^= lane(p, 6); a07 ^= lane(p, 7)
                a08 ^= lane(p, 8); a09 ^= lane(p, 9); a10 ^= lane(p, 10); a11 ^= lane(p, 11)
                a12 ^= lane(p, 12); a13 ^= lane(p, 13); a14 ^= lane(p, 14); a15 ^= lane(p, 15)
                a16 ^= lane(p, 16)
                p += KeccakState.rate
                for round in 0..<24 {
                    // theta
                    let c0 = a00 ^ a05 ^ a10 ^ a15 ^ a20
                    let c1 = a01 ^ a06 ^ a11 ^ a16 ^ a21
                    let c2 = a02 ^ a07 ^ a12 ^ a17 ^ a22
                    let c3 = a03 ^ a08 ^ a13 ^ a18 ^ a23
                    let c4 = a04 ^ a09 ^ a14 ^ a19 ^ a24
                    let d0 = c4 ^ rotl(c1, 1), d1 = c0 ^ rotl(c2, 1), d2 = c1 ^ rotl(c3, 1)
                    let d3 = c2 ^ rotl(c4, 1), d4 = c3 ^ rotl(c0, 1)
                    // rho and pi: b[y, 2x+3y] = rot(a[x, y] ^ d[x], r[x, y])
                    let b00 = a00 ^ d0
                    let b10 = rotl(a01 ^ d1, 1)
                    let b20 = rotl(a02 ^ d2, 62)
                    let b05 = rotl(a03 ^ d3, 28)
                    let b15 = rotl(a04 ^ d4, 27)
                    let b16 = rotl(a05 ^ d0, 36)
                    let b01 = rotl(a06 ^ d1, 44)
                    let b11 = rotl(a07 ^ d2, 6)
                    let b21 = rotl(a08 ^ d3, 55)
                    let b06 = rotl(a09 ^ d4, 20)
                    let b07 = rotl(a10 ^ d0, 3)
                    let b17 = rotl(a11 ^ d1, 10)
                    let b02 = rotl(a12 ^ d2, 43)
                    let b12 = rotl(a13 ^ d3, 25)
                    let b22 = rotl(a14 ^ d4, 39)
                    let b23 = rotl(a15 ^ d0, 41)
                    let b08 = rotl(a16 ^ d1, 45)
                    let b18 = rotl(a17 ^ d2, 15)
                    let b03 = rotl(a18 ^ d3, 21)
                    let b13 = rotl(a19 ^ d4, 8)
                    let b14 = rotl(a20 ^ d0, 18)
                    let b24 = rotl(a21 ^ d1, 2)
                    let b09 = rotl(a22 ^ d2, 61)
                    let b19 = rotl(a23 ^ d3, 56)
                    let b04 = rotl(a24 ^ d4, 14)
                    // chi, then iota on lane 0
                    a00 = b00 ^ (~b01 & b02); a01 = b01 ^ (~b02 & b03); a02 = b02 ^ (~b03 & b04)
                    a03 = b03 ^ (~b04 & b00); a04 = b04 ^ (~b00 & b01)
                    a05 = b05 ^ (~b06 & b07); a06 = b06 ^ (~b07 & b08); a07 = b07 ^ (~b08 & b09)
                    a08 = b08 ^ (~b09 & b05); a09 = b09 ^ (~b05 & b06)
                    a10 = b10 ^ (~b11 & b12); a11 = b11 ^ (~b12 & b13); a12 = b12 ^ (~b13 & b14)
                    a13 = b13 ^ (~b14 & b10); a14 = b14 ^ (~b10 & b11)
                    a15 = b15 ^ (~b16 & b17); a16 = b16 ^ (~b17 & b18); a17 = b17 ^ (~b18 & b19)
                    a18 = b18 ^ (~b19 & b15); a19 = b19 ^ (~b15 & b16)
                    a20 = b20 ^ (~b21 & b22); a21 = b21 ^ (~b22 & b23); a22 = b22 ^ (~b23 & b24)
                    a23 = b23 ^ (~b24 & b20); a24 = b24 ^ (~b20 & b21)
                    a00 ^= rc[round]
                }
            }
        }
        a = (a00, a01, a02, a03, a04, a05, a06, a07, a08, a09, a10, a11, a12,
             a13, a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24)
    }
}

@inline(__always)
private func rotl(_ x: UInt64, _ n: UInt64) -> UInt64 { (x << n) | (x >> (64 &- n)) }

/// Lane `i` of an input block: 8 bytes read little-endian, as Keccak orders bytes in a lane.
@inline(__always)
private func lane(_ p: UnsafeRawPointer, _ i: Int) -> UInt64 {
    UInt64(littleEndian: p.loadUnaligned(fromByteOffset: i &* 8, as: UInt64.self))
}
