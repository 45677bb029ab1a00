import EVM
import MLedgerTesting
import Primitives
import Testing

/// Arbitrary code never crashes the interpreter, never uses more gas than given, and always ends
/// in a defined halt. Seeded, fixed iterations: the same programs every run.
@Suite struct RandomBytecodeTests {
    typealias SplitMix = SplitMix64

    /// 1 to 120 bytes, biased towards pushes of small values so that jumps, memory and calls
    /// see plausible operands.
    static func randomProgram(using rng: inout SplitMix) -> [UInt8] {
        var code: [UInt8] = []
        let length = Int.random(in: 1...120, using: &rng)
        while code.count < length {
            if Bool.random(using: &rng) {
                code += [0x60, UInt8.random(in: 0...64, using: &rng)]
            } else {
                code.append(UInt8.random(in: 0...255, using: &rng))
            }
        }
        return code
    }

    @Test func randomProgramsHaltCleanly() throws {
        var rng = SplitMix(seed: 0x4d4c_6564_6765_72)
        for iteration in 0..<400 {
            let code = Self.randomProgram(using: &rng)
            let gas: UInt64 = 100_000
            let (r, _) = try Harness(code: Asm(code)).run(gas: gas)
            #expect(r.gasUsed <= gas, "iteration \(iteration)")
            #expect(r.gasUsed >= 21000, "iteration \(iteration)")
            if !r.success { #expect(r.halt != .stop && r.halt != .returned, "iteration \(iteration)") }
        }
    }
}
