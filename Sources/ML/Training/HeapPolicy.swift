#if canImport(Glibc)
import Glibc
#endif

/// How the process heap treats the big buffers a training step frees.
///
/// Every step allocates and frees the same few megabytes (saved gates, gradients, products).
/// With glibc's defaults those blocks may be served by mmap and the freed top of the heap is
/// handed back to the kernel, so the next step faults the pages in again, zeroed: on the
/// energy-gru step that was about 15 % of its time on one thread, and more on two (worker
/// threads allocate from their own arenas). Blocks up to 32 MiB therefore come from the heap
/// (glibc's largest allowed threshold), and 64 MiB of slack stays at its top for the next step.
enum HeapPolicy {
    /// Applied once, the first time a trainer is made (the setting is process-wide).
    static let keepFreedMemory: Void = {
        #if canImport(Glibc)
        // <malloc.h> is not in Swift's Glibc module: look mallopt up. Its parameters there:
        // M_TOP_PAD is -2, M_MMAP_THRESHOLD is -3. Setting either also ends glibc's own
        // adjustment of the threshold, so both are set.
        typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: MallOpt.self)
        _ = mallopt(-3, 32 << 20)
        _ = mallopt(-2, 64 << 20)
        #endif
    }()
}
