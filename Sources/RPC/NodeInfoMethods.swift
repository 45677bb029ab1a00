import LedgerCrypto
import Primitives

/// Node identity and fee methods (web3_*, net_*, eth_chainId ...). On a gas-free chain the
/// base fee and suggested tips are 0.
enum NodeInfoMethods {
    static func register(in registry: inout RPCMethodRegistry) {
        registry.register("web3_clientVersion") { params, context in
            try params.expectAtMost(0)
            return .string(context.configuration.clientVersion)
        }
        registry.register("web3_sha3") { params, _ in
            try params.expectAtMost(1)
            let input = try params.required(0, "data", ParamDecoding.data)
            return RPCEncoding.hash(Keccak256.hash(input))
        }
        registry.register("net_version") { _, context in .string(String(context.node.chainId)) }
        registry.register("net_listening") { _, _ in .bool(true) }
        registry.register("net_peerCount") { _, _ in RPCEncoding.quantity(UInt64(0)) }
        registry.register("eth_chainId") { _, context in RPCEncoding.quantity(context.node.chainId) }
        registry.register("eth_blockNumber") { _, context in RPCEncoding.quantity(try context.node.head().number) }
        registry.register("eth_syncing") { _, _ in .bool(false) }
        registry.register("eth_coinbase") { _, context in RPCEncoding.address(context.node.coinbase) }
        // Keys never leave the node: the public RPC lists no accounts.
        registry.register("eth_accounts") { _, _ in .array([]) }
        registry.register("eth_gasPrice") { _, _ in RPCEncoding.quantity(UInt64(0)) }
        registry.register("eth_maxPriorityFeePerGas") { _, _ in RPCEncoding.quantity(UInt64(0)) }
        registry.register("eth_feeHistory") { params, context in try feeHistory(params, context) }
    }

    /// `eth_feeHistory(blockCount, newestBlock, rewardPercentiles)`: base fees are always 0.
    static func feeHistory(_ params: RPCParams, _ context: RPCCallContext) throws -> JSONValue {
        try params.expectAtMost(3)
        let requested = try params.required(0, "blockCount") { (value, field) throws(RPCError) -> UInt64 in
            if let count = value.integerValue, count >= 0 { return UInt64(count) }
            return try ParamDecoding.uint64(value, field)
        }
        let newestTag = try params.required(1, "newestBlock", ParamDecoding.blockTag)
        let percentiles = try params.optional(2, "rewardPercentiles") { (value, field) throws(RPCError) -> [Double] in
            guard case .array(let items) = value else {
                throw RPCError.invalidParams("\(field): expected array, got \(value.typeName)")
            }
            var previous = -1.0
            return try items.enumerated().map { (index, item) throws(RPCError) -> Double in
                guard let number = item.doubleValue else {
                    throw RPCError.invalidParams("\(field)[\(index)]: expected number")
                }
                guard number >= 0, number <= 100, number >= previous else {
                    throw RPCError.invalidParams("\(field)[\(index)]: must be within 0...100 and increasing")
                }
                previous = number
                return number
            }
        }
        let newest = try BlockMethods.resolve(newestTag, context)
        let count = min(requested, 1_024, newest + 1)
        // An empty history starts nowhere: oldestBlock 0, as other nodes answer.
        let oldest = count == 0 ? 0 : newest + 1 - count
        var gasUsedRatio: [JSONValue] = []
        var rewards: [JSONValue] = []
        if count > 0 {
            for number in oldest...newest {
                guard let header = try context.node.header(number: number) else { continue }
                gasUsedRatio.append(.double(header.gasLimit == 0 ? 0 : Double(header.gasUsed) / Double(header.gasLimit)))
                rewards.append(.array((percentiles ?? []).map { _ in RPCEncoding.quantity(UInt64(0)) }))
            }
        }
        let zeros = JSONValue.array(Array(repeating: RPCEncoding.quantity(UInt64(0)), count: Int(count) + 1))
        var result: [String: JSONValue] = [
            "oldestBlock": RPCEncoding.quantity(oldest),
            "baseFeePerGas": zeros,
            "gasUsedRatio": .array(gasUsedRatio),
            "baseFeePerBlobGas": zeros,
            "blobGasUsedRatio": .array(gasUsedRatio.map { _ in .double(0) }),
        ]
        if percentiles != nil { result["reward"] = .array(rewards) }
        return .object(result)
    }
}
