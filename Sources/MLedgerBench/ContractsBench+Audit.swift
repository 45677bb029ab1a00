import Audit
import Contracts
import Foundation
import LedgerClient
import Logging
import Node
import Primitives
import RPC

/// A 3-level lineage (dataset → model → fine-tuned → snapshot) for the audit figures, and the
/// node's JSON-RPC served on a loopback port so that audits run as `mledger audit` runs them.
enum AuditBenchSetup {
    /// Deploys and finalizes three models, each citing `dataset`, each the parent of the next;
    /// returns the newest.
    static func registerLineage(sender: TransactionSender, dataset: Address, models: ModelRecordBinding) async throws -> Address {
        var parent = Address.zero
        var relation = ModelRelation.none
        for level in 0..<3 {
            let deploy = try models.deployData(ModelRegistration(
                modelId: "audit-level-\(level)", developerId: "bench", backend: "mledger/safetensors",
                architectureHash: Hash32(w0: 5, w1: 5, w2: 5, w3: UInt64(level)), hyperParameters: #"{"epochs":1}"#,
                seeds: [UInt256(7)], trainingRecipe: "mledger/energy-forecaster", datasets: [dataset],
                inputShape: [UInt256(24)], outputShape: [UInt256(1)], parameterCount: UInt256(100),
                parent: parent, relation: relation))
            let (model, _) = try await sender.deploy(initCode: deploy)
            _ = try await sender.transact(to: model, data: try models.finalize(weightsHash: Hash32(w0: 1, w1: 1, w2: 1, w3: UInt64(level)),
                                                                              metricsHash: .zero))
            parent = model
            relation = level == 0 ? .fineTunedFrom : .onlineSnapshotOf
        }
        return parent
    }

    /// Serves `node`'s JSON-RPC on 127.0.0.1 while `body` runs with its URL.
    static func withRPC<T>(_ node: LedgerNode, _ body: (URL) async throws -> T) async throws -> T {
        var logger = Logger(label: "mledger-bench")
        logger.logLevel = .critical  // the server's shutdown on cancellation is expected
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let application = RPCServer.makeApplication(dispatcher: node.dispatcher, host: "127.0.0.1", port: 0, logger: logger) { port in
            portContinuation.yield(port)
        }
        let server = Task { try await application.runService() }
        defer { server.cancel() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), let url = URL(string: "http://127.0.0.1:\(port)") else {
            throw LedgerClientError.transport("the JSON-RPC server did not start")
        }
        return try await body(url)
    }

    /// Seconds of `runs` audits, sorted, and the last report.
    static func time(_ runs: Int, _ audit: () async throws -> AuditReport) async throws -> ([Double], AuditReport?) {
        var times: [Double] = []
        var report: AuditReport?
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            report = try await audit()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return (times.sorted(), report)
    }
}

extension ContractsBench {
    /// Times full audits of a fresh 3-level lineage through `JSONRPCLedgerClient`. Returns the
    /// best and median seconds, the checks' verdict and the chain length the seal check walked.
    func timeAudit(node: LedgerNode, sender: TransactionSender, dataset: Address,
                   models: ModelRecordBinding) async throws -> (best: Double, median: Double, passed: Int, failed: Int, blocks: UInt64) {
        let newest = try await AuditBenchSetup.registerLineage(sender: sender, dataset: dataset, models: models)
        let (times, report) = try await AuditBenchSetup.withRPC(node) { url in
            let auditor = try LineageAuditor(client: try JSONRPCLedgerClient(url: url))
            return try await AuditBenchSetup.time(5) { try await auditor.audit(model: newest) }
        }
        let checks = report?.checks ?? []
        return (times[0], times[times.count / 2], checks.filter(\.passed).count, checks.filter { !$0.passed }.count,
                report?.blockNumber ?? 0)
    }
}
