import Foundation

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
        let entries: [RawEntry]
        do {
            entries = try JSONDecoder().decode([RawEntry].self, from: Data(json))
        } catch {
            throw .malformedJSON(String(describing: error))
        }
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

    private struct RawParameter: Decodable {
        let name: String?
        let type: String
        let indexed: Bool?
        let components: [RawParameter]?
    }

    private struct RawEntry: Decodable {
        let type: String
        let name: String?
        let inputs: [RawParameter]?
        let outputs: [RawParameter]?
        let stateMutability: String?
        let anonymous: Bool?
    }
}
