#if canImport(Glibc)
import Glibc
#endif

/// How the process heap treats the big buffers a training step frees.
///
/// Every step allocates and frees the same few megabytes (saved gates, gradients, products).
/// With glibc's defaults the freed top of the heap is handed back to the kernel and the next
/// step faults the pages in again, zeroed: on the energy-gru step that was about 15 % of its
/// time. Keeping 64 MiB of slack at the top of the heap lets the next step reuse them.
enum HeapPolicy {
    /// Applied once, the first time a trainer is made (the setting is process-wide).
    static let keepFreedMemory: Void = {
        #if canImport(Glibc)
        // <malloc.h> is not in Swift's Glibc module: look mallopt up; M_TOP_PAD is -2 there.
        typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        _ = unsafeBitCast(symbol, to: MallOpt.self)(-2, 64 << 20)
        #endif
    }()
}
