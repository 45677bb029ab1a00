import LedgerCrypto
import Primitives

/// MLedger's content commitment of a file: a binary Merkle tree, Keccak-256 throughout.
///
/// - The file is cut into chunks of `chunkSize` bytes (64 KiB by default); the last chunk may be
///   shorter. An empty file is one empty chunk.
/// - Leaf = keccak256(chunk bytes). Parent = keccak256(left hash ‖ right hash).
/// - Levels are paired left to right; a node left without a partner at the end of a level is
///   promoted unchanged to the next level (it is not hashed with itself or with zeros).
/// - The root of a one-chunk file is that chunk's leaf hash.
///
/// Streaming: complete subtrees are kept on a stack like the digits of a binary counter, at most
/// one per level (64 hashes for any file size), and folded right to left at the end, which gives
/// the same root as the level-by-level definition above.
public struct ChunkMerkleCommitment {
    public static let defaultChunkSize = 64 * 1024

    public var chunkSize: Int { leaves.chunkSize }
    private var leaves: ChunkLeafHasher
    private var leafCount: UInt64 = 0
    /// (height, hash) of complete subtrees, heights strictly decreasing from bottom to top.
    private var stack: [(height: Int, hash: Hash32)] = []
    public var byteCount: UInt64 { leaves.byteCount }

    public init(chunkSize: Int = ChunkMerkleCommitment.defaultChunkSize) {
        leaves = ChunkLeafHasher(chunkSize: chunkSize)
    }

    /// Absorbs the next bytes of the file.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var completed: [Hash32] = []
        leaves.update(bytes) { completed.append($0) }
        for leaf in completed { push(leaf) }
    }

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    private mutating func push(_ completed: Hash32) {
        var leaf = completed
        leafCount += 1
        var height = 0
        while let top = stack.last, top.height == height {
            stack.removeLast()
            leaf = Self.parent(top.hash, leaf)
            height += 1
        }
        stack.append((height, leaf))
    }

    /// The root over everything absorbed so far.
    public func finalize() -> Hash32 {
        var copy = self
        var last: [Hash32] = []
        copy.leaves.finish { last.append($0) }
        for leaf in last { copy.push(leaf) }
        guard var root = copy.stack.popLast()?.hash else { return Keccak256.hash([UInt8]()) }
        while let left = copy.stack.popLast() { root = Self.parent(left.hash, root) }
        return root
    }

    /// Number of chunks (leaves) the finished tree has.
    public var chunkCount: UInt64 {
        let size = Int64(byteCount)
        return size == 0 ? 1 : UInt64((size + Int64(chunkSize) - 1) / Int64(chunkSize))
    }

    static func parent(_ left: Hash32, _ right: Hash32) -> Hash32 {
        Keccak256.hash(left.bytes + right.bytes)
    }
}
