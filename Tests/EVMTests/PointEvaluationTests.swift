import LedgerCrypto
import EVM
import Primitives
import Testing

/// EIP-4844 point evaluation through STATICCALL: the zero polynomial opens to 0 at any point
/// (commitment and proof both the point at infinity); claiming 1 instead must fail the pairing.
@Suite struct PointEvaluationTests {
    static func input(y: UInt8) throws -> [UInt8] {
        let infinity = [UInt8(0xc0)] + [UInt8](repeating: 0, count: 47)
        let digest = try SHA256.hash(infinity)
        var out = [UInt8(0x01)] + Array(digest[1...])
        out += [UInt8](repeating: 0, count: 32)  // z = 0
        out += [UInt8](repeating: 0, count: 31) + [y]
        out += infinity + infinity
        return out
    }

    @Test func zeroPolynomialOpensToZero() throws {
        let (ok, out) = try PrecompileTests.call(10, try Self.input(y: 0))
        #expect(ok)
        #expect(out.count == 64)
        #expect(Array(out[0..<32]) == UInt256(4096).bigEndianBytes)
        let modulus = try UInt256(hex: "73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001")
        #expect(Array(out[32..<64]) == modulus.bigEndianBytes)
    }

    @Test func wrongClaimFailsThePairing() throws {
        let (ok, _) = try PrecompileTests.call(10, try Self.input(y: 1))
        #expect(!ok)
    }
}
