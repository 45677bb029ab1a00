import Crypto
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

    public let chunkSize: Int
    private var hasher = Keccak256()
    private var filled = 0
    private var leafCount: UInt64 = 0
    /// (height, hash) of complete subtrees, heights strictly decreasing from bottom to top.
    private var stack: [(height: Int, hash: Hash32)] = []
    public private(set) var byteCount: UInt64 = 0

    public init(chunkSize: Int = ChunkMerkleCommitment.defaultChunkSize) {
        precondition(chunkSize > 0, "chunk size must be positive")  // a programming constant, not input
        self.chunkSize = chunkSize
    }

    /// Absorbs the next bytes of the file.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var rest = bytes
        byteCount += UInt64(bytes.count)
        while !rest.isEmpty {
            let take = Swift.min(chunkSize - filled, rest.count)
            hasher.update(UnsafeRawBufferPointer(rebasing: rest[0..<take]))
            filled += take
            rest = UnsafeRawBufferPointer(rebasing: rest[take...])
            if filled == chunkSize { closeLeaf() }
        }
    }

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    private mutating func closeLeaf() {
        var leaf = hasher.finalize()
        hasher = Keccak256()
        filled = 0
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
        if copy.filled > 0 || copy.leafCount == 0 { copy.closeLeaf() }
        guard var root = copy.stack.popLast()?.hash else { return Keccak256.hash([UInt8]()) }
        while let left = copy.stack.popLast() { root = Self.parent(left.hash, root) }
        return root
    }

    /// Number of chunks (leaves) the finished tree has.
    public var chunkCount: UInt64 { leafCount + (filled > 0 || leafCount == 0 ? 1 : 0) }

    static func parent(_ left: Hash32, _ right: Hash32) -> Hash32 {
        Keccak256.hash(left.bytes + right.bytes)
    }
}
