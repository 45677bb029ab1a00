import Primitives

/// Methods that read account state or execute code. They decode and check their parameters
/// like every other method, then go through `StateBackend`.
enum StateMethods {
    static func register(in registry: inout RPCMethodRegistry) {
        registry.register("eth_getBalance") { params, context in
            try params.expectAtMost(2)
            let address = try params.required(0, "address", ParamDecoding.address)
            let block = try params.optional(1, "block", ParamDecoding.blockSelector) ?? .latest
            return RPCEncoding.quantity(try backend("eth_getBalance", context).balance(of: address, at: block))
        }
        registry.register("eth_getTransactionCount") { params, context in
            try params.expectAtMost(2)
            let address = try params.required(0, "address", ParamDecoding.address)
            let block = try params.optional(1, "block", ParamDecoding.blockSelector) ?? .latest
            return RPCEncoding.quantity(try backend("eth_getTransactionCount", context).transactionCount(of: address, at: block))
        }
        registry.register("eth_getCode") { params, context in
            try params.expectAtMost(2)
            let address = try params.required(0, "address", ParamDecoding.address)
            let block = try params.optional(1, "block", ParamDecoding.blockSelector) ?? .latest
            return RPCEncoding.data(try backend("eth_getCode", context).code(of: address, at: block))
        }
        registry.register("eth_getStorageAt") { params, context in
            try params.expectAtMost(3)
            let address = try params.required(0, "address", ParamDecoding.address)
            let slot = try params.required(1, "slot", ParamDecoding.uint256).hash32
            let block = try params.optional(2, "block", ParamDecoding.blockSelector) ?? .latest
            return RPCEncoding.hash(try backend("eth_getStorageAt", context).storage(of: address, slot: slot, at: block))
        }
        registry.register("eth_call") { params, context in
            try params.expectAtMost(3)
            var request = try params.required(0, "transaction", callRequest)
            request.stateOverrides = try params.optional(2, "stateOverrides", stateOverrides) ?? [:]
            let block = try params.optional(1, "block", ParamDecoding.blockSelector) ?? .latest
            return RPCEncoding.data(try backend("eth_call", context).call(request, at: block))
        }
        registry.register("eth_estimateGas") { params, context in
            try params.expectAtMost(3)
            let request = try params.required(0, "transaction", callRequest)
            let block = try params.optional(1, "block", ParamDecoding.blockSelector) ?? .latest
            return RPCEncoding.quantity(try backend("eth_estimateGas", context).estimateGas(request, at: block))
        }
        registry.register("eth_getProof") { params, context in
            try params.expectAtMost(3)
            let address = try params.required(0, "address", ParamDecoding.address)
            let slots = try params.required(1, "storageKeys") { (value, field) throws(RPCError) -> [Hash32] in
                guard case .array(let items) = value else {
                    throw RPCError.invalidParams("\(field): expected array, got \(value.typeName)")
                }
                return try items.enumerated().map { (index, item) throws(RPCError) in
                    try ParamDecoding.uint256(item, "\(field)[\(index)]").hash32
                }
            }
            let block = try params.optional(2, "block", ParamDecoding.blockSelector) ?? .latest
            return try backend("eth_getProof", context).proof(of: address, slots: slots, at: block)
        }
        registry.register("debug_traceTransaction") { params, context in
            try params.expectAtMost(2)
            let hash = try params.required(0, "transactionHash", ParamDecoding.hash)
            let options = params.values.count > 1 ? params.values[1] : nil
            return try backend("debug_traceTransaction", context).traceTransaction(hash: hash, options: options)
        }
        registry.register("debug_traceCall") { params, context in
            try params.expectAtMost(3)
            let request = try params.required(0, "transaction", callRequest)
            let block = try params.optional(1, "block", ParamDecoding.blockSelector) ?? .latest
            let options = params.values.count > 2 ? params.values[2] : nil
            return try backend("debug_traceCall", context).traceCall(request, at: block, options: options)
        }
    }

    static func backend(_ method: String, _ context: RPCCallContext) throws(RPCError) -> any StateBackend {
        guard let state = context.state else { throw RPCError.stateUnavailable(method) }
        return state
    }

    /// A call object (`from`, `to`, `gas`, `gasPrice`, fee caps, `value`, `input`/`data`, `nonce`).
    static func callRequest(_ value: JSONValue, _ field: String) throws(RPCError) -> CallRequest {
        guard case .object(let fields) = value else {
            throw RPCError.invalidParams("\(field): expected object, got \(value.typeName)")
        }
        func get<T>(_ key: String, _ decode: (JSONValue, String) throws(RPCError) -> T) throws(RPCError) -> T? {
            guard let item = fields[key], !item.isNull else { return nil }
            return try decode(item, "\(field).\(key)")
        }
        var request = CallRequest()
        request.from = try get("from", ParamDecoding.address)
        request.to = try get("to", ParamDecoding.address)
        request.gas = try get("gas", ParamDecoding.uint64)
        request.gasPrice = try get("gasPrice", ParamDecoding.uint256)
        request.maxFeePerGas = try get("maxFeePerGas", ParamDecoding.uint256)
        request.maxPriorityFeePerGas = try get("maxPriorityFeePerGas", ParamDecoding.uint256)
        request.value = try get("value", ParamDecoding.uint256)
        request.nonce = try get("nonce", ParamDecoding.uint64)
        let input = try get("input", ParamDecoding.data)
        let data = try get("data", ParamDecoding.data)
        if let input, let data, input != data {
            throw RPCError.invalidParams("\(field): both input and data given and they differ")
        }
        request.input = input ?? data
        return request
    }

    /// `{address: {balance, nonce, code, state | stateDiff}}` for `eth_call`.
    static func stateOverrides(_ value: JSONValue, _ field: String) throws(RPCError) -> [Address: AccountOverride] {
        guard case .object(let accounts) = value else {
            throw RPCError.invalidParams("\(field): expected object, got \(value.typeName)")
        }
        var overrides = [Address: AccountOverride]()
        for (key, entry) in accounts {
            let address = try ParamDecoding.address(.string(key), "\(field) key \(key)")
            let path = "\(field).\(key)"
            guard case .object(let fields) = entry else {
                throw RPCError.invalidParams("\(path): expected object, got \(entry.typeName)")
            }
            let known: Set<String> = ["balance", "nonce", "code", "state", "stateDiff"]
            if let unknown = fields.keys.sorted().first(where: { !known.contains($0) }) {
                throw RPCError.invalidParams("\(path).\(unknown): unknown override field")
            }
            func get<T>(_ name: String, _ decode: (JSONValue, String) throws(RPCError) -> T) throws(RPCError) -> T? {
                guard let item = fields[name], !item.isNull else { return nil }
                return try decode(item, "\(path).\(name)")
            }
            func slots(_ item: JSONValue, _ name: String) throws(RPCError) -> [Hash32: Hash32] {
                guard case .object(let entries) = item else {
                    throw RPCError.invalidParams("\(name): expected object, got \(item.typeName)")
                }
                var result = [Hash32: Hash32]()
                for (slot, word) in entries {
                    result[try ParamDecoding.hash(.string(slot), "\(name) key \(slot)")] =
                        try ParamDecoding.hash(word, "\(name).\(slot)")
                }
                return result
            }
            let override = AccountOverride(balance: try get("balance", ParamDecoding.uint256),
                                           nonce: try get("nonce", ParamDecoding.uint64),
                                           code: try get("code", ParamDecoding.data),
                                           state: try get("state", slots), stateDiff: try get("stateDiff", slots))
            if override.state != nil && override.stateDiff != nil {
                throw RPCError.invalidParams("\(path): state and stateDiff cannot both be given")
            }
            overrides[address] = override
        }
        return overrides
    }
}
