import Dispatch

/// How many threads the kernels of the current task or thread may use.
///
/// Parallel kernels split independent output elements between threads and never split a
/// sum, so the thread count changes speed only, never a single bit of the result.
public enum ComputeThreads {
    /// Threads for kernels started from the current task (1 unless set with `withCount`).
    @TaskLocal public static var count: Int = 1

    /// Runs `body` with kernels allowed `threads` threads.
    public static func withCount<R>(_ threads: Int, _ body: () throws -> R) rethrows -> R {
        try $count.withValue(max(1, threads), operation: body)
    }

    /// Splits `0..<total` into contiguous chunks of multiples of `granule` and runs `body`
    /// on each, in parallel when the work (`cost`, roughly scalar operations) is large enough.
    static func parallelChunks(total: Int, granule: Int = 1, cost: Int, _ body: (Range<Int>) -> Void) {
        let threads = count
        let minimumCostPerThread = 150_000
        let useful = min(threads, max(1, cost / minimumCostPerThread), (total + granule - 1) / max(granule, 1))
        if useful <= 1 {
            body(0..<total)
            return
        }
        let units = (total + granule - 1) / granule
        withoutActuallyEscaping(body) { work in
            DispatchQueue.concurrentPerform(iterations: useful) { part in
                let lo = units * part / useful * granule
                let hi = min(total, units * (part + 1) / useful * granule)
                if lo < hi { work(lo..<hi) }
            }
        }
    }
}
