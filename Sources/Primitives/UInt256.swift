/// A 256-bit unsigned integer as four 64-bit limbs, least significant first. A plain value
/// type with no heap storage: the EVM stack, balances and storage slots are made of these.
/// Arithmetic lives in `UInt256+Arithmetic.swift` and friends.
@frozen
public struct UInt256: Hashable, Sendable {
    public var l0: UInt64, l1: UInt64, l2: UInt64, l3: UInt64

    @inlinable @inline(__always)
    public init(l0: UInt64, l1: UInt64, l2: UInt64, l3: UInt64) {
        self.l0 = l0; self.l1 = l1; self.l2 = l2; self.l3 = l3
    }

    @inlinable @inline(__always)
    public init(_ value: UInt64) { self.init(l0: value, l1: 0, l2: 0, l3: 0) }

    // Computed rather than stored so that hot inlined code builds them in registers instead of
    // going through a lazily initialised global.
    @inlinable public static var zero: UInt256 { UInt256(l0: 0, l1: 0, l2: 0, l3: 0) }
    @inlinable public static var one: UInt256 { UInt256(l0: 1, l1: 0, l2: 0, l3: 0) }
    @inlinable public static var max: UInt256 { UInt256(l0: .max, l1: .max, l2: .max, l3: .max) }

    @inlinable
    public var isZero: Bool { (l0 | l1 | l2 | l3) == 0 }

    /// From at most 32 big-endian bytes (fewer are left-padded with zeros).
    public init<C: Collection>(bigEndian bytes: C) throws(HexError) where C.Element == UInt8 {
        guard bytes.count <= 32 else { throw .wrongLength(expected: 32, got: bytes.count) }
        var limbs: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var position = bytes.count - 1  // byte index counted from the least significant end
        for b in bytes {
            let shift = UInt64(position & 7) * 8
            switch position >> 3 {
            case 0: limbs.0 |= UInt64(b) << shift
            case 1: limbs.1 |= UInt64(b) << shift
            case 2: limbs.2 |= UInt64(b) << shift
            default: limbs.3 |= UInt64(b) << shift
            }
            position -= 1
        }
        self.init(l0: limbs.0, l1: limbs.1, l2: limbs.2, l3: limbs.3)
    }

    /// From hex text (with or without 0x, any even or odd length up to 64 digits).
    public init(hex: String) throws(HexError) {
        var digits = Substring(hex)
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") { digits = digits.dropFirst(2) }
        let padded = digits.count % 2 == 1 ? "0" + digits : String(digits)
        try self.init(bigEndian: Hex.decode(padded))
    }

    /// Writes the 32-byte big-endian form into `out[offset..<offset+32]`.
    @inlinable
    public func write(bigEndianInto out: UnsafeMutableRawPointer) {
        out.storeBytes(of: l3.bigEndian, toByteOffset: 0, as: UInt64.self)
        out.storeBytes(of: l2.bigEndian, toByteOffset: 8, as: UInt64.self)
        out.storeBytes(of: l1.bigEndian, toByteOffset: 16, as: UInt64.self)
        out.storeBytes(of: l0.bigEndian, toByteOffset: 24, as: UInt64.self)
    }

    /// The 32-byte big-endian form.
    public var bigEndianBytes: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 32) { buffer, count in
            write(bigEndianInto: UnsafeMutableRawPointer(buffer.baseAddress!))
            count = 32
        }
    }

    /// Big-endian bytes without leading zeros (zero is the empty array), as RLP wants integers.
    public var minimalBigEndianBytes: [UInt8] {
        let full = bigEndianBytes
        guard let first = full.firstIndex(where: { $0 != 0 }) else { return [] }
        return Array(full[first...])
    }

    /// Number of significant bits (0 for zero).
    @inlinable
    public var bitWidth: Int {
        if l3 != 0 { return 256 - l3.leadingZeroBitCount }
        if l2 != 0 { return 192 - l2.leadingZeroBitCount }
        if l1 != 0 { return 128 - l1.leadingZeroBitCount }
        return 64 - l0.leadingZeroBitCount
    }

    /// The value as UInt64 if it fits.
    @inlinable
    public var uint64: UInt64? { (l1 | l2 | l3) == 0 ? l0 : nil }

    /// Lower-case hex with 0x and no leading zeros ("0x0" for zero), as JSON-RPC quantities.
    public var quantityHex: String {
        let minimal = minimalBigEndianBytes
        guard !minimal.isEmpty else { return "0x0" }
        var text = Hex.encode(minimal, prefix: false)
        if text.hasPrefix("0") { text.removeFirst() }
        return "0x" + text
    }
}

extension UInt256: Comparable {
    @inlinable @inline(__always)
    public static func < (a: UInt256, b: UInt256) -> Bool {
        if a.l3 != b.l3 { return a.l3 < b.l3 }
        if a.l2 != b.l2 { return a.l2 < b.l2 }
        if a.l1 != b.l1 { return a.l1 < b.l1 }
        return a.l0 < b.l0
    }
}

extension UInt256: CustomStringConvertible {
    public var description: String { quantityHex }
}

extension UInt256: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: UInt64) { self.init(value) }
}

extension UInt256 {
    public init(_ hash: Hash32) { self.init(l0: hash.w3, l1: hash.w2, l2: hash.w1, l3: hash.w0) }
    public var hash32: Hash32 { Hash32(w0: l3, w1: l2, w2: l1, w3: l0) }
    public init(_ address: Address) { self.init(l0: address.lo, l1: address.mid, l2: UInt64(address.hi), l3: 0) }
    public var address: Address { Address(hi: UInt32(truncatingIfNeeded: l2), mid: l1, lo: l0) }
}
