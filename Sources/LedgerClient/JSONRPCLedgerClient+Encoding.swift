import Chain
import Primitives
import RPC

/// JSON shapes of the parameters `JSONRPCLedgerClient` sends (Ethereum JSON-RPC conventions:
/// quantities as minimal hex, data as 0x-prefixed even-length hex).
enum JSONRPCEncoding {
    static func quantity(_ value: UInt64) -> JSONValue { .string("0x" + String(value, radix: 16)) }

    static func quantity(_ value: UInt256) -> JSONValue { .string(value.quantityHex) }

    static func address(_ address: Address) -> JSONValue { .string(address.description) }

    /// A block parameter: a tag, a number, or an EIP-1898 block-hash object.
    static func block(_ selector: BlockSelector) -> JSONValue {
        switch selector {
        case .tag(let tag):
            switch tag {
            case .latest: return "latest"
            case .pending: return "pending"
            case .earliest: return "earliest"
            case .safe: return "safe"
            case .finalized: return "finalized"
            case .number(let n): return quantity(n)
            }
        case let .hash(hash, requireCanonical):
            return ["blockHash": .string(hash.description), "requireCanonical": .bool(requireCanonical)]
        }
    }

    /// The call object of `eth_call` and `eth_estimateGas`; absent fields are left out.
    static func call(_ request: CallRequest) -> JSONValue {
        var fields: [String: JSONValue] = [:]
        if let from = request.from { fields["from"] = address(from) }
        if let to = request.to { fields["to"] = address(to) }
        if let gas = request.gas { fields["gas"] = quantity(gas) }
        if let gasPrice = request.gasPrice { fields["gasPrice"] = quantity(gasPrice) }
        if let cap = request.maxFeePerGas { fields["maxFeePerGas"] = quantity(cap) }
        if let tip = request.maxPriorityFeePerGas { fields["maxPriorityFeePerGas"] = quantity(tip) }
        if let value = request.value { fields["value"] = quantity(value) }
        if let input = request.input { fields["input"] = .string(Hex.encode(input)) }
        if let nonce = request.nonce { fields["nonce"] = quantity(nonce) }
        return .object(fields)
    }

    /// The filter object of `eth_getLogs` over blocks `from...to`.
    static func filter(_ filter: LogFilter, from: UInt64, to: UInt64) -> JSONValue {
        var fields: [String: JSONValue] = ["fromBlock": quantity(from), "toBlock": quantity(to)]
        if !filter.addresses.isEmpty { fields["address"] = .array(filter.addresses.map(address)) }
        if !filter.topics.isEmpty {
            fields["topics"] = .array(filter.topics.map { alternatives in
                guard let alternatives, !alternatives.isEmpty else { return .null }
                return .array(alternatives.map { .string($0.description) })
            })
        }
        return .object(fields)
    }
}
