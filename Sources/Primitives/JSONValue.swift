/// A JSON document: the one JSON type every MLedger module reads and writes (JSON-RPC requests
/// and answers, genesis files, ML architecture and weights documents, REST bodies).
///
/// Numbers keep their decimal text (`JSONNumber`), so big integers lose nothing. Objects are
/// dictionaries: no reader depends on member order, and the writer sorts keys by their UTF-8
/// bytes, so one value always prints as the same bytes (ML hashes those bytes).
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    // MARK: Building numbers

    public static func integer(_ value: Int64) -> JSONValue { .number(JSONNumber(value)) }
    public static func int(_ value: Int) -> JSONValue { .number(JSONNumber(value)) }
    public static func unsigned(_ value: UInt256) -> JSONValue { .number(JSONNumber(value)) }
    /// `null` for infinities and NaN, which JSON cannot spell.
    public static func double(_ value: Double) -> JSONValue { JSONNumber(value).map { .number($0) } ?? .null }

    // MARK: Reading

    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    public var isNull: Bool { if case .null = self { return true } else { return false } }

    public var boolValue: Bool? { if case .bool(let value) = self { return value } else { return nil } }
    public var stringValue: String? { if case .string(let text) = self { return text } else { return nil } }
    public var arrayValue: [JSONValue]? { if case .array(let items) = self { return items } else { return nil } }
    public var objectValue: [String: JSONValue]? { if case .object(let members) = self { return members } else { return nil } }
    public var numberValue: JSONNumber? { if case .number(let number) = self { return number } else { return nil } }

    /// The number when it is a whole value in Int64's range (`7`, `7.0` and `0.7e1` alike).
    public var integerValue: Int64? { numberValue?.int64 }
    /// The number when it is a whole value in Int's range.
    public var intValue: Int? { numberValue?.int }
    public var uint64Value: UInt64? { numberValue?.uint64 }
    /// The number when it is a whole value in 0...2^256-1, read exactly from its text.
    public var uint256Value: UInt256? { numberValue?.uint256 }
    /// The nearest Double; nil for non-numbers and numbers beyond Double's range.
    public var doubleValue: Double? { numberValue?.double }

    /// The JSON type name, for error messages ("expected string, got number").
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
                     ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// A repeated key keeps its last value, as in a Swift dictionary built by assignment.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    public init(nilLiteral: ()) { self = .null }
}
