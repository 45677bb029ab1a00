import Primitives
/// EVM memory: a zero-filled, word-aligned byte buffer that only grows. Raw pointer storage
/// so loads and stores in the interpreter loop do not go through Array bounds checks or CoW.
struct Memory {
    var base: UnsafeMutableRawPointer
    var capacity: Int
    /// Current size in bytes (always a multiple of 32).
    var size: Int = 0

    init(capacity: Int = 4096) {
        self.capacity = capacity
        base = .allocate(byteCount: capacity, alignment: 16)
        base.initializeMemory(as: UInt8.self, repeating: 0, count: capacity)
    }

    func release() { base.deallocate() }

    @inline(__always) var words: Int { size >> 5 }

    /// Gas for `words` words of memory: 3 per word plus words^2/512 (Yellow Paper C_mem).
    @inline(__always)
    static func cost(words: Int) -> Int64 { Int64(words) * 3 + Int64(words * words / 512) }

    /// Grows to `newSize` bytes (a multiple of 32, larger than `size`); new bytes read zero.
    mutating func grow(to newSize: Int) {
        if newSize > capacity {
            var newCapacity = capacity * 2
            while newCapacity < newSize { newCapacity *= 2 }
            let fresh = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
            fresh.copyMemory(from: base, byteCount: size)
            (fresh + size).initializeMemory(as: UInt8.self, repeating: 0, count: newCapacity - size)
            base.deallocate()
            base = fresh
            capacity = newCapacity
        }
        size = newSize
    }

    func bytes(_ offset: Int, _ count: Int) -> [UInt8] {
        if count == 0 { return [] }
        return [UInt8](UnsafeRawBufferPointer(start: base + offset, count: count))
    }

    /// Copies `count` bytes from `source[sourceOffset...]` to memory, zero-filling past the source end.
    func copy(into offset: Int, from source: UnsafeRawBufferPointer, sourceOffset: UInt256, count: Int) {
        if count == 0 { return }
        let available: Int
        if let s = sourceOffset.uint64, s < UInt64(source.count) {
            available = min(count, source.count - Int(s))
            (base + offset).copyMemory(from: source.baseAddress! + Int(s), byteCount: available)
        } else {
            available = 0
        }
        if available < count { (base + offset + available).initializeMemory(as: UInt8.self, repeating: 0, count: count - available) }
    }

    @inline(__always)
    func load(_ offset: Int) -> UInt256 {
        let p = base + offset
        return UInt256(l0: UInt64(bigEndian: p.loadUnaligned(fromByteOffset: 24, as: UInt64.self)),
                       l1: UInt64(bigEndian: p.loadUnaligned(fromByteOffset: 16, as: UInt64.self)),
                       l2: UInt64(bigEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
                       l3: UInt64(bigEndian: p.loadUnaligned(as: UInt64.self)))
    }

    @inline(__always)
    func store(_ offset: Int, _ v: UInt256) {
        let p = base + offset
        p.storeBytes(of: v.l3.bigEndian, toByteOffset: 0, as: UInt64.self)
        p.storeBytes(of: v.l2.bigEndian, toByteOffset: 8, as: UInt64.self)
        p.storeBytes(of: v.l1.bigEndian, toByteOffset: 16, as: UInt64.self)
        p.storeBytes(of: v.l0.bigEndian, toByteOffset: 24, as: UInt64.self)
    }
}
