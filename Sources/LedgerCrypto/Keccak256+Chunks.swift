import KeccakWide
import Primitives

extension Keccak256 {
    /// Whether `hashChunks` hashes four chunks at a time (`KeccakWide`): the CPU has AVX-512 F
    /// and VL (vector rotates; with AVX2 alone the compiler splits the lanes back into scalar
    /// code, slower than one at a time) and MLEDGER_KECCAK_BASELINE is not "1". Either way the
    /// digests are the same.
    public static let wideChunks: Bool = CPUFlags.have(["avx512f", "avx512vl"], unlessSet: "MLEDGER_KECCAK_BASELINE")

    /// Keccak-256 of each `chunkSize`-byte chunk of `bytes` in order (the last may be shorter;
    /// no bytes, no chunks), written to `out`, which must hold that many digests. Full chunks go
    /// four at a time through `KeccakX4` where the CPU allows (AVX-512).
    public static func hashChunks(_ bytes: UnsafeRawBufferPointer, chunkSize: Int, into out: UnsafeMutableBufferPointer<Hash32>) {
        precondition(chunkSize > 0, "chunkSize must be positive")
        let count = (bytes.count + chunkSize - 1) / chunkSize
        precondition(out.count >= count, "room for \(count) digests needed")
        guard let base = bytes.baseAddress else { return }
        var index = 0
        if wideChunks {
            let fullChunks = bytes.count / chunkSize
            withUnsafeTemporaryAllocation(byteCount: 128, alignment: 8) { digests in
                while index + 4 <= fullChunks {
                    let first = base + index * chunkSize
                    KeccakX4.hash(first, first + chunkSize, first + 2 * chunkSize, first + 3 * chunkSize,
                                  length: chunkSize, digests: digests.baseAddress!)
                    for lane in 0..<4 {
                        // Hash32 keeps its bytes as big-endian words.
                        func word(_ w: Int) -> UInt64 {
                            UInt64(bigEndian: digests.loadUnaligned(fromByteOffset: lane * 32 + w * 8, as: UInt64.self))
                        }
                        out[index + lane] = Hash32(w0: word(0), w1: word(1), w2: word(2), w3: word(3))
                    }
                    index += 4
                }
            }
        }
        while index < count {
            let lower = index * chunkSize
            out[index] = hash(UnsafeRawBufferPointer(rebasing: bytes[lower..<min(bytes.count, lower + chunkSize)]))
            index += 1
        }
    }

    /// `hashChunks` into a new array.
    public static func hashChunks(_ bytes: UnsafeRawBufferPointer, chunkSize: Int) -> [Hash32] {
        let count = (bytes.count + chunkSize - 1) / chunkSize
        return [Hash32](unsafeUninitializedCapacity: count) { buffer, initialized in
            buffer.initialize(repeating: Hash32.zero)
            hashChunks(bytes, chunkSize: chunkSize, into: buffer)
            initialized = count
        }
    }
}

/// The leaves of a file's chunk list, fed in pieces of any size: Keccak-256 of each `chunkSize`
/// chunk, in order, the last one possibly shorter, an empty file one empty chunk. Four chunks
/// are staged (or taken straight from the input when it holds whole groups) so that
/// `Keccak256.hashChunks` can hash them together.
public struct ChunkLeafHasher {
    public let chunkSize: Int
    public private(set) var byteCount: UInt64 = 0
    private var staging: [UInt8] = []
    private var staged = 0
    private var groupBytes: Int { 4 * chunkSize }

    public init(chunkSize: Int) {
        precondition(chunkSize > 0, "chunk size must be positive")  // a programming constant, not input
        self.chunkSize = chunkSize
    }

    /// Absorbs the next bytes; `leaf` receives each chunk's hash as soon as its group is complete.
    public mutating func update(_ bytes: UnsafeRawBufferPointer, leaf: (Hash32) -> Void) {
        byteCount += UInt64(bytes.count)
        var rest = bytes
        while !rest.isEmpty {
            if staged == 0, rest.count >= groupBytes {
                let whole = rest.count / groupBytes * groupBytes
                Self.emit(UnsafeRawBufferPointer(rebasing: rest[0..<whole]), chunkSize: chunkSize, leaf)
                rest = UnsafeRawBufferPointer(rebasing: rest[whole...])
                continue
            }
            if staging.isEmpty { staging = [UInt8](repeating: 0, count: groupBytes) }
            let take = Swift.min(groupBytes - staged, rest.count)
            staging.withUnsafeMutableBytes { ($0.baseAddress! + staged).copyMemory(from: rest.baseAddress!, byteCount: take) }
            staged += take
            rest = UnsafeRawBufferPointer(rebasing: rest[take...])
            if staged == groupBytes {
                staging.withUnsafeBytes { Self.emit($0, chunkSize: chunkSize, leaf) }
                staged = 0
            }
        }
    }

    /// The leaves of what is still staged: the file's last chunks (one empty chunk for an empty file).
    public mutating func finish(leaf: (Hash32) -> Void) {
        if staged > 0 {
            staging.withUnsafeBytes { Self.emit(UnsafeRawBufferPointer(rebasing: $0[0..<staged]), chunkSize: chunkSize, leaf) }
        } else if byteCount == 0 {
            leaf(Keccak256.hash([UInt8]()))
        }
        staged = 0
    }

    private static func emit(_ bytes: UnsafeRawBufferPointer, chunkSize: Int, _ leaf: (Hash32) -> Void) {
        for hash in Keccak256.hashChunks(bytes, chunkSize: chunkSize) { leaf(hash) }
    }
}
