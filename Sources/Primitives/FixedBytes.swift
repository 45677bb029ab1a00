/// A 32-byte hash (Keccak-256 output, storage key, block hash). Stored inline as four
/// big-endian-ordered `UInt64` words so it lives on the stack and compares fast.
public struct Hash32: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64

    public static let zero = Hash32(w0: 0, w1: 0, w2: 0, w3: 0)

    public init(w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64) {
        self.w0 = w0; self.w1 = w1; self.w2 = w2; self.w3 = w3
    }

    /// From exactly 32 bytes.
    @inlinable  // generic: specialised at the call site, not dispatched through witness tables
    public init<C: Collection>(bytes: C) throws(HexError) where C.Element == UInt8 {
        guard bytes.count == 32 else { throw .wrongLength(expected: 32, got: bytes.count) }
        var words = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        var i = 0
        for b in bytes {
            switch i >> 3 {
            case 0: words.0 = words.0 << 8 | UInt64(b)
            case 1: words.1 = words.1 << 8 | UInt64(b)
            case 2: words.2 = words.2 << 8 | UInt64(b)
            default: words.3 = words.3 << 8 | UInt64(b)
            }
            i += 1
        }
        self.init(w0: words.0, w1: words.1, w2: words.2, w3: words.3)
    }

    public init(hex: String) throws(HexError) { try self.init(bytes: Hex.decode(hex)) }

    public var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        for (k, w) in [w0, w1, w2, w3].enumerated() {
            for j in 0..<8 { out[k * 8 + j] = UInt8(truncatingIfNeeded: w >> (56 - 8 * UInt64(j))) }
        }
        return out
    }

    public var description: String { Hex.encode(bytes) }

    public static func < (a: Hash32, b: Hash32) -> Bool {
        (a.w0, a.w1, a.w2, a.w3) < (b.w0, b.w1, b.w2, b.w3)
    }
}

/// A 20-byte account address. The text form with EIP-55 checksum lives in LedgerCrypto
/// (it needs Keccak-256); `description` here is lower-case hex.
public struct Address: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Big-endian: `hi` holds bytes 0..<4, `lo` bytes 4..<20.
    public var hi: UInt32, mid: UInt64, lo: UInt64

    public static let zero = Address(hi: 0, mid: 0, lo: 0)

    public init(hi: UInt32, mid: UInt64, lo: UInt64) { self.hi = hi; self.mid = mid; self.lo = lo }

    /// From exactly 20 bytes.
    @inlinable  // generic: specialised at the call site, not dispatched through witness tables
    public init<C: Collection>(bytes: C) throws(HexError) where C.Element == UInt8 {
        guard bytes.count == 20 else { throw .wrongLength(expected: 20, got: bytes.count) }
        var h: UInt32 = 0, m: UInt64 = 0, l: UInt64 = 0
        var i = 0
        for b in bytes {
            if i < 4 { h = h << 8 | UInt32(b) } else if i < 12 { m = m << 8 | UInt64(b) } else { l = l << 8 | UInt64(b) }
            i += 1
        }
        self.init(hi: h, mid: m, lo: l)
    }

    /// From hex text (with or without 0x); the checksum is not checked here (see LedgerCrypto).
    public init(hex: String) throws(HexError) { try self.init(bytes: Hex.decode(hex)) }

    /// The low 20 bytes of a 32-byte word (how the EVM and Keccak-derived addresses work).
    public init(low20Of hash: Hash32) {
        self.init(hi: UInt32(truncatingIfNeeded: hash.w1), mid: hash.w2, lo: hash.w3)
    }

    public var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 20)
        for j in 0..<4 { out[j] = UInt8(truncatingIfNeeded: hi >> (24 - 8 * UInt32(j))) }
        for j in 0..<8 { out[4 + j] = UInt8(truncatingIfNeeded: mid >> (56 - 8 * UInt64(j))) }
        for j in 0..<8 { out[12 + j] = UInt8(truncatingIfNeeded: lo >> (56 - 8 * UInt64(j))) }
        return out
    }

    public var description: String { Hex.encode(bytes) }

    public static func < (a: Address, b: Address) -> Bool { (a.hi, a.mid, a.lo) < (b.hi, b.mid, b.lo) }
}
