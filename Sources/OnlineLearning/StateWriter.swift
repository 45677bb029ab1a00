import Dispatch
import Foundation
import Logging

/// Writes a service's `state.json` in the order states were produced, from the service actor
/// (`writeNow`: the write is on disk when it returns) or from a background queue (`writeSoon`:
/// the actor goes on serving while the file is encoded, written and renamed). A state is never
/// written over a newer one: each carries a generation and the writer skips any older than the
/// last on disk, so a background write that finishes late cannot undo a synchronous one.
///
/// Closing an hour used to write synchronously inside `ingest`, holding every forecast and
/// status read behind JSON encoding and an fsync (about 4 ms on the 2-core machine); stream
/// messages promise nothing to their publisher when they are taken, so their state goes through
/// `writeSoon` and a crash loses at most the writes still queued, which the source replays
/// (Kafka resumes from the recorded offset) or which were never acknowledged as kept.
final class StateWriter: @unchecked Sendable {
    private let files: ServiceFiles
    private let logger: Logger
    private let name: String
    private let queue: DispatchQueue
    private let lock = NSLock()
    /// Generations handed out (by the owning actor only) and the newest one on disk.
    private var issued: UInt64 = 0
    private var written: UInt64 = 0
    private let pending = DispatchGroup()

    init(files: ServiceFiles, name: String, logger: Logger) {
        self.files = files
        self.name = name
        self.logger = logger
        queue = DispatchQueue(label: "mledger.online-learning.state.\(name)")
    }

    /// Writes `state` now; on return it is on disk (or the error is thrown).
    func writeNow(_ state: ServiceState) throws {
        issued += 1
        try write(state, generation: issued)
    }

    /// Queues `state` for writing; failures are logged (the next write carries the same data).
    func writeSoon(_ state: ServiceState) {
        issued += 1
        let generation = issued
        pending.enter()
        queue.async { [self] in
            defer { pending.leave() }
            do { try write(state, generation: generation) } catch {
                logger.error("online learning \(name): state not written: \(error)")
            }
        }
    }

    /// Returns once every queued write has finished (an orderly stop).
    func drain() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            pending.notify(queue: queue) { done.resume() }
        }
    }

    private func write(_ state: ServiceState, generation: UInt64) throws {
        try lock.withLock {
            guard generation > written else { return }
            try files.writeState(state)
            written = generation
        }
    }
}
