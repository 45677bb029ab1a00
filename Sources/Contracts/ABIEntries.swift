import LedgerCrypto
import Primitives

/// One input or output of a function, constructor or event.
public struct ABIParameter: Hashable, Sendable {
    public let name: String
    public let type: ABIType
    /// Events only: the value travels in a topic rather than in the data.
    public let indexed: Bool

    public init(name: String, type: ABIType, indexed: Bool = false) {
        self.name = name
        self.type = type
        self.indexed = indexed
    }
}

/// A contract function: its selector is the first four bytes of the Keccak-256 of its
/// canonical signature (Solidity ABI specification, "Function Selector").
public struct ABIFunction: Hashable, Sendable {
    public let name: String
    public let inputs: [ABIParameter]
    public let outputs: [ABIParameter]
    public let stateMutability: String

    public init(name: String, inputs: [ABIParameter], outputs: [ABIParameter], stateMutability: String = "nonpayable") {
        self.name = name
        self.inputs = inputs
        self.outputs = outputs
        self.stateMutability = stateMutability
    }

    /// `name(type1,type2,...)` with canonical type names.
    public var signature: String { "\(name)(" + inputs.map(\.type.description).joined(separator: ",") + ")" }

    public var selector: [UInt8] { ABIFunction.selector(of: signature) }

    /// First four bytes of keccak256(signature).
    public static func selector(of signature: String) -> [UInt8] {
        Array(Keccak256.hash(Array(signature.utf8)).bytes.prefix(4))
    }

    /// Call data: selector then the encoded arguments.
    public func encodeCall(_ arguments: [ABIValue]) throws(ABIError) -> [UInt8] {
        try selector + ABIEncoder.encode(arguments, as: inputs.map(\.type))
    }

    /// The arguments of call data for this function (the selector must match).
    public func decodeCall(_ data: [UInt8]) throws(ABIError) -> [ABIValue] {
        let expected = selector
        guard data.count >= 4, Array(data.prefix(4)) == expected else {
            throw .selectorMismatch(expected: Hex.encode(expected), got: Hex.encode(data.prefix(4)))
        }
        return try ABIDecoder.decode(inputs.map(\.type), from: Array(data.dropFirst(4)))
    }

    /// The return values of a call.
    public func decodeOutput(_ data: [UInt8]) throws(ABIError) -> [ABIValue] {
        try ABIDecoder.decode(outputs.map(\.type), from: data)
    }
}

/// A contract constructor: deploy data is the init code followed by the encoded arguments.
public struct ABIConstructor: Hashable, Sendable {
    public let inputs: [ABIParameter]

    public init(inputs: [ABIParameter]) { self.inputs = inputs }

    public func deployData(initCode: [UInt8], arguments: [ABIValue]) throws(ABIError) -> [UInt8] {
        try initCode + ABIEncoder.encode(arguments, as: inputs.map(\.type))
    }
}

/// A field of a decoded log. Indexed dynamic values (strings, bytes, arrays, tuples) are stored
/// in topics only as the Keccak-256 of their encoding, so the value itself is not recoverable.
public enum ABIEventField: Hashable, Sendable {
    case value(ABIValue)
    case hashedIndexed(Hash32)
}

/// A contract event: topic 0 is the Keccak-256 of its signature unless it is anonymous;
/// indexed parameters follow in topics, the others are ABI-encoded together in the data.
public struct ABIEvent: Hashable, Sendable {
    public let name: String
    public let inputs: [ABIParameter]
    public let anonymous: Bool

    public init(name: String, inputs: [ABIParameter], anonymous: Bool = false) {
        self.name = name
        self.inputs = inputs
        self.anonymous = anonymous
    }

    public var signature: String { "\(name)(" + inputs.map(\.type.description).joined(separator: ",") + ")" }

    public var topic0: Hash32 { Keccak256.hash(Array(signature.utf8)) }

    /// Decodes a log into one field per input, in declaration order.
    public func decode(topics: [Hash32], data: [UInt8]) throws(ABIError) -> [ABIEventField] {
        let indexedInputs = inputs.filter(\.indexed)
        let expectedTopics = indexedInputs.count + (anonymous ? 0 : 1)
        guard topics.count == expectedTopics else {
            throw .topicMismatch("\(name) needs \(expectedTopics) topics, log has \(topics.count)")
        }
        if !anonymous, topics[0] != topic0 { throw .topicMismatch("topic 0 is not \(signature)") }
        let dataValues = try ABIDecoder.decode(inputs.filter { !$0.indexed }.map(\.type), from: data)
        var fields: [ABIEventField] = []
        var topicIndex = anonymous ? 0 : 1
        var dataIndex = 0
        for input in inputs {
            if input.indexed {
                let topic = topics[topicIndex]
                topicIndex += 1
                // Indexed arrays, tuples, strings and bytes are stored as a hash (ABI spec, "Events").
                if !input.type.isElementaryStatic {
                    fields.append(.hashedIndexed(topic))
                } else {
                    fields.append(.value(try ABIDecoder.decode(input.type, from: topic.bytes)))
                }
            } else {
                fields.append(.value(dataValues[dataIndex]))
                dataIndex += 1
            }
        }
        return fields
    }

    /// The topic that filters on an indexed value: the word itself for elementary types,
    /// Keccak-256 of the raw bytes for `string` and `bytes`. (Indexed arrays and tuples hash a
    /// padded in-place encoding that MLedger's contracts never use; those are rejected.)
    public static func topic(for value: ABIValue, as type: ABIType) throws(ABIError) -> Hash32 {
        switch (type, value) {
        case (.string, .string(let s)): return Keccak256.hash(Array(s.utf8))
        case (.bytes, .bytes(let b)): return Keccak256.hash(b)
        default:
            guard type.isElementaryStatic else { throw .invalidType("indexed \(type)") }
            let word = try ABIEncoder.encode(value, as: type)
            guard let hash = try? Hash32(bytes: word) else { throw .invalidType("indexed \(type)") }
            return hash
        }
    }
}
