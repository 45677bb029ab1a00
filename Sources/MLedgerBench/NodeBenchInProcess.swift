import Chain
import Foundation
import Node

/// The same signed transactions admitted and sealed inside this process through a
/// `LedgerNode` on a fresh dev chain (pool admission with signature recovery, EVM execution,
/// trie commit, synced LevelDB batch), with no JSON-RPC, HTTP or second process: the upper
/// bound the RPC figures are read against.
enum NodeBenchInProcess {
    struct Result {
        var count = 0
        var included = 0
        var blocks = 0
        /// `pool.add(raw:)` for every transaction.
        var admitSeconds = 0.0
        /// `sealer.sealNext()` until the pool has nothing executable.
        var sealSeconds = 0.0

        /// Admission then sealing on one thread.
        var perSecond: Double { Double(included) / max(admitSeconds + sealSeconds, 1e-9) }
        /// What two cores could reach if admission (RPC threads) and sealing (the sealer
        /// thread) overlapped perfectly, as they do in the node: the slower stage's rate.
        var overlappedPerSecond: Double {
            min(Double(count) / max(admitSeconds, 1e-9), Double(included) / max(sealSeconds, 1e-9))
        }
        var admitMicrosecondsPerTransaction: Double { admitSeconds * 1e6 / Double(max(count, 1)) }
        var sealedPerSecond: Double { Double(included) / max(sealSeconds, 1e-9) }
    }

    /// Funds the senders and deploys the storage contract (untimed), then times each
    /// workload in turn: all of it admitted, then sealed.
    static func run(genesisPath: String, workload: NodeBenchWorkload,
                    workloads: [[NodeBenchTransaction]]) throws -> [Result] {
        let directory = NSTemporaryDirectory() + "mledger-bench-inprocess-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (database, _, _) = try ChainDatabase.initialize(dataDirectory: directory, genesisPath: genesisPath)
        database.store.close()
        let node = try LedgerNode(dataDirectory: directory)
        defer { node.close() }
        guard node.sealer != nil else { throw NodeBenchError.setup("the in-process node has no sealer key") }

        let setup = try admitAndSeal(node, workload.funding + [workload.deployment])
        guard setup.included == setup.count else {
            throw NodeBenchError.setup("in-process funding: \(setup.included) of \(setup.count) transactions included")
        }
        return try workloads.map { try admitAndSeal(node, $0) }
    }

    private static func admitAndSeal(_ node: LedgerNode, _ transactions: [NodeBenchTransaction]) throws -> Result {
        guard let sealer = node.sealer else { throw NodeBenchError.setup("the in-process node has no sealer key") }
        var result = Result(count: transactions.count)
        let admitStart = DispatchTime.now().uptimeNanoseconds
        for transaction in transactions {
            do {
                try node.pool.add(raw: transaction.raw)
            } catch {
                throw NodeBenchError.setup("in-process pool refused a transaction: \(error)")
            }
        }
        let sealStart = DispatchTime.now().uptimeNanoseconds
        while let block = try sealer.sealNext() {
            result.blocks += 1
            result.included += block.body.transactions.count
        }
        let end = DispatchTime.now().uptimeNanoseconds
        result.admitSeconds = Double(sealStart - admitStart) / 1e9
        result.sealSeconds = Double(end - sealStart) / 1e9
        return result
    }
}
