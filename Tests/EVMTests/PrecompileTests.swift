import EVM
import Primitives
import Testing

/// Precompiles reached through STATICCALL from contract code: output bytes and success flag.
@Suite struct PrecompileTests {
    /// Copies `input` into memory, STATICCALLs `address`, and returns (success, output).
    static func call(_ address: UInt64, _ input: [UInt8]) throws -> (Bool, [UInt8]) {
        var code = Asm([])
        for (i, b) in input.enumerated() { code = code + .push(UInt256(UInt64(b))) + .push(UInt256(UInt64(i))) + [0x53] }  // MSTORE8
        // staticcall(gas, address, 0, len, 0, 0); then return (success ‖ returndata)
        code = code + .push(0) + .push(0) + .push(UInt256(UInt64(input.count))) + .push(0) + .push(UInt256(address))
            + .gas + .staticcall
            + .push(0) + .mstore                     // success flag at [0, 32)
            + .returndatasize + .push(0) + .push(32) + [0x3e]  // RETURNDATACOPY(32, 0, size)
            + .returndatasize + .push(32) + .add + .push(0) + .ret
        let (r, _) = try Harness(code: code).run(gas: 5_000_000)
        #expect(r.halt == .returned)
        guard r.output.count >= 32 else { return (false, []) }
        return (r.output[31] == 1, Array(r.output[32...]))
    }

    static func hex(_ s: String) -> [UInt8] { (try? Hex.decode(s)) ?? [] }

    @Test func sha256AndRipemd160() throws {
        let (ok1, out1) = try Self.call(2, Array("abc".utf8))
        #expect(ok1 && out1 == Self.hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"))
        let (ok2, out2) = try Self.call(3, Array("abc".utf8))
        #expect(ok2 && out2 == [UInt8](repeating: 0, count: 12) + Self.hex("8eb208f7e05d987a9b044a8e98c6b087f15a0bfc"))
    }

    @Test func identityAndModexp() throws {
        let (ok1, out1) = try Self.call(4, [1, 2, 3])
        #expect(ok1 && out1 == [1, 2, 3])
        // 3 ^ 0x10001 mod 0x1000000007 = 34147843566 (5 bytes out)
        var input = [UInt8](repeating: 0, count: 96)
        input[31] = 1; input[63] = 3; input[95] = 5
        input += [3, 0x01, 0x00, 0x01, 0x10, 0x00, 0x00, 0x00, 0x07]
        let (ok2, out2) = try Self.call(5, input)
        #expect(ok2 && out2 == UInt256(34_147_843_566).minimalBigEndianBytes)
    }

    @Test func bn254DoublingAndEmptyPairing() throws {
        var g = [UInt8](repeating: 0, count: 64)
        g[31] = 1; g[63] = 2
        let (ok, out) = try Self.call(6, g + g)
        #expect(ok && out == Self.hex("030644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd3"
                                      + "15ed738c0e0a7c92e7845f96b2ae9c0a68a6a449e3538fc7ff3ebf7a5a18a2c4"))
        let (okMul, outMul) = try Self.call(7, g + [UInt8](repeating: 0, count: 31) + [2])
        #expect(okMul && outMul == out)
        // A point off the curve fails the call.
        var bad = g
        bad[63] = 3
        let (okBad, _) = try Self.call(6, bad + g)
        #expect(!okBad)
        // The empty product of pairings is one.
        let (okPair, outPair) = try Self.call(8, [])
        #expect(okPair && outPair == [UInt8](repeating: 0, count: 31) + [1])
    }
}
