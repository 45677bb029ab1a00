import Audit
import Chain
import Contracts
import Foundation
import LedgerClient
import Node
import Primitives

/// `mledger-bench audit [--blocks N]`: audits of a 3-level lineage on a chain of N blocks
/// (default 1,000,000), from scratch and from the auditor's checkpoint, over JSON-RPC as
/// `mledger audit` runs them. Reference in the same run: the in-process seal check alone
/// (`Sealer.verify` on headers read from the database), the floor of any from-scratch walk.
func runAuditBenchmarks() {
    print("== audit ==")
    var blocks: UInt64 = 1_000_000
    let arguments = Array(CommandLine.arguments.dropFirst(2))
    if let i = arguments.firstIndex(of: "--blocks"), i + 1 < arguments.count, let n = UInt64(arguments[i + 1]) { blocks = n }
    let done = DispatchSemaphore(value: 0)
    Task {
        do { try await AuditBench(blocks: blocks).run() } catch { print("audit benchmark failed: \(error)") }
        done.signal()
    }
    done.wait()
}

struct AuditBench {
    let blocks: UInt64
    /// Blocks added between the checkpoint and the incremental audit.
    let newBlocks: UInt64 = 10

    func run() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mledger-bench-audit-\(getpid())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (database, _, _) = try ChainDatabase.initialize(dataDirectory: directory.path, genesisPath: ContractsBench.genesisPath)
        database.store.close()
        // Without an fsync per block: building a million blocks is setup, not the figure.
        let node = try LedgerNode(dataDirectory: directory.path, sealing: .instant, durable: false)
        defer { node.close() }
        guard let sealer = node.sealer else { print("no sealer: cannot measure"); return }
        sealer.start()
        defer { sealer.stop() }
        let client = node.makeClient()
        guard let key = SigningKey(privateKey: DevelopmentAccounts.accountKeys[0]) else { return }
        let sender = try await TransactionSender.make(client: client, key: key)
        let datasets = try DatasetRecordBinding()
        let content = DatasetContent(commitment: Hash32(w0: 1, w1: 2, w2: 3, w3: 4), sizeBytes: UInt256(4_096),
                                     sampleCount: UInt256(100), sampleShape: [UInt256(4)], schemaHash: .zero)
        let (dataset, _) = try await sender.deploy(initCode: try datasets.deployData(datasetId: "audit-bench", content: content))
        _ = try await sender.transact(to: dataset, data: try datasets.finalize())
        let newest = try await AuditBenchSetup.registerLineage(sender: sender, dataset: dataset, models: try ModelRecordBinding())

        // Empty sealed blocks up to the requested length.
        let buildStart = DispatchTime.now().uptimeNanoseconds
        var head = node.database.head?.number ?? 0
        var lastPrint = buildStart
        while head < blocks {
            try sealer.sealNext(allowEmpty: true)
            head += 1
            let now = DispatchTime.now().uptimeNanoseconds
            if now - lastPrint > 10_000_000_000 {
                FileHandle.standardError.write(Data("  built \(head) of \(blocks) blocks\n".utf8))
                lastPrint = now
            }
        }
        let buildSeconds = Double(DispatchTime.now().uptimeNanoseconds - buildStart) / 1e9
        print(String(format: "chain of %llu blocks built in %.1f s (setup, not a figure)", head, buildSeconds))

        // Reference: the seal check alone, in process, on up to 100,000 headers from the database.
        let sample = min(head, 100_000)
        let genesisSealer = try node.genesis.sealer
        let sealStart = DispatchTime.now().uptimeNanoseconds
        for number in (head - sample + 1)...head {
            guard let header = try node.database.header(number: number) else { continue }
            try Sealer.verify(header, sealer: genesisSealer)
        }
        let sealMicros = Double(DispatchTime.now().uptimeNanoseconds - sealStart) / 1e3 / Double(sample)

        try await AuditBenchSetup.withRPC(node) { url in
            let auditor = try LineageAuditor(client: try JSONRPCLedgerClient(url: url, timeoutSeconds: 120))
            let (full, fullReport) = try await AuditBenchSetup.time(1) { try await auditor.audit(model: newest) }
            guard let passing = fullReport, passing.allPassed, let checkpoint = passing.checkpoint else {
                print("the from-scratch audit did not pass:\n\(fullReport?.text ?? "no report")")
                return
            }
            report("audit from scratch, \(head) blocks", full[0], "s",
                   reference: String(format: "%.1f µs/header vs in-process seal check %.1f µs/header; %d passed",
                                     full[0] * 1e6 / Double(head), sealMicros, passing.passedCount))
            for _ in 0..<newBlocks { try sealer.sealNext(allowEmpty: true) }
            let (incremental, last) = try await AuditBenchSetup.time(7) { try await auditor.audit(model: newest, checkpoint: checkpoint) }
            report("incremental audit, checkpoint + \(newBlocks) blocks", incremental[incremental.count / 2] * 1e3, "ms",
                   reference: String(format: "best %.1f ms; ", incremental[0] * 1e3)
                    + (last?.allPassed == true ? "all checks pass" : "FAILED") + "; target < 100 ms at any chain length")
        }
    }
}
