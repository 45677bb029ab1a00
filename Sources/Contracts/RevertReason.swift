import Primitives

/// Why a call reverted, decoded from its return data (Solidity ABI specification, "Errors"):
/// `Error(string)` (selector 0x08c379a0) carries a message, `Panic(uint256)` (0x4e487b71) a code.
public enum RevertReason: Hashable, Sendable, CustomStringConvertible {
    /// A revert with no data (for example a bare `assert` or an out-of-gas child call).
    case empty
    case error(String)
    case panic(UInt256)
    /// A custom error or unrecognised data: the selector and the rest, undecoded.
    case other(selector: [UInt8], data: [UInt8])

    public static let errorSelector: [UInt8] = [0x08, 0xc3, 0x79, 0xa0]
    public static let panicSelector: [UInt8] = [0x4e, 0x48, 0x7b, 0x71]

    /// Decodes revert data. Data that claims to be `Error` or `Panic` but is malformed is an error.
    public init(data: [UInt8]) throws(ABIError) {
        if data.isEmpty { self = .empty; return }
        guard data.count >= 4 else { self = .other(selector: data, data: []); return }
        let selector = Array(data.prefix(4))
        let body = Array(data.dropFirst(4))
        switch selector {
        case Self.errorSelector: self = .error(try ABIDecoder.decode(.string, from: body).asString())
        case Self.panicSelector: self = .panic(try ABIDecoder.decode(.uint(256), from: body).asUInt())
        default: self = .other(selector: selector, data: body)
        }
    }

    /// The revert data for a reason (used by tests and by in-process callers to build fixtures).
    public var encoded: [UInt8] {
        switch self {
        case .empty: return []
        case .error(let message): return Self.errorSelector + ABIEncoderNoThrow.encode(.string(message), .string)
        case .panic(let code): return Self.panicSelector + code.bigEndianBytes
        case .other(let selector, let data): return selector + data
        }
    }

    public var description: String {
        switch self {
        case .empty: return "reverted without data"
        case .error(let message): return "reverted: \(message)"
        case .panic(let code): return "panic \(code.quantityHex)"
        case .other(let selector, let data): return "reverted with custom error \(Hex.encode(selector)) (\(data.count) bytes)"
        }
    }
}

/// Encodings that cannot fail because the value matches the type by construction.
enum ABIEncoderNoThrow {
    static func encode(_ value: ABIValue, _ type: ABIType) -> [UInt8] {
        var out: [UInt8] = []
        do { try ABIEncoder.encodeTuple([value], [type], tupleName: "", into: &out) } catch { return [] }
        return out
    }
}
