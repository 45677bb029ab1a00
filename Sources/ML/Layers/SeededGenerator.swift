/// MLedger's seeded pseudo-random generator: xoshiro256** (Blackman and Vigna, 2018) with its
/// state expanded from the 64-bit seed by SplitMix64, as its authors recommend.
///
/// Every random choice in training (initial weights, shuffling, dropout masks) comes from
/// one of these, so a seed fixes the whole run.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// A generator whose whole sequence is fixed by `seed`.
    public init(seed: UInt64) {
        var s = seed
        func splitMix() -> UInt64 {
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    public mutating func next() -> UInt64 {
        let result = Self.rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = Self.rotl(state.3, 45)
        return result
    }

    /// A float in [0, 1) with 24 random bits (every value exactly representable).
    public mutating func nextUnitFloat() -> Float { Float(next() >> 40) * 0x1p-24 }

    /// A float uniform in [low, high).
    public mutating func uniform(_ low: Float, _ high: Float) -> Float { low + (high - low) * nextUnitFloat() }

    /// A tensor with elements uniform in [-bound, bound).
    public mutating func uniformTensor(_ shape: [Int], bound: Float) -> Tensor {
        var copy = self
        let t = Tensor(shape: shape) { _ in copy.uniform(-bound, bound) }
        self = copy
        return t
    }

    /// An integer uniform in `0..<upperBound` without modulo bias (Lemire's method).
    public mutating func nextIndex(below upperBound: Int) -> Int {
        Int(next(upperBound: UInt64(upperBound)))
    }

    /// Fisher–Yates shuffle of `0..<count` driven by this generator.
    public mutating func permutation(_ count: Int) -> [Int] {
        var p = Array(0..<count)
        if count < 2 { return p }
        for i in stride(from: count - 1, to: 0, by: -1) {
            p.swapAt(i, nextIndex(below: i + 1))
        }
        return p
    }
}
