import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP exchange with a deadline that holds whatever the transport does.
///
/// Why not `URLSession.data(for:)` with Swift task cancellation: on Linux a request whose task
/// is cancelled (as `async let` children are when a sibling throws) can leave its continuation
/// unresumed, and the awaiting audit then waits forever with no CPU. Here the completion-handler
/// API is used, nothing relies on cancellation reaching the transport, and a timer resumes the
/// caller when the deadline passes (the late answer, if any, is dropped).
enum HTTPDeadline {
    /// Resumes exactly once, whichever of the answer and the timer comes first.
    private final class Once: @unchecked Sendable {
        private let lock = NSLock()
        private var done = false
        func claim() -> Bool {
            lock.lock(); defer { lock.unlock() }
            if done { return false }
            done = true
            return true
        }
    }

    /// Timers of their own queue, so work queued on the global queues cannot hold them back.
    private static let deadlineQueue = DispatchQueue(label: "mledger.jsonrpc.deadline", qos: .userInitiated)

    enum Outcome {
        case answered(Data, URLResponse)
        case failed(any Error)
        case timedOut
    }

    static func send(_ request: URLRequest, session: URLSession, seconds: Double) async -> Outcome {
        await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
            let once = Once()
            let task = session.dataTask(with: request) { data, response, error in
                guard once.claim() else { return }
                if let data, let response { continuation.resume(returning: .answered(data, response)) }
                else if let error = error as? URLError, error.code == .timedOut {
                    // The transport's own timer came first (the timer below can be late on a busy machine).
                    continuation.resume(returning: .timedOut)
                } else { continuation.resume(returning: .failed(error ?? URLError(.badServerResponse))) }
            }
            deadlineQueue.asyncAfter(deadline: .now() + seconds) {
                guard once.claim() else { return }
                task.cancel()
                continuation.resume(returning: .timedOut)
            }
            task.resume()
        }
    }
}
