import Foundation
import RPC
import Primitives

/// When each block became visible to a client: the arrival time of its `newHeads`
/// notification on a WebSocket subscription of its own, or the first poll that saw the new
/// block number, whichever came first. Times are `DispatchTime` uptime nanoseconds.
final class NodeBenchHeadWatcher: @unchecked Sendable {
    private let lock = NSLock()
    private var arrivals: [UInt64: UInt64] = [:]
    private let socket: NodeBenchWebSocket
    private let finished = DispatchSemaphore(value: 0)

    /// Subscribes to `newHeads` and records arrivals on a thread of its own until `stop`.
    init(port: Int) throws {
        socket = try NodeBenchWebSocket(port: port)
        let reply = try socket.exchange(Array(NodeBenchRPC.callJSON(id: 1, method: "eth_subscribe", params: "[\"newHeads\"]").utf8))
        guard JSONValue.parse(reply)?["result"]?.stringValue != nil else {
            throw NodeBenchError.rpc("eth_subscribe newHeads: \(String(decoding: reply.prefix(200), as: UTF8.self))")
        }
        let thread = Thread { [self] in
            while let message = try? socket.receive() {
                let now = DispatchTime.now().uptimeNanoseconds
                guard let number = try? NodeBenchRPC.quantity(JSONValue.parse(message)?["params"]?["result"]?["number"]) else { continue }
                record(block: number, at: now)
            }
            finished.signal()
        }
        thread.name = "mledger-bench-heads"
        thread.start()
    }

    /// Notes that `block` was visible at `time` (keeps the earliest sighting).
    func record(block: UInt64, at time: UInt64) {
        lock.withLock {
            if let seen = arrivals[block], seen <= time { return }
            arrivals[block] = time
        }
    }

    func arrival(of block: UInt64) -> UInt64? { lock.withLock { arrivals[block] } }

    /// Closes the subscription connection and waits for the reader thread to end.
    func stop() {
        socket.disconnect()
        _ = finished.wait(timeout: .now() + 5)
    }
}
