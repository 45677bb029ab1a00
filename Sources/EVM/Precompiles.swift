import Primitives
import LedgerCrypto

/// The precompiled contracts at 0x01...0x0a. Each prices its input, fails with all gas consumed
/// when the gas is short or the input invalid, and otherwise returns its output.
enum Precompiles {
    /// Addresses whose implementation is missing: calls fail and the runner reports them.
    static let unimplemented: Set<UInt64> = []

    static func run(address: UInt64, input: [UInt8], gas: Int64, rules: ForkRules) -> FrameResult {
        let cost: Int64
        switch address {
        case 1: cost = 3000
        case 2: cost = 60 + 12 * Frame.words(input.count)
        case 3: cost = 600 + 120 * Frame.words(input.count)
        case 4: cost = 15 + 3 * Frame.words(input.count)
        case 5: cost = ModExp.gas(input)
        case 6: cost = 150   // EIP-1108
        case 7: cost = 6000  // EIP-1108
        case 8: cost = 45000 + 34000 * Int64(input.count / 192)
        case 9:
            guard input.count == 213 else { return fail() }
            cost = Int64(UInt32(input[0]) << 24 | UInt32(input[1]) << 16 | UInt32(input[2]) << 8 | UInt32(input[3]))
        case 10: cost = 50000
        default: return fail()
        }
        guard cost <= gas else { return fail() }
        let output: [UInt8]?
        switch address {
        case 1: output = ecrecover(input)
        case 2: output = try? SHA256.hash(input)
        case 3: output = (try? RIPEMD160.hash(input)).map { [UInt8](repeating: 0, count: 12) + $0 }
        case 4: output = input
        case 5: output = ModExp.run(input)
        case 6: output = BN254.add(input)
        case 7: output = BN254.mul(input)
        case 8: output = BN254Pairing.run(input)
        case 9: output = Blake2F.run(input)
        case 10: output = PointEvaluation.run(input)
        default: output = nil
        }
        guard let out = output else { return fail() }
        return FrameResult(halt: .returned, gasLeft: gas - cost, output: out)
    }

    private static func fail() -> FrameResult { FrameResult(halt: .precompileFailure, gasLeft: 0, output: []) }

    /// ECRECOVER: the signer address of (hash, v, r, s), or empty output when invalid.
    static func ecrecover(_ input: [UInt8]) -> [UInt8] {
        var data = input
        if data.count < 128 { data += [UInt8](repeating: 0, count: 128 - data.count) }
        guard let hash = try? Hash32(bytes: data[0..<32]),
              let v = try? UInt256(bigEndian: data[32..<64]),
              let r = try? UInt256(bigEndian: data[64..<96]),
              let s = try? UInt256(bigEndian: data[96..<128]) else { return [] }
        guard v == 27 || v == 28, !r.isZero, !s.isZero, r < Secp256k1.order, s < Secp256k1.order else { return [] }
        let sig = RecoverableSignature(r: r, s: s, recoveryId: Int(v.l0 - 27))
        guard let address = try? Secp256k1.recoverAddress(hash: hash, signature: sig) else { return [] }
        return [UInt8](repeating: 0, count: 12) + address.bytes
    }
}
