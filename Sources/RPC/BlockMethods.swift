import Chain
import Primitives

/// Block reads. A single-member chain seals final blocks, so `safe` and `finalized` are the
/// head; `pending` is the head too (no block is being built in public).
enum BlockMethods {
    static func register(in registry: inout RPCMethodRegistry) {
        registry.register("eth_getBlockByNumber") { params, context in
            try params.expectAtMost(2)
            let tag = try params.required(0, "blockNumber", ParamDecoding.blockTag)
            let full = try params.optional(1, "fullTransactions", ParamDecoding.bool) ?? false
            guard let block = try block(tag, context) else { return .null }
            return RPCEncoding.block(block, fullTransactions: full)
        }
        registry.register("eth_getBlockByHash") { params, context in
            try params.expectAtMost(2)
            let hash = try params.required(0, "blockHash", ParamDecoding.hash)
            let full = try params.optional(1, "fullTransactions", ParamDecoding.bool) ?? false
            guard let block = try context.node.block(hash: hash) else { return .null }
            return RPCEncoding.block(block, fullTransactions: full)
        }
        registry.register("eth_getBlockTransactionCountByNumber") { params, context in
            try params.expectAtMost(1)
            let tag = try params.required(0, "blockNumber", ParamDecoding.blockTag)
            guard let block = try block(tag, context) else { return .null }
            return RPCEncoding.quantity(UInt64(block.transactions.count))
        }
        registry.register("eth_getBlockTransactionCountByHash") { params, context in
            try params.expectAtMost(1)
            let hash = try params.required(0, "blockHash", ParamDecoding.hash)
            guard let block = try context.node.block(hash: hash) else { return .null }
            return RPCEncoding.quantity(UInt64(block.transactions.count))
        }
    }

    /// The block number a tag names (numbers above the head are returned as asked; the
    /// lookup then finds nothing).
    static func resolve(_ tag: BlockTag, _ context: RPCCallContext) throws -> UInt64 {
        switch tag {
        case .earliest: return 0
        case .latest, .pending, .safe, .finalized: return try context.node.head().number
        case .number(let number): return number
        }
    }

    static func block(_ tag: BlockTag, _ context: RPCCallContext) throws -> Block? {
        try context.node.block(number: resolve(tag, context))
    }

    /// The block a selector names, or nil (a hash that is not canonical when
    /// `requireCanonical` is set counts as missing).
    static func block(_ selector: BlockSelector, _ context: RPCCallContext) throws -> Block? {
        switch selector {
        case .tag(let tag): return try block(tag, context)
        case let .hash(hash, requireCanonical):
            guard let block = try context.node.block(hash: hash) else { return nil }
            if requireCanonical, try context.node.header(number: block.number)?.hash != hash { return nil }
            return block
        }
    }
}
