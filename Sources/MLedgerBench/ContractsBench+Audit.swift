import Audit
import Contracts
import Foundation
import LedgerClient
import Logging
import Node
import Primitives
import RPC

extension ContractsBench {
    /// Registers a 3-level lineage (dataset → model → fine-tuned → snapshot), serves the node's
    /// JSON-RPC on a loopback port and times full audits of the newest model through
    /// `JSONRPCLedgerClient`, as `mledger audit` runs them. Returns the best and median seconds,
    /// the checks' verdict and the chain length the seal check walked.
    func timeAudit(node: LedgerNode, sender: TransactionSender, dataset: Address,
                   models: ModelRecordBinding) async throws -> (best: Double, median: Double, passed: Int, failed: Int, blocks: UInt64) {
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
        let auditor = try LineageAuditor(client: try JSONRPCLedgerClient(url: url))
        var times: [Double] = []
        var report: AuditReport?
        for _ in 0..<5 {
            let start = DispatchTime.now().uptimeNanoseconds
            report = try await auditor.audit(model: parent)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        times.sort()
        let checks = report?.checks ?? []
        return (times[0], times[times.count / 2], checks.filter(\.passed).count, checks.filter { !$0.passed }.count,
                report?.blockNumber ?? 0)
    }
}
