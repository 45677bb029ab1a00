import ArgumentParser
import EVM
import Foundation
import Primitives

/// `mledger statetest PATH...`: runs Ethereum GeneralStateTests JSON files and reports each failure.
struct StateTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "statetest",
        abstract: "Run Ethereum GeneralStateTests (files or directories, recursively) against the MLedger EVM.")

    @Argument(help: "State test JSON files or directories.")
    var paths: [String]

    @Option(help: "Fork rules to run: London, Paris, Shanghai or Cancun.")
    var fork: String = "Cancun"

    @Flag(help: "Print one JSON object per case and a JSON summary.")
    var json = false

    func run() throws {
        guard let fork = Fork(name: fork) else { throw ValidationError("unknown fork '\(self.fork)'") }
        let files = StateTestRunner.jsonFiles(paths)
        if files.isEmpty { throw ValidationError("no JSON files under \(paths.joined(separator: " "))") }
        let json = self.json
        let (passed, failed, unimplemented) = StateTestRunner.withLargeStack { () -> (Int, Int, [UInt64: Int]) in
            var passed = 0, failed = 0
            var unimplemented: [UInt64: Int] = [:]
            for file in files {
                for o in StateTestRunner.run(file: file, fork: fork) {
                    if o.passed { passed += 1 } else { failed += 1 }
                    if !o.passed, let p = o.unimplementedPrecompile { unimplemented[p, default: 0] += 1 }
                    if json {
                        let record: JSONValue = ["file": .string(o.file), "name": .string(o.name), "fork": .string("\(o.fork)"),
                                                 "data": .int(o.data), "gas": .int(o.gas), "value": .int(o.value),
                                                 "pass": .bool(o.passed), "detail": .string(o.detail)]
                        print(record.serialized)
                    } else if !o.passed {
                        print("FAIL \(o.label): \(o.detail)")
                    }
                }
            }
            return (passed, failed, unimplemented)
        }
        // Missing precompiles are never passed silently: say how many failures they cost.
        for (address, count) in unimplemented.sorted(by: { $0.key < $1.key }) {
            let line = "\(count) failed cases call precompile 0x\(String(address, radix: 16)), which MLedger does not implement yet"
            if json { print("{\"unimplementedPrecompile\":\(address),\"failed\":\(count)}") } else { print(line) }
        }
        if json {
            print("{\"passed\":\(passed),\"failed\":\(failed),\"skipped\":0}")
        } else {
            print("\(passed) passed, \(failed) failed, 0 skipped")
        }
        if failed > 0 { throw ExitCode(1) }
    }
}
