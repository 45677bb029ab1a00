import Contracts
import LedgerCrypto
import Datasets
import Foundation
import Primitives

/// Dataset scan throughput beside its references (reading the same file, Keccak-256 of the same
/// bytes), and ABI encode/decode of a ModelRecord deployment.
func runDatasetsBenchmarks() {
    print("== datasets ==")
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mledger-bench-\(getpid())")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }

    // 64 MiB of float32 samples with 16 features, as an NPY file.
    let rows = 1 << 20, cols = 16
    var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(rows), \(cols)), }"
    header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
    var file = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xff), UInt8(header.utf8.count >> 8)])
    file.append(contentsOf: Array(header.utf8))
    var payload = [Float](repeating: 0, count: rows * cols)
    for i in payload.indices { payload[i] = Float(i % 1000) * 0.25 + 1e4 }
    payload.withUnsafeBytes { file.append(contentsOf: $0) }
    let path = dir.appendingPathComponent("bench.npy").path
    guard FileManager.default.createFile(atPath: path, contents: file) else { print("cannot write \(path)"); return }
    let megabytes = Double(file.count) / 1_048_576

    let readOnly = measure(seconds: 1, rounds: 3) { _ = FileManager.default.contents(atPath: path) }
    let keccakOnly = measure(seconds: 1, rounds: 3) { _ = Keccak256.hash(file) }
    let scan = measure(seconds: 2, rounds: 3) { _ = try? DatasetScanner.scan(path: path) }
    report("dataset scan npy f32 64 MiB (commit+stats)", megabytes / scan, "MiB/s",
           reference: String(format: "read %.0f MiB/s, keccak %.0f MiB/s", megabytes / readOnly, megabytes / keccakOnly))

    let csv = "/work/shared/datasets/pv-greensboro-hourly.csv"
    if FileManager.default.fileExists(atPath: csv) {
        let csvScan = measure { _ = try? DatasetScanner.scan(path: csv) }
        report("dataset scan csv 8760 rows", 8760 / csvScan, "rows/s")
    }

    guard let binding = try? ModelRecordBinding() else { return }
    let registration = ModelRegistration(
        modelId: "bench-model", developerId: "dev", backend: "mledger/safetensors",
        architectureHash: Keccak256.hash([1]), hyperParameters: #"{"hidden":32,"lr":0.001}"#, seeds: [UInt256(42)],
        trainingRecipe: "builtin:gru", datasets: [Address.zero], inputShape: [UInt256(24)], outputShape: [UInt256(1)],
        parameterCount: UInt256(3_000))
    let types = binding.artifact.abi.constructor.inputs.map(\.type)
    let encode = measure { _ = try? binding.deployData(registration) }
    let args = (try? binding.deployData(registration).dropFirst(binding.artifact.initCode.count)).map(Array.init) ?? []
    let decode = measure { _ = try? ABIDecoder.decode(types, from: args) }
    report("abi ModelRecord deploy data encode", 1 / encode, "ops/s")
    report("abi ModelRecord constructor args decode", 1 / decode, "ops/s")
}
