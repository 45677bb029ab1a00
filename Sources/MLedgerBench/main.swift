// mledger-bench: performance figures, each printed beside a reference measured in the same run.
// Usage: mledger-bench [crypto|uint256|trie|ml|evm|contracts|audit|node|json|sharing|translation|training|auth|ol|ol-serve|all]
//        mledger-bench evm-diff --count N --seed S [--keep DIR]   (the differential EVM fuzzer)
import Foundation

/// `crypto` is the ledger-foundation table (Keccak, secp256k1, UInt256, trie); its parts can
/// also run alone.
let groups: [String: () -> Void] = [
    "crypto": { runCryptoBenchmarks(); runUInt256Benchmarks(); runTrieBenchmarks() },
    "uint256": runUInt256Benchmarks,
    "evm": runEVMBenchmarks,
    "trie": runTrieBenchmarks,
    "datasets": runDatasetsBenchmarks,
    "ml": runMLBenchmarks,
    "node": runNodeBenchmarks,
    "json": runJSONBenchmarks,
    "contracts": runContractsBenchmarks,
    "audit": runAuditBenchmarks,
    "sharing": runSharingBenchmarks,
    "translation": runTranslationBenchmarks,  // ONNX translation
    "training": runTrainingBenchmarks,
    "auth": runAuthBenchmarks,
    "ol": runStreamsBenchmarks,  // streams ingest (mosquitto, tansu) and publish → updated forecast
    "ol-serve": runOnlineServeBenchmarks, // online learning: KServe :predict under concurrent clients
]
/// What `all` runs: every figure once.
let allGroups = ["crypto", "datasets", "ml", "evm"]

let requested = CommandLine.arguments.dropFirst().first ?? "all"
if requested == "evm-diff" {
    // A check rather than a benchmark: it has arguments and an exit status of its own.
    exit(runEVMDiff(Array(CommandLine.arguments.dropFirst(2))))
} else if requested == "all" {
    for name in allGroups { groups[name]!() }
} else if let group = groups[requested] {
    group()
} else {
    FileHandle.standardError.write("unknown benchmark group '\(requested)'; known: \(groups.keys.sorted().joined(separator: ", ")), all\n".data(using: .utf8)!)
    exit(2)
}
