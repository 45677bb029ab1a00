import Primitives

/// A decoded RLP value: a byte string or a list of values.
public enum RLPItem: Equatable, Sendable {
    case bytes([UInt8])
    case list([RLPItem])
}

extension RLPItem {
    /// The byte string, or `unexpectedList`.
    public func asBytes() throws(RLPError) -> [UInt8] {
        guard case .bytes(let b) = self else { throw .unexpectedList(offset: 0) }
        return b
    }

    /// The list items, or `unexpectedBytes`.
    public func asList() throws(RLPError) -> [RLPItem] {
        guard case .list(let items) = self else { throw .unexpectedBytes(offset: 0) }
        return items
    }

    /// A canonical unsigned integer of at most 32 bytes (no leading zeros).
    public func asUInt256() throws(RLPError) -> UInt256 {
        let b = try asBytes()
        guard b.count <= 32 else { throw .integerTooLarge(bytes: b.count) }
        if let first = b.first, first == 0 { throw .integerLeadingZero }
        do {
            return try UInt256(bigEndian: b)
        } catch {
            throw .integerTooLarge(bytes: b.count)  // unreachable: the length was checked above
        }
    }

    /// A canonical unsigned integer that fits in 64 bits.
    public func asUInt64() throws(RLPError) -> UInt64 {
        let v = try asUInt256()
        guard let small = v.uint64 else { throw .integerTooLarge(bytes: v.minimalBigEndianBytes.count) }
        return small
    }
}
