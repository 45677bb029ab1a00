import Primitives

/// A contract's interface read from its JSON ABI (the format compilers emit): functions,
/// events and the constructor, with tuple types rebuilt from their `components`.
public struct ContractABI: Sendable {
    public let functions: [ABIFunction]
    public let events: [ABIEvent]
    public let constructor: ABIConstructor

    public init(functions: [ABIFunction], events: [ABIEvent], constructor: ABIConstructor) {
        self.functions = functions
        self.events = events
        self.constructor = constructor
    }

    /// Parses a JSON ABI array.
    public init(json: [UInt8]) throws(ABIError) {
        let document: JSONValue
        do { document = try JSONValue(parsing: json) } catch { throw .malformedJSON(error.description) }
        try self.init(json: document)
    }

    /// Reads a JSON ABI array already parsed (an artifact's `abi` member).
    public init(json document: JSONValue) throws(ABIError) {
        guard let items = document.arrayValue else { throw .malformedJSON("the ABI is not an array") }
        var entries: [RawEntry] = []
        for (index, item) in items.enumerated() { entries.append(try RawEntry(item, path: "[\(index)]")) }
        var functions: [ABIFunction] = []
        var events: [ABIEvent] = []
        var constructor = ABIConstructor(inputs: [])
        for entry in entries {
            switch entry.type {
            case "function":
                guard let name = entry.name else { throw .malformedJSON("function without a name") }
                functions.append(ABIFunction(name: name, inputs: try Self.parameters(entry.inputs),
                                             outputs: try Self.parameters(entry.outputs),
                                             stateMutability: entry.stateMutability ?? "nonpayable"))
            case "event":
                guard let name = entry.name else { throw .malformedJSON("event without a name") }
                events.append(ABIEvent(name: name, inputs: try Self.parameters(entry.inputs),
                                       anonymous: entry.anonymous ?? false))
            case "constructor":
                constructor = ABIConstructor(inputs: try Self.parameters(entry.inputs))
            default:
                continue  // fallback, receive and error entries carry nothing MLedger encodes
            }
        }
        self.init(functions: functions, events: events, constructor: constructor)
    }

    /// The function called `name` (MLedger's contracts do not overload names).
    public func function(_ name: String) throws(ABIError) -> ABIFunction {
        guard let f = functions.first(where: { $0.name == name }) else { throw .missingEntry("function \(name)") }
        return f
    }

    /// The event called `name`.
    public func event(_ name: String) throws(ABIError) -> ABIEvent {
        guard let e = events.first(where: { $0.name == name }) else { throw .missingEntry("event \(name)") }
        return e
    }

    private static func parameters(_ raw: [RawParameter]?) throws(ABIError) -> [ABIParameter] {
        var result: [ABIParameter] = []
        for p in raw ?? [] {
            result.append(ABIParameter(name: p.name ?? "", type: try type(of: p), indexed: p.indexed ?? false))
        }
        return result
    }

    /// `tuple`, `tuple[]`, `tuple[2][]` take their component types from `components`.
    private static func type(of p: RawParameter) throws(ABIError) -> ABIType {
        guard p.type.hasPrefix("tuple") else { return try ABIType(parsing: p.type) }
        var components: [ABIType] = []
        for c in p.components ?? [] { components.append(try type(of: c)) }
        return try ABIType.applying(suffix: p.type.dropFirst(5), to: .tuple(components), original: p.type)
    }

    private struct RawParameter {
        let name: String?
        let type: String
        let indexed: Bool?
        let components: [RawParameter]?

        init(_ value: JSONValue, path: String) throws(ABIError) {
            let fields = try RawFields(value, path: path)
            name = try fields.string("name")
            guard let type = try fields.string("type") else { throw .malformedJSON("\(path).type is missing") }
            self.type = type
            indexed = try fields.bool("indexed")
            components = try fields.parameters("components")
        }
    }

    private struct RawEntry {
        let type: String
        let name: String?
        let inputs: [RawParameter]?
        let outputs: [RawParameter]?
        let stateMutability: String?
        let anonymous: Bool?

        init(_ value: JSONValue, path: String) throws(ABIError) {
            let fields = try RawFields(value, path: path)
            guard let type = try fields.string("type") else { throw .malformedJSON("\(path).type is missing") }
            self.type = type
            name = try fields.string("name")
            inputs = try fields.parameters("inputs")
            outputs = try fields.parameters("outputs")
            stateMutability = try fields.string("stateMutability")
            anonymous = try fields.bool("anonymous")
        }
    }

    /// The members of one ABI object; absent and `null` members read as nil, a member of the
    /// wrong type is an error naming its path.
    private struct RawFields {
        let members: [String: JSONValue]
        let path: String

        init(_ value: JSONValue, path: String) throws(ABIError) {
            guard let members = value.objectValue else { throw .malformedJSON("\(path) is not an object") }
            self.members = members
            self.path = path
        }

        private func member(_ key: String) -> JSONValue? {
            guard let value = members[key], !value.isNull else { return nil }
            return value
        }

        func string(_ key: String) throws(ABIError) -> String? {
            guard let value = member(key) else { return nil }
            guard let text = value.stringValue else { throw .malformedJSON("\(path).\(key) is not a string") }
            return text
        }

        func bool(_ key: String) throws(ABIError) -> Bool? {
            guard let value = member(key) else { return nil }
            guard let flag = value.boolValue else { throw .malformedJSON("\(path).\(key) is not a boolean") }
            return flag
        }

        func parameters(_ key: String) throws(ABIError) -> [RawParameter]? {
            guard let value = member(key) else { return nil }
            guard let items = value.arrayValue else { throw .malformedJSON("\(path).\(key) is not an array") }
            var result: [RawParameter] = []
            for (index, item) in items.enumerated() {
                result.append(try RawParameter(item, path: "\(path).\(key)[\(index)]"))
            }
            return result
        }
    }
}
