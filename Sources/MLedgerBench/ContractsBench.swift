import Chain
import Contracts
import Foundation
import LedgerClient
import Node
import Primitives

/// Record registrations per second through the in-process path (sign in process with
/// `TransactionSender`, submit to the node's pool, instant sealing, receipt wait), beside plain
/// value transfers through the same path measured in the same run.
///
/// A dataset registration is DatasetRecord deploy + finalize; a model registration is
/// ModelRecord deploy (citing a finalized dataset) + finalize, both sent back to back and then
/// confirmed. Each worker runs its registrations one after another; many workers over the four
/// dev accounts keep many transactions in flight, so blocks carry batches.
func runContractsBenchmarks() {
    print("== contracts ==")
    let done = DispatchSemaphore(value: 0)
    Task {
        do { try await ContractsBench().run() } catch { print("contracts benchmark failed: \(error)") }
        done.signal()
    }
    done.wait()
}

struct ContractsBench {
    /// In-flight workers per account (`MLEDGER_BENCH_WORKERS` overrides).
    var workersPerAccount = Int(ProcessInfo.processInfo.environment["MLEDGER_BENCH_WORKERS"] ?? "") ?? 16
    /// Registrations (or transfers) per measured run (`MLEDGER_BENCH_RECORDS` overrides).
    var total = Int(ProcessInfo.processInfo.environment["MLEDGER_BENCH_RECORDS"] ?? "") ?? 2_048

    static var genesisPath: String {
        let fromSource = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("genesis/dev.json").path
        return FileManager.default.fileExists(atPath: fromSource) ? fromSource : "genesis/dev.json"
    }

    func run() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mledger-bench-contracts-\(getpid())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (database, _, _) = try ChainDatabase.initialize(dataDirectory: directory.path, genesisPath: Self.genesisPath)
        database.store.close()
        let node = try LedgerNode(dataDirectory: directory.path, sealing: .instant)
        defer { node.close() }
        guard let sealer = node.sealer else { print("no sealer: cannot measure"); return }
        sealer.start()
        let client = node.makeClient()
        var senders: [TransactionSender] = []
        for key in DevelopmentAccounts.accountKeys {
            guard let signingKey = SigningKey(privateKey: key) else { continue }
            senders.append(try await TransactionSender.make(client: client, key: signingKey))
        }
        let datasetBinding = try DatasetRecordBinding()
        let modelBinding = try ModelRecordBinding()

        // Gas limits measured once by estimation, then given, as a batch submitter would.
        let content = DatasetContent(commitment: Hash32(w0: 1, w1: 2, w2: 3, w3: 4), sizeBytes: UInt256(1_048_576),
                                     sampleCount: UInt256(60_000), sampleShape: [UInt256(28), UInt256(28)], schemaHash: .zero)
        let datasetDeploy = try datasetBinding.deployData(datasetId: "bench-dataset", content: content)
        let datasetGas = try await senders[0].estimate(to: nil, data: datasetDeploy)
        let finalizeGas: UInt64 = 120_000

        // Each account's models cite a dataset of its own (datasets are citable by their owner).
        var ownDatasets: [Address: Address] = [:]
        for sender in senders {
            let (dataset, _) = try await sender.deploy(initCode: datasetDeploy, gasLimit: datasetGas)
            _ = try await sender.transact(to: dataset, data: try datasetBinding.finalize(), gasLimit: finalizeGas)
            ownDatasets[sender.address] = dataset
        }
        let citable = ownDatasets
        @Sendable func modelDeploy(_ sender: TransactionSender, _ index: Int) throws -> [UInt8] {
            try modelBinding.deployData(ModelRegistration(
                modelId: "bench-model-\(index)", developerId: "bench", backend: "mledger/safetensors",
                architectureHash: Hash32(w0: 9, w1: 9, w2: 9, w3: UInt64(index)), hyperParameters: #"{"epochs":3,"lr":0.001}"#,
                seeds: [UInt256(42)], trainingRecipe: "mledger/energy-forecaster", datasets: [citable[sender.address] ?? .zero],
                inputShape: [UInt256(24), UInt256(1)], outputShape: [UInt256(1)], parameterCount: UInt256(5_057)))
        }
        let modelGas = try await senders[0].estimate(to: nil, data: try modelDeploy(senders[0], 0))
        let weights = Hash32(w0: 7, w1: 7, w2: 7, w3: 7)

        let blocksBefore = try await client.blockNumber()
        let transfers = try await measure(senders) { sender, _ in
            _ = try await sender.transact(to: Address(hi: 0, mid: 0, lo: 0xbe), data: [], value: UInt256(1), gasLimit: 21_000)
        }
        // Deploy and finalize go out back to back: the record's address follows from the nonce,
        // so the finalize can ride in the same block; then both receipts are confirmed.
        let datasets = try await measure(senders) { sender, _ in
            let deploy = try await sender.send(to: nil, data: datasetDeploy, gasLimit: datasetGas)
            let finalize = try await sender.send(to: deploy.contractAddress, data: try datasetBinding.finalize(), gasLimit: finalizeGas)
            _ = try await sender.confirm(deploy)
            _ = try await sender.confirm(finalize)
        }
        let models = try await measure(senders) { sender, index in
            let deploy = try await sender.send(to: nil, data: try modelDeploy(sender, index), gasLimit: modelGas)
            let finalize = try await sender.send(to: deploy.contractAddress,
                                                 data: try modelBinding.finalize(weightsHash: weights, metricsHash: .zero),
                                                 gasLimit: finalizeGas)
            _ = try await sender.confirm(deploy)
            _ = try await sender.confirm(finalize)
        }
        let blocks = try await client.blockNumber() - blocksBefore
        let inFlight = workersPerAccount * senders.count
        let reference = String(format: "transfers %.0f/s same path (%d in flight)", Double(total) / transfers, inFlight)
        report("dataset registrations (deploy+finalize)", Double(total) / datasets, "records/s", reference: reference)
        report("model registrations (deploy+finalize)", Double(total) / models, "records/s", reference: reference)
        var load = [Double](repeating: 0, count: 1)
        _ = getloadavg(&load, 1)
        report("record deployments, datasets and models", Double(2 * total) / (datasets + models), "deploys/s",
               reference: String(format: "%d txs in %d blocks; load %.1f on %d cores", 5 * total, blocks, load[0],
                                 ProcessInfo.processInfo.activeProcessorCount))
        let audit = try await timeAudit(node: node, sender: senders[0], dataset: ownDatasets[senders[0].address] ?? .zero,
                                        models: modelBinding)
        report("full audit, 3-level lineage over JSON-RPC", audit.median * 1_000, "ms",
               reference: String(format: "best %.0f ms; %d passed, %d failed; %d headers checked (target < 1 s)",
                                 audit.best * 1_000, audit.passed, audit.failed, audit.blocks + 1))
    }

    /// Runs `total` operations over `workersPerAccount` workers per sender; returns seconds.
    func measure(_ senders: [TransactionSender],
                 _ operation: @escaping @Sendable (TransactionSender, Int) async throws -> Void) async throws -> Double {
        let workers = workersPerAccount * senders.count
        let start = DispatchTime.now().uptimeNanoseconds
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<workers {
                let sender = senders[worker % senders.count]
                group.addTask {
                    var index = worker
                    while index < total {
                        try await operation(sender, index)
                        index += workers
                    }
                }
            }
            try await group.waitForAll()
        }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}
