import Foundation
import Testing

/// Runs contracts/tests/check_rules.py, which deploys the committed artifacts on py-evm (Cancun)
/// and checks the on-chain rules (owner-only writes, finalize once, citable datasets, finalized
/// parents, deployed code equal to the artifact). Skipped, with a printed line, when
/// MLEDGER_PYTHON lacks py-evm or eth_abi; the in-process MLedger EVM takes over once it lands.
struct ContractRulesTests {
    @Test func rulesHoldOnAReferenceEVM() throws {
        guard let python = ExternalPython.path, ExternalPython.has(module: "eth"), ExternalPython.has(module: "eth_abi") else {
            print("[ContractRules] SKIPPED: MLEDGER_PYTHON is unset or lacks py-evm/eth_abi (run tools/setup, or tools/test)")
            return
        }
        let script = Repository.root.appendingPathComponent("contracts/tests/check_rules.py").path
        let result = try ExternalPython.run(python, [script])
        let output = String(decoding: result.out, as: UTF8.self)
        for line in output.split(separator: "\n") where line.hasPrefix("FAIL") { Issue.record("\(line)") }
        let tally = output.split(separator: "\n").last { $0.hasPrefix("[ContractRules]") }
        print(tally.map(String.init) ?? "[ContractRules] no tally line; stderr: \(result.err)")
        #expect(result.status == 0, "check_rules.py exited \(result.status): \(result.err.suffix(2000))")
        #expect(tally?.hasSuffix(" 0 failed") == true)
    }
}
