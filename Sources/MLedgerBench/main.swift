// mledger-bench: performance figures, each printed beside a reference measured in the same run.
// Usage: mledger-bench [crypto|trie|ml|evm|all]
import Foundation

let groups: [String: () -> Void] = [
    "crypto": runCryptoBenchmarks,
    "ml": runMLBenchmarks,
]

let requested = CommandLine.arguments.dropFirst().first ?? "all"
if requested == "all" {
    for name in groups.keys.sorted() { groups[name]!() }
} else if let group = groups[requested] {
    group()
} else {
    FileHandle.standardError.write("unknown benchmark group '\(requested)'; known: \(groups.keys.sorted().joined(separator: ", ")), all\n".data(using: .utf8)!)
    exit(2)
}
