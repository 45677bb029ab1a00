import Chain
import Primitives
import Testing

/// Seeded fuzzing of the decoder: random bytes and mutations of valid transactions must never
/// crash, and anything accepted must re-encode to exactly the input.
struct TransactionFuzzTests {
    static let iterations = 4_000

    @Test func randomBytesNeverCrashAndAcceptedInputsRoundTrip() {
        var rng = SeededGenerator(seed: 0x4d4c_6564_6765_7231)
        var accepted = 0
        for _ in 0..<Self.iterations {
            let length = Int.random(in: 0...120, using: &rng)
            var input = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            // Bias the first byte toward the shapes the decoder branches on.
            if !input.isEmpty {
                input[0] = [0x01, 0x02, 0x03, 0xc0 + UInt8(min(length - 1, 55)), input[0]].randomElement(using: &rng) ?? input[0]
            }
            if Self.checkRoundTrip(input) { accepted += 1 }
        }
        print("[TransactionFuzz] random bytes: \(accepted) of \(Self.iterations) accepted, all round-tripped")
        // Random bytes are almost never a transaction; the point is surviving them.
        #expect(accepted < Self.iterations)
    }

    @Test func mutatedTransactionsNeverCrashAndAcceptedOnesRoundTrip() throws {
        let seeds = try SampleTransactions.all.map { try $0.signed(privateKey: SampleTransactions.key).encoded }
        var rng = SeededGenerator(seed: 0x7478_6675_7a7a_0001)
        var accepted = 0
        for _ in 0..<Self.iterations {
            guard var input = seeds.randomElement(using: &rng) else { continue }
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                Self.mutate(&input, using: &rng)
            }
            if Self.checkRoundTrip(input) { accepted += 1 }
        }
        print("[TransactionFuzz] mutations: \(accepted) of \(Self.iterations) accepted, all round-tripped")
        // Value-only mutations (a byte inside data or r/s) keep the shape, so some must pass.
        #expect(accepted > 0)
        #expect(accepted < Self.iterations)
    }

    /// Returns whether the decoder accepted `input`; records an issue if the round trip breaks.
    static func checkRoundTrip(_ input: [UInt8]) -> Bool {
        guard let tx = try? Transaction(encoded: input) else { return false }
        if tx.encoded != input {
            Issue.record("accepted \(input.hexString) but re-encoded as \(tx.encoded.hexString)")
        }
        // Validation and recovery must not crash either, whatever they decide.
        _ = try? tx.validate(chainId: 1337)
        _ = try? tx.sender()
        return true
    }

    static func mutate(_ bytes: inout [UInt8], using rng: inout SeededGenerator) {
        guard !bytes.isEmpty else { bytes = [UInt8.random(in: 0...255, using: &rng)]; return }
        let index = Int.random(in: 0..<bytes.count, using: &rng)
        switch Int.random(in: 0..<6, using: &rng) {
        case 0: bytes[index] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &rng)
        case 1: bytes[index] = UInt8.random(in: 0...255, using: &rng)
        case 2: bytes.insert(UInt8.random(in: 0...255, using: &rng), at: index)
        case 3: bytes.remove(at: index)
        case 4: bytes.removeLast(Int.random(in: 1...bytes.count, using: &rng))
        default: bytes[index] = [0x00, 0x7f, 0x80, 0x81, 0xb7, 0xb8, 0xc0, 0xf7, 0xf8, 0xff].randomElement(using: &rng) ?? 0
        }
    }
}
