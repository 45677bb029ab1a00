import EVM
import Foundation

/// `mledger-bench evm`: the public evm-benchmarks state tests (main/ and micro/), each whole
/// transaction timed after its post-state root has been checked. Prints gas, median time and
/// Mgas/s per case, and the geometric mean over main/.
func runEVMBenchmarks() {
    let root = ProcessInfo.processInfo.environment["MLEDGER_EVM_BENCHMARKS"]
        ?? FileManager.default.currentDirectoryPath + "/../shared/benchmarks/evm"
    print("== EVM (evm-benchmarks state tests, London rules, whole transaction incl. intrinsic gas)")
    var mainRates: [Double] = []
    for group in ["main", "micro"] {
        let files = StateTestRunner.jsonFiles([root + "/" + group])
        if files.isEmpty { print("no benchmark files under \(root)/\(group)"); continue }
        for file in files {
            guard let data = try? Data(contentsOf: file), let tests = try? StateTestParser.parse(data) else {
                print("\(file.lastPathComponent): cannot parse"); continue
            }
            for test in tests {
                let fork = test.expectations.keys.sorted().last ?? .london
                for e in test.expectations[fork] ?? [] {
                    let label = "\(group)/\(test.name)/\(e.data)"
                    // Correctness first: the post-state root must match before the case is timed.
                    var gas: UInt64 = 0
                    let check = StateTestRunner.withLargeStack { StateTestRunner.run(test, fork: fork, e, gasUsed: &gas) }
                    guard check.passed, let tx = test.transaction(e) else {
                        print("\(label): FAILED CHECK \(check.detail)"); continue
                    }
                    let seconds = StateTestRunner.withLargeStack {
                        measure(seconds: 1.0, rounds: 5) {
                            let state = JournaledState(backend: test.pre.copy())
                            let evm = EVM(state: state, block: test.block, fork: fork)
                            _ = try? evm.execute(transaction: tx)
                        }
                    }
                    // The timed path must be the checked one: same gas used again.
                    let again = StateTestRunner.withLargeStack { () -> UInt64 in
                        let evm = EVM(state: JournaledState(backend: test.pre.copy()), block: test.block, fork: fork)
                        return (try? evm.execute(transaction: tx).gasUsed) ?? 0
                    }
                    guard again == gas else { print("\(label): timed run used \(again) gas, checked run \(gas)"); continue }
                    let rate = Double(gas) / seconds / 1e6
                    if group == "main" { mainRates.append(rate) }
                    report(label, rate, "Mgas/s", reference: String(format: "gas %d, median %.3f ms", gas, seconds * 1e3))
                }
            }
        }
    }
    if !mainRates.isEmpty {
        let geomean = exp(mainRates.map { log($0) }.reduce(0, +) / Double(mainRates.count))
        print(String(format: "geomean %.1f Mgas/s", geomean))
    }
}
