import LedgerCrypto
import Foundation
import Primitives
import RPC

/// `mledger-bench node [--txs N] [--writes N] [--senders N] [--batch N] [--connections N]
/// [--genesis FILE] [--no-in-process]`: the real node (`mledger run`, started beside this
/// executable) loaded over JSON-RPC from this process, HTTP batches and WebSocket, with value
/// transfers and contract-storage writes. Every figure prints beside references measured in
/// the same run: the same transactions admitted and sealed in-process (no RPC: the upper
/// bound) and a no-op batch (`web3_clientVersion`) over the same transport (its ceiling).
func runNodeBenchmarks() {
    let options: NodeBenchOptions
    do {
        options = try NodeBenchOptions(arguments: Array(CommandLine.arguments.dropFirst(2)))
    } catch {
        FileHandle.standardError.write(Data("\(error)\n\(NodeBenchOptions.usage)\n".utf8))
        exit(2)
    }
    do {
        try NodeBench(options: options).run()
    } catch {
        FileHandle.standardError.write(Data("node bench failed: \(error)\n".utf8))
        exit(1)
    }
}

/// Settings of one `mledger-bench node` run.
struct NodeBenchOptions {
    var transfers = 10_000
    var writes = 5_000
    var senders = 200
    var batchSize = 250
    var connections = 4
    var genesisPath = "genesis/dev.json"
    var inProcess = true

    static let usage = "usage: mledger-bench node [--txs N] [--writes N] [--senders N] [--batch N] [--connections N] [--genesis FILE] [--no-in-process]"

    init(arguments: [String]) throws {
        var remaining = arguments[...]
        func number(_ flag: String) throws -> Int {
            guard let text = remaining.popFirst(), let value = Int(text), value > 0 else {
                throw NodeBenchError.setup("\(flag) needs a positive whole number")
            }
            return value
        }
        while let flag = remaining.popFirst() {
            switch flag {
            case "--txs": transfers = try number(flag)
            case "--writes": writes = try number(flag)
            case "--senders": senders = try number(flag)
            case "--batch": batchSize = try number(flag)
            case "--connections": connections = try number(flag)
            case "--genesis":
                guard let path = remaining.popFirst() else { throw NodeBenchError.setup("--genesis needs a file") }
                genesisPath = path
            case "--no-in-process": inProcess = false
            case "--help", "-h": print(Self.usage); exit(0)
            default: throw NodeBenchError.setup("unknown option \(flag)")
            }
        }
        // The node's default limits: 1,000 calls per batch, 4,096 pooled transactions per sender.
        guard batchSize <= 1_000 else { throw NodeBenchError.setup("--batch is at most 1000 (the node's batch limit)") }
        guard max(transfers, writes) / senders < 4_000 else {
            throw NodeBenchError.setup("more than 4,000 transactions per sender: raise --senders")
        }
    }
}

/// One run: sign, measure in-process, start the node, measure over both transports, stop.
struct NodeBench {
    let options: NodeBenchOptions

    func run() throws {
        let o = options
        print("== node (mledger run as its own process, JSON-RPC on 127.0.0.1; \(o.transfers) transfers and \(o.writes) storage writes per transport, \(o.senders) senders each, batches of \(o.batchSize) over \(o.connections) connections)")
        print("load average at start: \(Self.loadAverage())")
        let workload = try NodeBenchWorkload(scenarios: 4, sendersPerScenario: o.senders)
        let transfersHTTP = try workload.transfers(scenario: 0, count: o.transfers)
        let transfersWS = try workload.transfers(scenario: 1, count: o.transfers)
        let writesHTTP = try workload.storageWrites(scenario: 2, count: o.writes, firstSlot: 1)
        let writesWS = try workload.storageWrites(scenario: 3, count: o.writes, firstSlot: 1 + UInt64(o.writes))

        var inProcess: [NodeBenchInProcess.Result] = []
        if o.inProcess {
            inProcess = try NodeBenchInProcess.run(genesisPath: o.genesisPath, workload: workload,
                                                   workloads: [transfersHTTP, writesHTTP])
            for (name, result) in zip(["transfers", "storage writes"], inProcess) {
                report("in-process \(name), admit then seal", result.perSecond, "tx/s",
                       reference: String(format: "(reference: pool.add + sealNext, no RPC; admit %.1f us/tx, seal %.0f tx/s, %d blocks)",
                                         result.admitMicrosecondsPerTransaction, result.sealedPerSecond, result.blocks))
                report("in-process \(name), overlapped bound", result.overlappedPerSecond, "tx/s",
                       reference: "(reference: the slower of admission and sealing, as if on two cores)")
            }
        }

        let node = try NodeBenchProcess(genesisPath: o.genesisPath)
        defer { node.stop() }
        print("node pid \(node.processIdentifier) on 127.0.0.1:\(node.port)")
        let control = NodeBenchHTTPClient(port: node.port, connections: 2)
        let http = NodeBenchHTTPClient(port: node.port, connections: o.connections)
        let httpTransports = [any NodeBenchBatchTransport](repeating: http, count: o.connections)

        try setUp(workload, control: control, http: http, port: node.port)

        let batches = (o.transfers + o.batchSize - 1) / o.batchSize
        let httpCeiling = noOpCeiling(batches: batches, transports: httpTransports)
        report("no-op batch HTTP (web3_clientVersion)", httpCeiling, "calls/s", reference: "(reference: transport ceiling)")
        let transfersOverHTTP = try NodeBenchLoad.run(transfersHTTP, batchSize: o.batchSize, transports: httpTransports,
                                                      control: control, port: node.port)
        print(row("transfers HTTP", transfersOverHTTP, target: 5_000, inProcess: inProcess.first, ceiling: httpCeiling))

        let sockets = try (0..<o.connections).map { _ in try NodeBenchWebSocket(port: node.port) }
        defer { sockets.forEach { $0.disconnect() } }
        let wsCeiling = noOpCeiling(batches: batches, transports: sockets)
        report("no-op batch WebSocket (web3_clientVersion)", wsCeiling, "calls/s", reference: "(reference: transport ceiling)")
        let transfersOverWS = try NodeBenchLoad.run(transfersWS, batchSize: o.batchSize, transports: sockets,
                                                    control: control, port: node.port)
        print(row("transfers WebSocket", transfersOverWS, target: 5_000, inProcess: inProcess.first, ceiling: wsCeiling))

        let writesOverHTTP = try NodeBenchLoad.run(writesHTTP, batchSize: o.batchSize, transports: httpTransports,
                                                   control: control, port: node.port)
        print(row("storage writes HTTP", writesOverHTTP, target: 2_000, inProcess: inProcess.dropFirst().first, ceiling: httpCeiling))
        let writesOverWS = try NodeBenchLoad.run(writesWS, batchSize: o.batchSize, transports: sockets,
                                                 control: control, port: node.port)
        print(row("storage writes WebSocket", writesOverWS, target: 2_000, inProcess: inProcess.dropFirst().first, ceiling: wsCeiling))

        try checkStorage(workload, control: control, firstSlot: 1, writer: workload.scenarioKeys[2][0])
        print("load average at end: \(Self.loadAverage())")
    }

    /// Funds the senders and deploys the storage contract, and checks both landed.
    private func setUp(_ workload: NodeBenchWorkload, control: NodeBenchHTTPClient, http: NodeBenchHTTPClient, port: Int) throws {
        let funded = try NodeBenchLoad.run(workload.funding + [workload.deployment], batchSize: min(options.batchSize, 1_000),
                                           transports: [http], control: control, port: port)
        guard funded.mined == funded.submitted else {
            throw NodeBenchError.setup("funding: \(funded.mined) of \(funded.submitted) transactions mined; first error: \(funded.push.firstError ?? "none")")
        }
        let code = try control.call("eth_getCode", "[\"\(workload.contract)\",\"latest\"]").stringValue
        guard code == Hex.encode(NodeBenchWorkload.storageRuntime) else {
            throw NodeBenchError.setup("storage contract at \(workload.contract) has code \(code ?? "none")")
        }
    }

    /// The first storage write's slot must hold its sender (the contract stores CALLER).
    private func checkStorage(_ workload: NodeBenchWorkload, control: NodeBenchHTTPClient, firstSlot: UInt64,
                              writer: [UInt8]) throws {
        let stored = try control.call("eth_getStorageAt", "[\"\(workload.contract)\",\"0x\(String(firstSlot, radix: 16))\",\"latest\"]")
        let expected = try UInt256(bigEndian: LedgerCrypto.Secp256k1.address(ofPrivateKey: writer).bytes)
        guard let text = stored.stringValue, (try? UInt256(hex: text)) == expected else {
            throw NodeBenchError.rpc("slot \(firstSlot) holds \(stored.serialized), expected the writer \(expected)")
        }
    }

    /// `web3_clientVersion` batches of the same size and count as the load.
    private func noOpCeiling(batches: Int, transports: [any NodeBenchBatchTransport]) -> Double {
        let body = NodeBenchRPC.batch((0..<options.batchSize).map {
            NodeBenchRPC.callJSON(id: $0, method: "web3_clientVersion", params: "[]")
        })
        let push = NodeBenchLoad.push([[UInt8]](repeating: body, count: batches),
                                      callsPerBody: [Int](repeating: options.batchSize, count: batches), transports: transports)
        if push.failed > 0 { print("no-op batches: \(push.failed) calls failed: \(push.firstError ?? "")") }
        return Double(push.ok) / max(push.seconds, 1e-9)
    }

    /// The figures of one workload over one transport, each with its references.
    private func row(_ name: String, _ result: NodeBenchLoadResult, target: Int, inProcess: NodeBenchInProcess.Result?,
                     ceiling: Double) -> String {
        var lines: [String] = []
        func add(_ label: String, _ value: Double, _ unit: String, _ reference: String) {
            let figure = String(format: "%12.2f", value)
            lines.append("\(label.padding(toLength: 44, withPad: " ", startingAt: 0)) \(figure) \(unit.padding(toLength: 10, withPad: " ", startingAt: 0)) \(reference)")
        }
        let upper = inProcess.map { String(format: "in-process %.0f serial, %.0f overlapped", $0.perSecond, $0.overlappedPerSecond) }
            ?? "in-process not run"
        add("node \(name) accepted", result.acceptedPerSecond, "tx/s",
            "(\(upper); " + String(format: "no-op ceiling %.0f calls/s; %d of %d accepted)", ceiling, result.push.ok, result.submitted))
        add("node \(name) mined", result.minedPerSecond, "tx/s",
            "(target >= \(target); \(upper); \(result.mined) mined)")
        add("node \(name) latency p50", result.latencyMs(percentile: 50), "ms",
            String(format: "(send to block visible, %d sampled; p99 below)", result.latenciesMs.count))
        add("node \(name) latency p99", result.latencyMs(percentile: 99), "ms", "")
        add("node \(name) blocks", result.blocksPerSecond, "blocks/s",
            String(format: "(%d blocks, %.0f tx/block)", result.blocks, Double(result.mined) / Double(max(result.blocks, 1))))
        if let error = result.push.firstError {
            lines.append("  \(result.push.failed) calls failed; first error: \(error.prefix(200))")
        }
        return lines.joined(separator: "\n")
    }

    /// The 1, 5 and 15 minute load averages: the machine is shared, so figures need context.
    static func loadAverage() -> String {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "unknown"
    }
}
