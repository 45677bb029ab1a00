import Primitives

/// The positional parameters of one call, with typed accessors that name the parameter in
/// every error ("invalid params: fromBlock: hex number with leading zero digits").
public struct RPCParams: Sendable {
    public let values: [JSONValue]

    public init(_ values: [JSONValue]) { self.values = values }

    /// From the request's `params` member: absent or null is no parameters; by-name
    /// (object) parameters are refused because Ethereum methods are positional.
    public init(member: JSONValue?) throws(RPCError) {
        switch member {
        case nil, .null?: values = []
        case .array(let items)?: values = items
        default: throw RPCError.invalidParams("params must be an array")
        }
    }

    /// Refuses more than `count` parameters.
    public func expectAtMost(_ count: Int) throws(RPCError) {
        if values.count > count {
            throw RPCError.invalidParams("too many arguments, want at most \(count)")
        }
    }

    /// The parameter at `index`, required.
    public func required<T>(_ index: Int, _ name: String,
                            _ decode: (JSONValue, String) throws(RPCError) -> T) throws(RPCError) -> T {
        guard index < values.count, !values[index].isNull else {
            throw RPCError.invalidParams("missing value for required argument \(index) (\(name))")
        }
        return try decode(values[index], name)
    }

    /// The parameter at `index`, nil when absent or null.
    public func optional<T>(_ index: Int, _ name: String,
                            _ decode: (JSONValue, String) throws(RPCError) -> T) throws(RPCError) -> T? {
        guard index < values.count, !values[index].isNull else { return nil }
        return try decode(values[index], name)
    }
}

/// Decoders for the value kinds of the Ethereum JSON-RPC specification. Each takes the value
/// and the field name used in its error message.
public enum ParamDecoding {
    static func string(_ value: JSONValue, _ field: String) throws(RPCError) -> String {
        guard case .string(let text) = value else {
            throw RPCError.invalidParams("\(field): expected string, got \(value.typeName)")
        }
        return text
    }

    /// The hex digits of a quantity: 0x prefix, at least one digit, no leading zeros.
    static func quantityDigits(_ value: JSONValue, _ field: String) throws(RPCError) -> Substring {
        let text = try string(value, field)
        guard text.hasPrefix("0x") || text.hasPrefix("0X") else {
            throw RPCError.invalidParams("\(field): hex string without 0x prefix")
        }
        let digits = text.dropFirst(2)
        guard !digits.isEmpty else { throw RPCError.invalidParams("\(field): hex string \"0x\"") }
        guard digits.allSatisfy(\.isHexDigit) else {
            throw RPCError.invalidParams("\(field): invalid hex string")
        }
        if digits.count > 1 && digits.first == "0" {
            throw RPCError.invalidParams("\(field): hex number with leading zero digits")
        }
        return digits
    }

    /// A quantity that fits 64 bits.
    public static func uint64(_ value: JSONValue, _ field: String) throws(RPCError) -> UInt64 {
        let digits = try quantityDigits(value, field)
        guard digits.count <= 16, let number = UInt64(digits, radix: 16) else {
            throw RPCError.invalidParams("\(field): hex number > 64 bits")
        }
        return number
    }

    /// A quantity up to 256 bits.
    public static func uint256(_ value: JSONValue, _ field: String) throws(RPCError) -> UInt256 {
        let digits = try quantityDigits(value, field)
        guard digits.count <= 64, let number = try? UInt256(hex: String(digits)) else {
            throw RPCError.invalidParams("\(field): hex number > 256 bits")
        }
        return number
    }

    /// Unformatted data: 0x prefix and an even number of hex digits.
    public static func data(_ value: JSONValue, _ field: String) throws(RPCError) -> [UInt8] {
        let text = try string(value, field)
        guard text.hasPrefix("0x") || text.hasPrefix("0X") else {
            throw RPCError.invalidParams("\(field): hex string without 0x prefix")
        }
        guard text.count % 2 == 0 else { throw RPCError.invalidParams("\(field): hex string of odd length") }
        guard let bytes = try? Hex.decode(text) else { throw RPCError.invalidParams("\(field): invalid hex string") }
        return bytes
    }

    public static func address(_ value: JSONValue, _ field: String) throws(RPCError) -> Address {
        let bytes = try data(value, field)
        guard bytes.count == 20, let address = try? Address(bytes: bytes) else {
            throw RPCError.invalidParams("\(field): address must be 20 bytes, got \(bytes.count)")
        }
        return address
    }

    public static func hash(_ value: JSONValue, _ field: String) throws(RPCError) -> Hash32 {
        let bytes = try data(value, field)
        guard bytes.count == 32, let hash = try? Hash32(bytes: bytes) else {
            throw RPCError.invalidParams("\(field): hash must be 32 bytes, got \(bytes.count)")
        }
        return hash
    }

    public static func bool(_ value: JSONValue, _ field: String) throws(RPCError) -> Bool {
        guard case .bool(let flag) = value else {
            throw RPCError.invalidParams("\(field): expected boolean, got \(value.typeName)")
        }
        return flag
    }

    /// A block tag or number (no hash).
    public static func blockTag(_ value: JSONValue, _ field: String) throws(RPCError) -> BlockTag {
        let text = try string(value, field)
        switch text {
        case "latest": return .latest
        case "pending": return .pending
        case "earliest": return .earliest
        case "safe": return .safe
        case "finalized": return .finalized
        default:
            guard text.hasPrefix("0x") else {
                throw RPCError.invalidParams("\(field): unknown block tag \"\(text.prefix(32))\" (want latest, pending, earliest, safe, finalized or a hex number)")
            }
            return .number(try uint64(value, field))
        }
    }

    /// A block tag, number, 32-byte hash, or EIP-1898 object (`blockNumber` or `blockHash`
    /// with optional `requireCanonical`).
    public static func blockSelector(_ value: JSONValue, _ field: String) throws(RPCError) -> BlockSelector {
        if case .object(let fields) = value {
            if let hashValue = fields["blockHash"] {
                guard fields["blockNumber"] == nil else {
                    throw RPCError.invalidParams("\(field): cannot specify both blockHash and blockNumber")
                }
                let canonical = try fields["requireCanonical"].map { (flag) throws(RPCError) in
                    try bool(flag, "\(field).requireCanonical")
                } ?? false
                return .hash(try hash(hashValue, "\(field).blockHash"), requireCanonical: canonical)
            }
            guard let numberValue = fields["blockNumber"] else {
                throw RPCError.invalidParams("\(field): object needs blockHash or blockNumber")
            }
            return .tag(try blockTag(numberValue, "\(field).blockNumber"))
        }
        if case .string(let text) = value, text.count == 66 {
            return .hash(try hash(value, field), requireCanonical: false)
        }
        return .tag(try blockTag(value, field))
    }
}
