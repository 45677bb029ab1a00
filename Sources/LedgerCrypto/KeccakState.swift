import KeccakWide

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

    /// Round constants for iota (FIPS 202, section 3.2.5), one per round; the four-way
    /// permutation in KeccakWide holds the one copy.
    static let roundConstants: [UInt64] = KeccakX4.roundConstants

    /// Bytes absorbed per permutation for Keccak-256: 1600 - 2*256 bits = 136 bytes = 17 lanes.
    @usableFromInline static let rate = 136

    /// Absorbs `blocks` consecutive 136-byte blocks from `input`: each is XORed into the first
    /// 17 lanes, then Keccak-f[1600] runs. The lanes stay in locals across all blocks, so long
    /// inputs pay no state loads/stores per block.
    @usableFromInline
    mutating func absorb(_ input: UnsafeRawPointer, blocks: Int) {
        // Stored lanes are plain; lanes 1, 2, 8, 12, 17 and 20 are inverted while in locals.
        var a00 = a.0, a01 = ~a.1, a02 = ~a.2, a03 = a.3, a04 = a.4
        var a05 = a.5, a06 = a.6, a07 = a.7, a08 = ~a.8, a09 = a.9
        var a10 = a.10, a11 = a.11, a12 = ~a.12, a13 = a.13, a14 = a.14
        var a15 = a.15, a16 = a.16, a17 = ~a.17, a18 = a.18, a19 = a.19
        var a20 = ~a.20, a21 = a.21, a22 = a.22, a23 = a.23, a24 = a.24
        KeccakState.roundConstants.withUnsafeBufferPointer { rc in
            var p = input
            for _ in 0..<blocks {
                a00 ^= lane(p, 0); a01 ^= lane(p, 1); a02 ^= lane(p, 2); a03 ^= lane(p, 3)
                a04 ^= lane(p, 4); a05 ^= lane(p, 5); a06 ^= lane(p, 6); a07 ^= lane(p, 7)
                a08 ^= lane(p, 8); a09 ^= lane(p, 9); a10 ^= lane(p, 10); a11 ^= lane(p, 11)
                a12 ^= lane(p, 12); a13 ^= lane(p, 13); a14 ^= lane(p, 14); a15 ^= lane(p, 15)
                a16 ^= lane(p, 16)
                p += KeccakState.rate
                // Two rounds per step, A -> E then E -> A, so no lane is copied between rounds.
                // The lanes in 1, 2, 8, 12, 17, 20 are kept inverted (the "lane complementing
                // transform" of the Keccak implementation overview, section 2.2), which turns
                // most of chi's NOT-AND steps into plain AND/OR, leaving one NOT per plane.
                var round = 0
                while round < 24 {
                    let e00: UInt64, e01: UInt64, e02: UInt64, e03: UInt64, e04: UInt64
                    let e05: UInt64, e06: UInt64, e07: UInt64, e08: UInt64, e09: UInt64
                    let e10: UInt64, e11: UInt64, e12: UInt64, e13: UInt64, e14: UInt64
                    let e15: UInt64, e16: UInt64, e17: UInt64, e18: UInt64, e19: UInt64
                    let e20: UInt64, e21: UInt64, e22: UInt64, e23: UInt64, e24: UInt64
                    do {
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
                        // chi in complemented form (see above), then iota on lane 0
                        e00 = b00 ^ (b01 | b02) ^ rc[round]; e01 = b01 ^ (~b02 | b03); e02 = b02 ^ (b03 & b04)
                        e03 = b03 ^ (b04 | b00); e04 = b04 ^ (b00 & b01)
                        e05 = b05 ^ (b06 | b07); e06 = b06 ^ (b07 & b08); e07 = b07 ^ (b08 | ~b09)
                        e08 = b08 ^ (b09 | b05); e09 = b09 ^ (b05 & b06)
                        let n13 = ~b13
                        e10 = b10 ^ (b11 | b12); e11 = b11 ^ (b12 & b13); e12 = b12 ^ (n13 & b14)
                        e13 = n13 ^ (b14 | b10); e14 = b14 ^ (b10 & b11)
                        let n18 = ~b18
                        e15 = b15 ^ (b16 & b17); e16 = b16 ^ (b17 | b18); e17 = b17 ^ (n18 | b19)
                        e18 = n18 ^ (b19 & b15); e19 = b19 ^ (b15 | b16)
                        let n21 = ~b21
                        e20 = b20 ^ (n21 & b22); e21 = n21 ^ (b22 | b23); e22 = b22 ^ (b23 & b24)
                        e23 = b23 ^ (b24 | b20); e24 = b24 ^ (b20 & b21)
                    }
                    do {
                        // theta
                        let c0 = e00 ^ e05 ^ e10 ^ e15 ^ e20
                        let c1 = e01 ^ e06 ^ e11 ^ e16 ^ e21
                        let c2 = e02 ^ e07 ^ e12 ^ e17 ^ e22
                        let c3 = e03 ^ e08 ^ e13 ^ e18 ^ e23
                        let c4 = e04 ^ e09 ^ e14 ^ e19 ^ e24
                        let d0 = c4 ^ rotl(c1, 1), d1 = c0 ^ rotl(c2, 1), d2 = c1 ^ rotl(c3, 1)
                        let d3 = c2 ^ rotl(c4, 1), d4 = c3 ^ rotl(c0, 1)
                        // rho and pi: b[y, 2x+3y] = rot(a[x, y] ^ d[x], r[x, y])
                        let b00 = e00 ^ d0
                        let b10 = rotl(e01 ^ d1, 1)
                        let b20 = rotl(e02 ^ d2, 62)
                        let b05 = rotl(e03 ^ d3, 28)
                        let b15 = rotl(e04 ^ d4, 27)
                        let b16 = rotl(e05 ^ d0, 36)
                        let b01 = rotl(e06 ^ d1, 44)
                        let b11 = rotl(e07 ^ d2, 6)
                        let b21 = rotl(e08 ^ d3, 55)
                        let b06 = rotl(e09 ^ d4, 20)
                        let b07 = rotl(e10 ^ d0, 3)
                        let b17 = rotl(e11 ^ d1, 10)
                        let b02 = rotl(e12 ^ d2, 43)
                        let b12 = rotl(e13 ^ d3, 25)
                        let b22 = rotl(e14 ^ d4, 39)
                        let b23 = rotl(e15 ^ d0, 41)
                        let b08 = rotl(e16 ^ d1, 45)
                        let b18 = rotl(e17 ^ d2, 15)
                        let b03 = rotl(e18 ^ d3, 21)
                        let b13 = rotl(e19 ^ d4, 8)
                        let b14 = rotl(e20 ^ d0, 18)
                        let b24 = rotl(e21 ^ d1, 2)
                        let b09 = rotl(e22 ^ d2, 61)
                        let b19 = rotl(e23 ^ d3, 56)
                        let b04 = rotl(e24 ^ d4, 14)
                        // chi in complemented form (see above), then iota on lane 0
                        a00 = b00 ^ (b01 | b02) ^ rc[round + 1]; a01 = b01 ^ (~b02 | b03); a02 = b02 ^ (b03 & b04)
                        a03 = b03 ^ (b04 | b00); a04 = b04 ^ (b00 & b01)
                        a05 = b05 ^ (b06 | b07); a06 = b06 ^ (b07 & b08); a07 = b07 ^ (b08 | ~b09)
                        a08 = b08 ^ (b09 | b05); a09 = b09 ^ (b05 & b06)
                        let n13 = ~b13
                        a10 = b10 ^ (b11 | b12); a11 = b11 ^ (b12 & b13); a12 = b12 ^ (n13 & b14)
                        a13 = n13 ^ (b14 | b10); a14 = b14 ^ (b10 & b11)
                        let n18 = ~b18
                        a15 = b15 ^ (b16 & b17); a16 = b16 ^ (b17 | b18); a17 = b17 ^ (n18 | b19)
                        a18 = n18 ^ (b19 & b15); a19 = b19 ^ (b15 | b16)
                        let n21 = ~b21
                        a20 = b20 ^ (n21 & b22); a21 = n21 ^ (b22 | b23); a22 = b22 ^ (b23 & b24)
                        a23 = b23 ^ (b24 | b20); a24 = b24 ^ (b20 & b21)
                    }
                    round += 2
                }
            }
        }
        a = (a00, ~a01, ~a02, a03, a04, a05, a06, a07, ~a08, a09, a10, a11, ~a12,
             a13, a14, a15, a16, ~a17, a18, a19, ~a20, a21, a22, a23, a24)
    }
}

@inline(__always)
private func rotl(_ x: UInt64, _ n: UInt64) -> UInt64 { (x << n) | (x >> (64 &- n)) }

/// Lane `i` of an input block: 8 bytes read little-endian, as Keccak orders bytes in a lane.
@inline(__always)
private func lane(_ p: UnsafeRawPointer, _ i: Int) -> UInt64 {
    UInt64(littleEndian: p.loadUnaligned(fromByteOffset: i &* 8, as: UInt64.self))
}
