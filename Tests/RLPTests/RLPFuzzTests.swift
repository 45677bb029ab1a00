import MLedgerTesting
import RLP
import Testing

/// Draws for the fuzz run from the shared seeded generator (identical on every machine).
extension SplitMix64 {
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: next()) }
}

/// A random item tree, biased towards the boundaries of the encoding (1, 55, 56 byte payloads).
func randomItem(_ rng: inout SplitMix64, depth: Int = 0) -> RLPItem {
    if depth < 4 && rng.below(3) == 0 {
        return .list((0..<rng.below(5)).map { _ in randomItem(&rng, depth: depth + 1) })
    }
    let lengths = [0, 1, 1, 2, 20, 55, 56, 57, 300]
    return .bytes((0..<lengths[rng.below(lengths.count)]).map { _ in rng.byte() })
}

/// Decoding must never crash, and anything accepted must be canonical: it re-encodes to exactly
/// the input bytes.
@Test func rlpDecoderFuzzAcceptsOnlyCanonicalInput() {
    var rng = SplitMix64(seed: 0x4d4c_6564_6765_72)
    var accepted = 0, rejected = 0, roundTripFailures = [[UInt8]]()
    func probe(_ input: [UInt8]) {
        if let item = try? RLP.decode(input) {
            accepted += 1
            if RLP.encode(item) != input { roundTripFailures.append(input) }
        } else {
            rejected += 1
        }
    }
    for _ in 0..<3_000 {
        // Fully random bytes.
        probe((0..<rng.below(12)).map { _ in rng.byte() })
        // A valid encoding, mutated: flipped byte, truncated, extended, or a length byte nudged.
        let valid = RLP.encode(randomItem(&rng))
        probe(valid)
        var mutated = valid
        switch rng.below(4) {
        case 0: mutated[rng.below(mutated.count)] ^= UInt8(1 << rng.below(8))
        case 1: mutated.removeLast(1 + rng.below(mutated.count))
        case 2: mutated.append(rng.byte())
        default: mutated[0] = mutated[0] &+ (rng.below(2) == 0 ? 1 : 0xff)
        }
        probe(mutated)
    }
    #expect(roundTripFailures.isEmpty, "accepted non-canonical inputs: \(roundTripFailures.prefix(3))")
    #expect(accepted >= 3_000)  // every unmutated valid encoding at least
    #expect(rejected > 1_000)
}
