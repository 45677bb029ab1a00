import Primitives

/// A value to encode or a decoded value. Numbers are 256-bit words: `int` holds the two's
/// complement form, so `-1` as `int8` is `UInt256.max`. Arrays of either kind are `.array`.
public indirect enum ABIValue: Hashable, Sendable, CustomStringConvertible {
    case uint(UInt256)
    case int(UInt256)
    case address(Address)
    case bool(Bool)
    case fixedBytes([UInt8])
    case bytes([UInt8])
    case string(String)
    case array([ABIValue])
    case tuple([ABIValue])

    /// An unsigned number from a machine integer.
    public static func number(_ value: UInt64) -> ABIValue { .uint(UInt256(value)) }

    /// A signed number from a machine integer, in 256-bit two's complement.
    public static func signed(_ value: Int64) -> ABIValue { .int(UInt256(signExtending: value)) }

    /// A `bytes32` value from a hash.
    public static func hash(_ value: Hash32) -> ABIValue { .fixedBytes(value.bytes) }

    public var description: String {
        switch self {
        case .uint(let v): return "uint(\(v.decimalString))"
        case .int(let v): return v.isNegative ? "int(-\(v.negated.decimalString))" : "int(\(v.decimalString))"
        case .address(let a): return "address(\(a))"
        case .bool(let b): return "bool(\(b))"
        case .fixedBytes(let b): return "fixedBytes(\(Hex.encode(b)))"
        case .bytes(let b): return "bytes(\(Hex.encode(b)))"
        case .string(let s): return "string(\(s.debugDescription))"
        case .array(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .tuple(let items): return "(" + items.map(\.description).joined(separator: ", ") + ")"
        }
    }

    // Typed accessors for bindings: each names the expected kind when the value is another.

    public func asUInt() throws(ABIError) -> UInt256 {
        guard case .uint(let v) = self else { throw .valueKindMismatch(type: "uint", value: description) }
        return v
    }

    public func asInt() throws(ABIError) -> UInt256 {
        guard case .int(let v) = self else { throw .valueKindMismatch(type: "int", value: description) }
        return v
    }

    public func asAddress() throws(ABIError) -> Address {
        guard case .address(let v) = self else { throw .valueKindMismatch(type: "address", value: description) }
        return v
    }

    public func asBool() throws(ABIError) -> Bool {
        guard case .bool(let v) = self else { throw .valueKindMismatch(type: "bool", value: description) }
        return v
    }

    public func asHash() throws(ABIError) -> Hash32 {
        guard case .fixedBytes(let v) = self, v.count == 32, let h = try? Hash32(bytes: v) else {
            throw .valueKindMismatch(type: "bytes32", value: description)
        }
        return h
    }

    public func asBytes() throws(ABIError) -> [UInt8] {
        guard case .bytes(let v) = self else { throw .valueKindMismatch(type: "bytes", value: description) }
        return v
    }

    public func asString() throws(ABIError) -> String {
        guard case .string(let v) = self else { throw .valueKindMismatch(type: "string", value: description) }
        return v
    }

    public func asArray() throws(ABIError) -> [ABIValue] {
        guard case .array(let v) = self else { throw .valueKindMismatch(type: "array", value: description) }
        return v
    }

    public func asTuple() throws(ABIError) -> [ABIValue] {
        guard case .tuple(let v) = self else { throw .valueKindMismatch(type: "tuple", value: description) }
        return v
    }
}

extension UInt256 {
    /// The 256-bit two's complement form of a signed machine integer.
    public init(signExtending value: Int64) {
        let fill: UInt64 = value < 0 ? .max : 0
        self.init(l0: UInt64(bitPattern: value), l1: fill, l2: fill, l3: fill)
    }
}
