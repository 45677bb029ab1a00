import Chain
import Primitives

/// Transaction submission and lookups, and the pool's own methods (txpool_*).
enum TransactionMethods {
    static func register(in registry: inout RPCMethodRegistry) {
        registry.register("eth_sendRawTransaction") { params, context in
            try params.expectAtMost(1)
            let raw = try params.required(0, "transaction", ParamDecoding.data)
            return RPCEncoding.hash(try context.node.submit(raw: raw).hash)
        }
        registry.register("eth_getTransactionByHash") { params, context in
            try params.expectAtMost(1)
            let hash = try params.required(0, "transactionHash", ParamDecoding.hash)
            if let (transaction, location) = try context.node.minedTransaction(hash: hash) {
                let baseFee = try context.node.header(number: location.blockNumber)?.baseFeePerGas ?? .zero
                return RPCEncoding.transaction(transaction, hash: hash, location: location, baseFee: baseFee)
            }
            if let pending = context.node.pendingTransaction(hash: hash) {
                return RPCEncoding.transaction(pending, hash: hash, location: nil, baseFee: nil)
            }
            return .null
        }
        registry.register("eth_getTransactionByBlockNumberAndIndex") { params, context in
            try params.expectAtMost(2)
            let tag = try params.required(0, "blockNumber", ParamDecoding.blockTag)
            let index = try params.required(1, "index", ParamDecoding.uint64)
            return transaction(in: try BlockMethods.block(tag, context), index: index)
        }
        registry.register("eth_getTransactionByBlockHashAndIndex") { params, context in
            try params.expectAtMost(2)
            let hash = try params.required(0, "blockHash", ParamDecoding.hash)
            let index = try params.required(1, "index", ParamDecoding.uint64)
            return transaction(in: try context.node.block(hash: hash), index: index)
        }
        // Null while the transaction waits in the pool, as Ethereum clients expect.
        registry.register("eth_getTransactionReceipt") { params, context in
            try params.expectAtMost(1)
            let hash = try params.required(0, "transactionHash", ParamDecoding.hash)
            guard let details = try context.node.receiptDetails(transactionHash: hash) else { return .null }
            return RPCEncoding.receipt(details)
        }
        registry.register("eth_getBlockReceipts") { params, context in
            try params.expectAtMost(1)
            let selector = try params.required(0, "block", ParamDecoding.blockSelector)
            guard let block = try BlockMethods.block(selector, context),
                  let receipts = try context.node.receiptDetails(blockHash: block.hash) else { return .null }
            return .array(receipts.map(RPCEncoding.receipt))
        }
        registry.register("txpool_status") { _, context in
            let status = context.node.poolStatus()
            return ["pending": RPCEncoding.quantity(UInt64(status.pending)),
                    "queued": RPCEncoding.quantity(UInt64(status.queued))]
        }
        registry.register("txpool_content") { _, context in
            let content = context.node.poolContent()
            return ["pending": grouped(content.pending), "queued": grouped(content.queued)]
        }
    }

    static func transaction(in block: Block?, index: UInt64) -> JSONValue {
        guard let block, index < UInt64(block.transactions.count) else { return .null }
        let location = TransactionLocation(blockHash: block.hash, blockNumber: block.number, index: UInt32(index))
        return RPCEncoding.transaction(block.transactions[Int(index)], location: location,
                                       baseFee: block.header.baseFeePerGas ?? .zero)
    }

    /// `{sender: {nonce (decimal): transaction}}`, the txpool_content shape.
    static func grouped(_ bySender: [Address: [Transaction]]) -> JSONValue {
        .object(Dictionary(uniqueKeysWithValues: bySender.map { sender, transactions in
            (sender.description, JSONValue.object(Dictionary(transactions.map { transaction in
                (String(transaction.nonce), RPCEncoding.transaction(transaction, location: nil, baseFee: nil))
            }, uniquingKeysWith: { _, last in last })))
        }))
    }
}
