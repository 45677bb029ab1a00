import COpenSSL
import Foundation
import Primitives

/// Results are folded into this so the optimiser cannot drop the measured work.
private var uint256Sink = UInt256.zero

/// SplitMix64 operands: the same values on every run, so figures compare across runs.
private func benchOperands(count: Int, seed: UInt64, limbs: Int) -> [UInt256] {
    var state = seed
    func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
    return (0..<count).map { _ in
        UInt256(l0: next(), l1: limbs > 1 ? next() : 0, l2: limbs > 2 ? next() : 0,
                l3: limbs > 3 ? next() | 1 << 60 : 0)
    }
}

/// Operations per second of `operation` applied across the operand table.
private func opsPerSecond(_ count: Int, _ operation: (Int) -> UInt256) -> Double {
    let seconds = measure {
        var acc = UInt256.zero
        for i in 0..<count { acc ^= operation(i) }
        uint256Sink ^= acc
    }
    return Double(count) / seconds
}

func runUInt256Benchmarks() {
    print("== uint256 ==")
    let n = 1024
    let a = benchOperands(count: n, seed: 1, limbs: 4)
    let b = benchOperands(count: n, seed: 2, limbs: 4)
    let m = benchOperands(count: n, seed: 3, limbs: 4)
    let halfWidth = benchOperands(count: n, seed: 4, limbs: 2)

    // Reference: OpenSSL's BN_mod_mul on the same full-width operands, in the same run.
    let ctx = BN_CTX_new()
    func bignum(_ v: UInt256) -> OpaquePointer? {
        let bytes = v.bigEndianBytes
        return BN_bin2bn(bytes, Int32(bytes.count), nil)
    }
    let ba = a.map(bignum), bb = b.map(bignum), bm = m.map(bignum)
    let result = BN_new()
    var failures = 0
    for i in 0..<n {  // both sides must agree before their speeds mean anything
        BN_mod_mul(result, ba[i], bb[i], bm[i], ctx)
        var bytes = [UInt8](repeating: 0, count: 32)
        BN_bn2binpad(result, &bytes, 32)
        if (try? UInt256(bigEndian: bytes)) != UInt256.mulMod(a[i], b[i], m[i]) { failures += 1 }
    }
    let opensslTime = measure {
        for i in 0..<n { BN_mod_mul(result, ba[i], bb[i], bm[i], ctx) }
    }
    let openssl = String(format: "openssl BN_mod_mul %.0f ops/s", Double(n) / opensslTime)
    if failures > 0 { print("uint256 mulmod disagrees with OpenSSL on \(failures) of \(n) operands") }

    // Operand shapes: mulmod, addmod, mul, add on full 256-bit words; div is 256 by 128 bits
    // (three quotient digits), "div 256/224" one digit, "mod 256/64" the one-limb path.
    report("uint256 mulmod",
           opsPerSecond(n) { UInt256.mulMod(a[$0], b[$0], m[$0]) }, "ops/s", reference: openssl)
    report("uint256 div", opsPerSecond(n) { a[$0].div(halfWidth[$0]) }, "ops/s")
    report("uint256 div 256/224", opsPerSecond(n) { a[$0].div(b[$0] >> 32) }, "ops/s")
    report("uint256 mod 256/64", opsPerSecond(n) { a[$0].mod(UInt256(b[$0].l0)) }, "ops/s")
    report("uint256 mul", opsPerSecond(n) { a[$0] &* b[$0] }, "ops/s")
    report("uint256 add", opsPerSecond(n) { a[$0] &+ b[$0] }, "ops/s")
    report("uint256 addmod", opsPerSecond(n) { UInt256.addMod(a[$0], b[$0], m[$0]) }, "ops/s")
    report("uint256 exp (256-bit exponent)", opsPerSecond(n / 16) { a[$0].exp(b[$0]) }, "ops/s")

    for v in ba + bb + bm { BN_free(v) }
    BN_free(result)
    BN_CTX_free(ctx)
    if uint256Sink == UInt256(0x5eed) { print("") }  // keeps the sink observable
}
