import Foundation
import ML

/// Merges concurrent forecast requests into one forward pass per free model replica.
///
/// Why: a single window is a 1-row matrix product per GRU step, where the model spends its time
/// in per-step overhead rather than arithmetic; twenty concurrent single-window requests queued
/// one by one on two cores wait for twenty forward passes. Here a request that finds every
/// replica busy joins a queue, and the next replica to come free takes everything queued (up to
/// `maximumRows` windows) in one batched pass. A request that finds a replica free runs at once,
/// so an idle service adds no latency.
///
/// Batching changes no bit of any answer: each row of a batched product is summed in the same
/// order as that row alone (`MatMulKernel`), and the GRU treats rows independently, so a window
/// forecast alone or with others gives the same floats (OnlineLearningTests), which keeps signed
/// receipts reproducible.
final class ForecastBatcher: @unchecked Sendable {
    typealias Run = @Sendable (_ replica: Int, _ rows: [[Float]]) -> Tensor

    private struct Waiting {
        var rows: [[Float]]
        var continuation: CheckedContinuation<[[Float]], Never>
    }

    let replicas: Int
    let maximumRows: Int
    private let run: Run
    private let lock = NSLock()
    private var queue: [Waiting] = []
    private var freeReplicas: [Int]

    /// `run(replica, rows)` computes the outputs of `rows` (scaled windows) on one replica, one
    /// output row per input row; it is never called twice at once for the same replica.
    init(replicas: Int, maximumRows: Int = 64, run: @escaping Run) {
        self.replicas = replicas
        self.maximumRows = maximumRows
        self.run = run
        freeReplicas = Array((0..<replicas).reversed())
    }

    /// The output rows of `rows`, in order.
    func outputs(_ rows: [[Float]]) async -> [[Float]] {
        await withCheckedContinuation { continuation in
            lock.lock()
            queue.append(Waiting(rows: rows, continuation: continuation))
            guard let replica = freeReplicas.popLast() else {
                lock.unlock()
                return  // a busy replica's runner picks it up
            }
            lock.unlock()
            drain(on: replica)
        }
    }

    /// Runs one batch of queued requests on `replica`. If more wait, the next batch runs as a new
    /// task rather than in a loop here: the answered requests' tasks (JSON, HTTP) need the same
    /// few cooperative threads, and a loop would keep a thread from them while the queue refills.
    private func drain(on replica: Int) {
        lock.lock()
        guard !queue.isEmpty else {
            freeReplicas.append(replica)
            lock.unlock()
            return
        }
        var taken: [Waiting] = []
        var rowCount = 0
        while let first = queue.first, taken.isEmpty || rowCount + first.rows.count <= maximumRows {
            taken.append(queue.removeFirst())
            rowCount += first.rows.count
        }
        lock.unlock()
        let output = run(replica, taken.flatMap(\.rows))
        let width = output.shape.last ?? 0
        var row = 0
        for waiting in taken {
            let answer = (0..<waiting.rows.count).map { i in Array(output.scalars[(row + i) * width..<(row + i + 1) * width]) }
            row += waiting.rows.count
            waiting.continuation.resume(returning: answer)
        }
        lock.lock()
        let more = !queue.isEmpty
        if !more { freeReplicas.append(replica) }
        lock.unlock()
        if more { Task { self.drain(on: replica) } }
    }
}
