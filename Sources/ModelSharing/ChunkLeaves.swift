import LedgerCrypto
import Datasets
import Foundation
import NIOCore
import Primitives

/// The leaf hashes of a file's 64 KiB chunk commitment (`Datasets.ChunkMerkleCommitment`):
/// leaf i = keccak256(chunk i). Kept beside the object (in the registry) so that a download can
/// check each chunk as it streams it. The leaves themselves are trusted only after their root,
/// folded here by the commitment's own rule, equals the root anchored on chain.
struct ChunkLeaves: Equatable, Sendable {
    static let chunkSize = ChunkMerkleCommitment.defaultChunkSize
    var hashes: [Hash32]

    init(hashes: [Hash32]) { self.hashes = hashes }

    /// From the registry's packed form (32 bytes per leaf); nil when the length is not a multiple of 32.
    init?(packed: Data) {
        guard packed.count % 32 == 0 else { return nil }
        var out: [Hash32] = []
        out.reserveCapacity(packed.count / 32)
        let bytes = [UInt8](packed)
        var i = 0
        while i < bytes.count {
            guard let hash = try? Hash32(bytes: Array(bytes[i..<i + 32])) else { return nil }
            out.append(hash)
            i += 32
        }
        hashes = out
    }

    var packed: Data {
        var data = Data(capacity: hashes.count * 32)
        for hash in hashes { data.append(contentsOf: hash.bytes) }
        return data
    }

    /// Chunks a file of `size` bytes has (an empty file is one empty chunk).
    static func chunkCount(size: Int64) -> Int {
        size == 0 ? 1 : Int((size + Int64(chunkSize) - 1) / Int64(chunkSize))
    }

    /// The Merkle root: levels paired left to right, an odd node at a level's end promoted
    /// unchanged, Keccak-256 of left ‖ right (the rule `ChunkMerkleCommitment` documents).
    var root: Hash32 {
        guard !hashes.isEmpty else { return Keccak256.hash([UInt8]()) }
        var level = hashes
        while level.count > 1 {
            var next: [Hash32] = []
            next.reserveCapacity((level.count + 1) / 2)
            var i = 0
            while i + 1 < level.count {
                next.append(Keccak256.hash(level[i].bytes + level[i + 1].bytes))
                i += 2
            }
            if i < level.count { next.append(level[i]) }
            level = next
        }
        return level[0]
    }
}

/// Everything computed over an upload in one pass: size, Keccak-256 of the whole file and the
/// chunk leaves. The two hashes are independent, so the whole-file one (`whole`) can run on
/// another thread while the leaves are computed (`updateChunks`), as `ArtifactIngest` does.
struct ArtifactHasher {
    let whole = WholeFileKeccak()
    private var chunks = ChunkLeafHasher(chunkSize: ChunkLeaves.chunkSize)
    private(set) var leaves: [Hash32] = []
    var size: Int64 { Int64(chunks.byteCount) }

    /// Both hashes on the calling thread.
    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        whole.update(bytes)
        updateChunks(bytes)
    }

    /// The chunk leaves (and the size) only; the caller feeds `whole` the same bytes.
    mutating func updateChunks(_ bytes: UnsafeRawBufferPointer) {
        chunks.update(bytes) { leaves.append($0) }
    }

    /// (Keccak-256 of the file, its chunk leaves).
    mutating func finish() -> (keccak: Hash32, leaves: ChunkLeaves) {
        chunks.finish { leaves.append($0) }
        return (whole.finalize(), ChunkLeaves(hashes: leaves))
    }
}

/// The running Keccak-256 of a whole file, fed from one task at a time (each `update` is awaited
/// before the next starts), which is what makes the unchecked `Sendable` sound.
final class WholeFileKeccak: @unchecked Sendable {
    private var state = Keccak256()

    func update(_ bytes: UnsafeRawBufferPointer) { state.update(bytes) }

    /// Starts hashing the batch off the caller's task, so it overlaps with the caller's own
    /// work; the caller awaits the task before starting the next batch or finalizing.
    func start(_ batch: [ByteBuffer]) -> Task<Void, Never> {
        Task.detached(priority: .high) {
            for buffer in batch { buffer.withUnsafeReadableBytes { self.state.update($0) } }
        }
    }

    func finalize() -> Hash32 { state.finalize() }
}
