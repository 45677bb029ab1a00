import Primitives

/// Why an ABI encoding, decoding or description was rejected. Positions are byte offsets into the
/// data being decoded, so a caller can point at the bad word.
public enum ABIError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A type string that is not a canonical ABI type (or one MLedger does not support).
    case invalidType(String)
    /// A value whose kind does not fit the type it is encoded as.
    case valueKindMismatch(type: String, value: String)
    /// A number that does not fit in the type's bit width.
    case valueOutOfRange(type: String)
    /// A `bytesN` value or `T[k]` array with the wrong number of items, or a wrong argument count.
    case wrongCount(type: String, expected: Int, got: Int)
    /// Reading `needed` bytes at `at` runs past the end of the data.
    case truncated(at: Int, needed: Int, available: Int)
    /// An offset word that points outside the data.
    case offsetOutOfBounds(at: Int)
    /// A length word larger than the remaining data can hold.
    case lengthOutOfBounds(at: Int)
    /// Bits that the ABI requires to be clean (zero or sign extension) are not.
    case dirtyPadding(type: String, at: Int)
    /// A bool word other than 0 or 1.
    case invalidBool(at: Int)
    /// A string whose bytes are not UTF-8.
    case invalidUTF8(at: Int)
    /// Hostile data whose offsets make the decoder revisit the same bytes too often.
    case decodingBudgetExceeded
    /// Call data or return data that starts with a different selector.
    case selectorMismatch(expected: String, got: String)
    /// A log whose topics do not fit the event.
    case topicMismatch(String)
    /// A JSON ABI description that cannot be read.
    case malformedJSON(String)
    /// A function, event or constructor that the ABI does not declare.
    case missingEntry(String)

    public var description: String {
        switch self {
        case .invalidType(let t): return "invalid ABI type \(t)"
        case .valueKindMismatch(let t, let v): return "value \(v) cannot be encoded as \(t)"
        case .valueOutOfRange(let t): return "value out of range for \(t)"
        case .wrongCount(let t, let e, let g): return "\(t): expected \(e) items, got \(g)"
        case .truncated(let at, let n, let a): return "data truncated: \(n) bytes needed at \(at), \(a) available"
        case .offsetOutOfBounds(let at): return "offset at byte \(at) points outside the data"
        case .lengthOutOfBounds(let at): return "length at byte \(at) exceeds the data"
        case .dirtyPadding(let t, let at): return "non-clean padding for \(t) at byte \(at)"
        case .invalidBool(let at): return "bool at byte \(at) is neither 0 nor 1"
        case .invalidUTF8(let at): return "string at byte \(at) is not UTF-8"
        case .decodingBudgetExceeded: return "data decodes to too many elements (overlapping offsets)"
        case .selectorMismatch(let e, let g): return "selector \(g) does not match \(e)"
        case .topicMismatch(let why): return "log topics do not fit the event: \(why)"
        case .malformedJSON(let why): return "malformed ABI JSON: \(why)"
        case .missingEntry(let name): return "ABI has no entry \(name)"
        }
    }
}
