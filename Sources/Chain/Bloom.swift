import LedgerCrypto
import Primitives

/// The 2048-bit logs bloom of receipts and headers (Yellow Paper §4.3.1): every log sets
/// three bits for its address and three for each topic, so a filter can skip blocks and
/// receipts that cannot contain a match.
public struct Bloom: Hashable, Sendable, CustomStringConvertible {
    public static let byteCount = 256

    /// 256 bytes, big-endian: bit i of the 2048-bit number lives in byte `255 - i / 8`.
    public private(set) var bytes: [UInt8]

    /// The empty bloom (all zero).
    public init() { bytes = [UInt8](repeating: 0, count: Self.byteCount) }

    /// From exactly 256 bytes.
    public init<C: Collection>(bytes: C) throws(HexError) where C.Element == UInt8 {
        guard bytes.count == Self.byteCount else { throw .wrongLength(expected: Self.byteCount, got: bytes.count) }
        self.bytes = Array(bytes)
    }

    /// The bloom of a list of logs.
    public init(logs: [Log]) {
        self.init()
        for log in logs { add(log) }
    }

    public var isEmpty: Bool { bytes.allSatisfy { $0 == 0 } }

    /// The three bit positions of a value: the low 11 bits of the first three big-endian
    /// byte pairs of its Keccak-256 hash.
    static func bitIndexes<C: Collection>(of value: C) -> [Int] where C.Element == UInt8 {
        let hash = Keccak256.hash(value).bytes
        return [0, 2, 4].map { (Int(hash[$0]) << 8 | Int(hash[$0 + 1])) & 2047 }
    }

    /// Sets the three bits of `value` (an address's 20 bytes or a topic's 32 bytes).
    public mutating func add<C: Collection>(_ value: C) where C.Element == UInt8 {
        for bit in Self.bitIndexes(of: value) { bytes[Self.byteCount - 1 - bit / 8] |= UInt8(1) << (bit % 8) }
    }

    /// Adds a log's address and every topic (the data is not indexed).
    public mutating func add(_ log: Log) {
        add(log.address.bytes)
        for topic in log.topics { add(topic.bytes) }
    }

    /// Whether all three bits of `value` are set: false means `value` is certainly absent,
    /// true means it may be present.
    public func mightContain<C: Collection>(_ value: C) -> Bool where C.Element == UInt8 {
        Self.bitIndexes(of: value).allSatisfy { bit in bytes[Self.byteCount - 1 - bit / 8] & (UInt8(1) << (bit % 8)) != 0 }
    }

    public func mightContain(address: Address) -> Bool { mightContain(address.bytes) }
    public func mightContain(topic: Hash32) -> Bool { mightContain(topic.bytes) }

    /// Bitwise OR: the bloom of a block is the union of its receipts' blooms.
    public mutating func formUnion(_ other: Bloom) {
        for i in 0..<Self.byteCount { bytes[i] |= other.bytes[i] }
    }

    public var description: String { Hex.encode(bytes) }
}
