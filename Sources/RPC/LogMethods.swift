import Chain
import Primitives

/// `eth_getLogs` and polling filters.
enum LogMethods {
    /// A parsed filter object: what to match and where.
    struct FilterQuery {
        var filter: LogFilter
        var from: BlockTag?
        var to: BlockTag?
        var blockHash: Hash32?
    }

    static func register(in registry: inout RPCMethodRegistry) {
        registry.register("eth_getLogs") { params, context in
            try params.expectAtMost(1)
            let query = try params.required(0, "filter", filterQuery)
            return .array(try logs(query, context).map { RPCEncoding.log($0) })
        }
        registry.register("eth_newFilter") { params, context in
            try params.expectAtMost(1)
            let query = try params.required(0, "filter", filterQuery)
            guard query.blockHash == nil else {
                throw RPCError.invalidParams("filter.blockHash: not supported for filters, use eth_getLogs")
            }
            return .string(context.filters.install(.logs(query.filter, from: query.from, to: query.to)))
        }
        registry.register("eth_newBlockFilter") { _, context in .string(context.filters.install(.blocks)) }
        registry.register("eth_newPendingTransactionFilter") { _, context in
            .string(context.filters.install(.pendingTransactions))
        }
        registry.register("eth_getFilterChanges") { params, context in
            try params.expectAtMost(1)
            let id = try params.required(0, "filterId", ParamDecoding.string)
            guard let changes = context.filters.takeChanges(id) else { throw RPCError.server("filter not found") }
            return .array(changes)
        }
        registry.register("eth_getFilterLogs") { params, context in
            try params.expectAtMost(1)
            let id = try params.required(0, "filterId", ParamDecoding.string)
            guard case .logs(let filter, let from, let to)? = context.filters.kind(of: id) else {
                throw RPCError.server("filter not found")
            }
            let query = FilterQuery(filter: filter, from: from, to: to, blockHash: nil)
            return .array(try logs(query, context).map { RPCEncoding.log($0) })
        }
        registry.register("eth_uninstallFilter") { params, context in
            try params.expectAtMost(1)
            let id = try params.required(0, "filterId", ParamDecoding.string)
            return .bool(context.filters.uninstall(id))
        }
    }

    static func logs(_ query: FilterQuery, _ context: RPCCallContext) throws -> [LocatedLog] {
        if let hash = query.blockHash {
            guard let logs = try context.node.logs(matching: query.filter, blockHash: hash) else {
                throw RPCError.server("unknown block")
            }
            return logs
        }
        let from = try BlockMethods.resolve(query.from ?? .latest, context)
        let to = try BlockMethods.resolve(query.to ?? .latest, context)
        return try context.node.logs(matching: query.filter, from: from, to: to,
                                     maxBlocks: context.configuration.maxLogBlockRange)
    }

    /// `{fromBlock, toBlock, blockHash, address, topics}` with errors naming the field.
    static func filterQuery(_ value: JSONValue, _ field: String) throws(RPCError) -> FilterQuery {
        guard case .object(let fields) = value else {
            throw RPCError.invalidParams("\(field): expected object, got \(value.typeName)")
        }
        let known: Set<String> = ["fromBlock", "toBlock", "blockHash", "address", "topics"]
        if let unknown = fields.keys.sorted().first(where: { !known.contains($0) }) {
            throw RPCError.invalidParams("\(field): unknown field \(unknown.prefix(32))")
        }
        func tag(_ key: String) throws(RPCError) -> BlockTag? {
            guard let value = fields[key], !value.isNull else { return nil }
            return try ParamDecoding.blockTag(value, "\(field).\(key)")
        }
        var query = FilterQuery(filter: LogFilter(), from: try tag("fromBlock"), to: try tag("toBlock"))
        if let hashValue = fields["blockHash"], !hashValue.isNull {
            guard query.from == nil && query.to == nil else {
                throw RPCError.invalidParams("\(field): cannot specify both blockHash and fromBlock/toBlock")
            }
            query.blockHash = try ParamDecoding.hash(hashValue, "\(field).blockHash")
        }
        switch fields["address"] {
        case nil, .null?: break
        case .array(let items)?:
            query.filter.addresses = try items.enumerated().map { (index, item) throws(RPCError) in
                try ParamDecoding.address(item, "\(field).address[\(index)]")
            }
        case let single?:
            query.filter.addresses = [try ParamDecoding.address(single, "\(field).address")]
        }
        switch fields["topics"] {
        case nil, .null?: break
        case .array(let positions)?:
            guard positions.count <= 4 else { throw RPCError.invalidParams("\(field).topics: more than 4 positions") }
            query.filter.topics = try positions.enumerated().map { (index, position) throws(RPCError) -> [Hash32]? in
                let name = "\(field).topics[\(index)]"
                switch position {
                case .null: return nil
                case .array(let alternatives):
                    if alternatives.isEmpty { return nil }
                    return try alternatives.enumerated().map { (inner, item) throws(RPCError) in
                        try ParamDecoding.hash(item, "\(name)[\(inner)]")
                    }
                default: return [try ParamDecoding.hash(position, name)]
                }
            }
        case let other?:
            throw RPCError.invalidParams("\(field).topics: expected array, got \(other.typeName)")
        }
        return query
    }
}
