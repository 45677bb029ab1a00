import Primitives

/// A prepared read-only call: the call data to send (`eth_call`) and the decoder of what comes
/// back. Bindings build these; the ledger client carries them. No transport lives here.
public struct ContractCall<Result>: @unchecked Sendable {
    public let function: ABIFunction
    /// Selector followed by the encoded arguments.
    public let data: [UInt8]
    private let convert: ([ABIValue]) throws(ABIError) -> Result

    init(function: ABIFunction, arguments: [ABIValue],
         convert: @escaping ([ABIValue]) throws(ABIError) -> Result) throws(ABIError) {
        self.function = function
        data = try function.encodeCall(arguments)
        self.convert = convert
    }

    /// Decodes the call's return data strictly into the typed result.
    public func decode(_ returnData: [UInt8]) throws(ABIError) -> Result {
        try convert(try function.decodeOutput(returnData))
    }
}

extension ContractABI {
    /// A view call of `name` whose single output is converted by `convert`.
    func view<R>(_ name: String, _ arguments: [ABIValue] = [],
                 _ convert: @escaping (ABIValue) throws(ABIError) -> R) throws(ABIError) -> ContractCall<R> {
        let f = try function(name)
        guard f.outputs.count == 1 else { throw .wrongCount(type: "\(name) outputs", expected: 1, got: f.outputs.count) }
        return try ContractCall(function: f, arguments: arguments) { (values: [ABIValue]) throws(ABIError) -> R in
            try convert(values[0])
        }
    }

    /// Call data for a state-changing function.
    func transaction(_ name: String, _ arguments: [ABIValue] = []) throws(ABIError) -> [UInt8] {
        try function(name).encodeCall(arguments)
    }

    /// Looks up which of the contract's events a log is, by topic 0.
    func matchEvent(topics: [Hash32]) throws(ABIError) -> ABIEvent {
        guard let first = topics.first, let event = events.first(where: { !$0.anonymous && $0.topic0 == first }) else {
            throw .topicMismatch("topic 0 matches no event of this contract")
        }
        return event
    }
}

/// Conversions from decoded values that bindings share.
enum ABIConvert {
    static func uints(_ v: ABIValue) throws(ABIError) -> [UInt256] {
        var out: [UInt256] = []
        for item in try v.asArray() { out.append(try item.asUInt()) }
        return out
    }

    static func addresses(_ v: ABIValue) throws(ABIError) -> [Address] {
        var out: [Address] = []
        for item in try v.asArray() { out.append(try item.asAddress()) }
        return out
    }

    static func value(_ field: ABIEventField) throws(ABIError) -> ABIValue {
        guard case .value(let v) = field else { throw .topicMismatch("expected a decodable field, found a hashed topic") }
        return v
    }
}
