import Foundation
import Primitives
import RPC

/// What one batch push measured: replies counted per call, and when each batch was sent.
struct NodeBenchPush {
    var ok = 0
    var failed = 0
    var firstError: String?
    /// First send to last reply.
    var seconds = 0.0
    /// Uptime nanoseconds at which each batch's request started.
    var sendTimes: [UInt64] = []
}

/// What one workload measured over one transport.
struct NodeBenchLoadResult {
    var submitted = 0
    var push = NodeBenchPush()
    /// Workload transactions found in blocks after the push.
    var mined = 0
    /// First send to the arrival of the last block holding a workload transaction.
    var minedSeconds = 0.0
    /// Blocks that held workload transactions.
    var blocks = 0
    /// Send-to-visible-in-a-block latency of every `sampleEvery`-th transaction, milliseconds, sorted.
    var latenciesMs: [Double] = []

    var acceptedPerSecond: Double { Double(push.ok) / max(push.seconds, 1e-9) }
    var minedPerSecond: Double { Double(mined) / max(minedSeconds, 1e-9) }
    var blocksPerSecond: Double { Double(blocks) / max(minedSeconds, 1e-9) }

    /// Nearest-rank percentile of the sampled latencies (0 when none were sampled).
    func latencyMs(percentile p: Double) -> Double { percentile(latenciesMs, p) }
}

/// Drives request bodies through several connections at once and measures a workload from
/// the first send until its last transaction is in a block.
enum NodeBenchLoad {
    /// Pushes `bodies` (each a batch of `callsPerBody[i]` calls) through `transports`, one
    /// worker thread per transport, each sending its next body when the previous reply is in.
    static func push(_ bodies: [[UInt8]], callsPerBody: [Int], transports: [any NodeBenchBatchTransport]) -> NodeBenchPush {
        let shared = PushState(batches: bodies.count)
        let group = DispatchGroup()
        let start = DispatchTime.now().uptimeNanoseconds
        for transport in transports {
            group.enter()
            let worker = Thread {
                defer { group.leave() }
                while let index = shared.claim(below: bodies.count) {
                    let sent = DispatchTime.now().uptimeNanoseconds
                    let outcome = Result { try transport.exchange(bodies[index]) }
                        .flatMap { reply in Result { try NodeBenchRPC.tally(reply, expected: callsPerBody[index]) } }
                    shared.finish(index, sent: sent, replied: DispatchTime.now().uptimeNanoseconds,
                                  outcome: outcome, calls: callsPerBody[index])
                }
            }
            worker.name = "mledger-bench-push"
            worker.start()
        }
        group.wait()
        return shared.result(since: start)
    }

    /// The push workers' shared progress, behind one lock.
    private final class PushState: @unchecked Sendable {
        private let lock = NSLock()
        private var next = 0
        private var lastReply: UInt64 = 0
        private var push = NodeBenchPush()

        init(batches: Int) { push.sendTimes = [UInt64](repeating: 0, count: batches) }

        /// The next batch to send, nil when all are taken.
        func claim(below count: Int) -> Int? {
            lock.withLock {
                guard next < count else { return nil }
                defer { next += 1 }
                return next
            }
        }

        func finish(_ index: Int, sent: UInt64, replied: UInt64,
                    outcome: Result<(ok: Int, failed: Int, firstError: String?), any Error>, calls: Int) {
            lock.withLock {
                push.sendTimes[index] = sent
                lastReply = max(lastReply, replied)
                switch outcome {
                case .success(let tally):
                    push.ok += tally.ok
                    push.failed += tally.failed
                    if push.firstError == nil { push.firstError = tally.firstError }
                case .failure(let error):
                    push.failed += calls
                    if push.firstError == nil { push.firstError = "\(error)" }
                }
            }
        }

        func result(since start: UInt64) -> NodeBenchPush {
            lock.withLock {
                var result = push
                result.seconds = Double(lastReply &- start) / 1e9
                return result
            }
        }
    }

    /// Batch bodies of `eth_sendRawTransaction` calls, `batchSize` per body.
    static func sendBodies(_ transactions: [NodeBenchTransaction], batchSize: Int) -> (bodies: [[UInt8]], counts: [Int]) {
        var bodies = [[UInt8]](), counts = [Int]()
        for start in stride(from: 0, to: transactions.count, by: batchSize) {
            let end = min(start + batchSize, transactions.count)
            bodies.append(NodeBenchRPC.batch((start..<end).map {
                NodeBenchRPC.callJSON(id: $0, method: "eth_sendRawTransaction", params: "[\"\(transactions[$0].rawHex)\"]")
            }))
            counts.append(end - start)
        }
        return (bodies, counts)
    }

    /// Sends `transactions` in batches through `transports`, waits until the node has mined
    /// as many as it accepted (or `settleSeconds` pass without a new block), then reads the
    /// blocks to count the workload's transactions and time them.
    static func run(_ transactions: [NodeBenchTransaction], batchSize: Int, transports: [any NodeBenchBatchTransport],
                    control: NodeBenchHTTPClient, port: Int, sampleEvery: Int = 50,
                    settleSeconds: Double = 30) throws -> NodeBenchLoadResult {
        let startBlock = try NodeBenchRPC.quantity(control.call("eth_blockNumber"))
        let watcher = try NodeBenchHeadWatcher(port: port)
        defer { watcher.stop() }
        let (bodies, counts) = sendBodies(transactions, batchSize: batchSize)

        // A poller counts mined transactions while the push runs, so the wait below ends
        // as soon as everything accepted is in a block.
        let poll = NodeBenchBlockPoller(control: control, watcher: watcher, after: startBlock)
        poll.start()
        var result = NodeBenchLoadResult(submitted: transactions.count)
        result.push = push(bodies, callsPerBody: counts, transports: transports)
        let headBlock = poll.waitUntilMined(result.push.ok, settleSeconds: settleSeconds)
        poll.stop()
        guard headBlock > startBlock else { return result }

        // Which block holds which workload transaction.
        var blockOf = [Hash32: UInt64]()
        for first in stride(from: startBlock + 1, through: headBlock, by: 16) {
            let numbers = Array(first...min(first + 15, headBlock))
            let body = NodeBenchRPC.batch(numbers.map {
                NodeBenchRPC.callJSON(id: Int($0), method: "eth_getBlockByNumber", params: "[\"0x\(String($0, radix: 16))\",false]")
            })
            guard let replies = JSONValue.parse(try control.exchange(body))?.arrayValue else {
                throw NodeBenchError.rpc("eth_getBlockByNumber batch: reply is not a JSON array")
            }
            for reply in replies {
                let number = try NodeBenchRPC.quantity(reply["result"]?["number"])
                for hash in reply["result"]?["transactions"]?.arrayValue ?? [] {
                    if let text = hash.stringValue, let value = try? Hash32(hex: text) { blockOf[value] = number }
                }
            }
        }
        let start = result.push.sendTimes.min() ?? 0
        var lastArrival: UInt64 = start
        var blocks = Set<UInt64>()
        for (index, transaction) in transactions.enumerated() {
            guard let block = blockOf[transaction.hash] else { continue }
            result.mined += 1
            blocks.insert(block)
            guard let arrival = watcher.arrival(of: block) else { continue }
            lastArrival = max(lastArrival, arrival)
            if index % sampleEvery == 0 {
                let sent = result.push.sendTimes[index / batchSize]
                result.latenciesMs.append(Double(arrival &- sent) / 1e6)
            }
        }
        result.blocks = blocks.count
        result.minedSeconds = Double(lastArrival &- start) / 1e9
        result.latenciesMs.sort()
        return result
    }
}

/// Polls `eth_blockNumber` every few milliseconds on its own connection, counts the
/// transactions of each new block, and tells the head watcher when it saw a block first.
final class NodeBenchBlockPoller: @unchecked Sendable {
    private let control: NodeBenchHTTPClient
    private let watcher: NodeBenchHeadWatcher
    private let condition = NSCondition()
    private var counted: UInt64
    private var minedCount = 0
    private var lastProgress = DispatchTime.now().uptimeNanoseconds
    private var running = true
    private var pollError: String?

    init(control: NodeBenchHTTPClient, watcher: NodeBenchHeadWatcher, after block: UInt64) {
        self.control = control; self.watcher = watcher; counted = block
    }

    func start() {
        let thread = Thread { [self] in
            while condition.withLock({ running }) {
                do {
                    let head = try NodeBenchRPC.quantity(control.call("eth_blockNumber"))
                    let seen = DispatchTime.now().uptimeNanoseconds
                    var next = condition.withLock { counted } + 1
                    while next <= head {
                        watcher.record(block: next, at: seen)
                        let count = try NodeBenchRPC.quantity(control.call("eth_getBlockTransactionCountByNumber",
                                                                           "[\"0x\(String(next, radix: 16))\"]"))
                        condition.withLock {
                            counted = next
                            minedCount += Int(count)
                            lastProgress = DispatchTime.now().uptimeNanoseconds
                            condition.broadcast()
                        }
                        next += 1
                    }
                } catch {
                    condition.withLock { pollError = "\(error)"; condition.broadcast() }
                }
                usleep(5_000)
            }
        }
        thread.name = "mledger-bench-poll"
        thread.start()
    }

    /// Waits until `target` transactions are mined or no block arrived for `settleSeconds`;
    /// returns the last block counted.
    func waitUntilMined(_ target: Int, settleSeconds: Double) -> UInt64 {
        condition.lock()
        defer { condition.unlock() }
        while minedCount < target {
            let idle = Double(DispatchTime.now().uptimeNanoseconds &- lastProgress) / 1e9
            if idle > settleSeconds {
                FileHandle.standardError.write(Data("mined \(minedCount) of \(target) accepted; no new block for \(Int(settleSeconds)) s\(pollError.map { " (last poll error: \($0))" } ?? "")\n".utf8))
                break
            }
            _ = condition.wait(until: Date().addingTimeInterval(0.05))
        }
        return counted
    }

    func stop() { condition.withLock { running = false } }
}
