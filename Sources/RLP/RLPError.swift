/// Why an input is not canonical RLP. Offsets are byte positions in the input.
public enum RLPError: Error, Equatable, CustomStringConvertible {
    case empty
    case truncated(offset: Int, needed: Int, available: Int)
    case nonCanonicalSingleByte(offset: Int)
    case nonCanonicalLength(offset: Int)
    case leadingZeroInLength(offset: Int)
    case lengthOverflow(offset: Int)
    case trailingBytes(offset: Int, count: Int)
    case tooDeep(offset: Int)
    case unexpectedList(offset: Int)
    case unexpectedBytes(offset: Int)
    case wrongItemCount(expected: Int, got: Int)
    case integerTooLarge(bytes: Int)
    case integerLeadingZero

    public var description: String {
        switch self {
        case .empty: return "RLP: empty input"
        case let .truncated(o, n, a): return "RLP: item at offset \(o) needs \(n) bytes, only \(a) remain"
        case let .nonCanonicalSingleByte(o): return "RLP: single byte below 0x80 encoded as a string at offset \(o)"
        case let .nonCanonicalLength(o): return "RLP: long-form length used for a short payload at offset \(o)"
        case let .leadingZeroInLength(o): return "RLP: length with leading zero byte at offset \(o)"
        case let .lengthOverflow(o): return "RLP: length does not fit in memory at offset \(o)"
        case let .trailingBytes(o, c): return "RLP: \(c) trailing bytes after the item, at offset \(o)"
        case let .tooDeep(o): return "RLP: nesting deeper than \(RLP.maxDepth) at offset \(o)"
        case let .unexpectedList(o): return "RLP: expected a byte string, found a list at offset \(o)"
        case let .unexpectedBytes(o): return "RLP: expected a list, found a byte string at offset \(o)"
        case let .wrongItemCount(e, g): return "RLP: expected \(e) list items, got \(g)"
        case let .integerTooLarge(b): return "RLP: integer of \(b) bytes is too large"
        case .integerLeadingZero: return "RLP: integer with leading zero byte"
        }
    }
}
