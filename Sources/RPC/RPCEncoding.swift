import Chain
import Primitives

/// JSON shapes of chain objects as Ethereum JSON-RPC returns them (quantities as hex without
/// leading zeros, data as 0x hex).
enum RPCEncoding {
    static func quantity(_ value: UInt64) -> JSONValue { .string("0x" + String(value, radix: 16)) }
    static func quantity(_ value: UInt256) -> JSONValue { .string(value.quantityHex) }
    static func data<C: Collection>(_ bytes: C) -> JSONValue where C.Element == UInt8 { .string(Hex.encode(bytes)) }
    static func hash(_ value: Hash32) -> JSONValue { .string(value.description) }
    static func address(_ value: Address) -> JSONValue { .string(value.description) }

    /// A transaction, with its block position when mined.
    static func transaction(_ transaction: Transaction, hash: Hash32? = nil, location: TransactionLocation?,
                            baseFee: UInt256?) -> JSONValue {
        let hash = hash ?? transaction.hash
        var fields: [String: JSONValue] = [
            "hash": .string(hash.description),
            "type": quantity(UInt64(transaction.type.rawValue)),
            "nonce": quantity(transaction.nonce),
            "gas": quantity(transaction.gasLimit),
            "to": transaction.to.map(address) ?? .null,
            "value": quantity(transaction.value),
            "input": data(transaction.data),
            "r": quantity(transaction.signature.r),
            "s": quantity(transaction.signature.s),
            "blockHash": location.map { .string($0.blockHash.description) } ?? .null,
            "blockNumber": location.map { quantity($0.blockNumber) } ?? .null,
            "transactionIndex": location.map { quantity(UInt64($0.index)) } ?? .null,
        ]
        if let sender = try? transaction.cachedSender(hash: hash) { fields["from"] = address(sender) }
        if let chainId = transaction.chainId { fields["chainId"] = quantity(chainId) }
        switch transaction.payload {
        case .legacy(let legacy):
            fields["gasPrice"] = quantity(legacy.gasPrice)
            // EIP-155: v = chainId * 2 + 35 + yParity; without a chain id 27 + yParity.
            let parity = UInt64(transaction.signature.yParity)
            fields["v"] = quantity(legacy.chainId.map { $0 * 2 + 35 + parity } ?? 27 + parity)
        case .accessList(let typed):
            fields["gasPrice"] = quantity(typed.gasPrice)
            fields["accessList"] = accessList(typed.accessList)
            fields["v"] = quantity(UInt64(transaction.signature.yParity))
            fields["yParity"] = quantity(UInt64(transaction.signature.yParity))
        case .dynamicFee, .blob:
            fields["maxFeePerGas"] = quantity(transaction.maxFeePerGas)
            fields["maxPriorityFeePerGas"] = quantity(transaction.maxPriorityFeePerGas)
            // Mined: the price actually paid; pending: the fee cap, as other nodes report.
            fields["gasPrice"] = quantity(baseFee.map { ReceiptDetails.effectiveGasPrice(transaction, baseFee: $0) }
                                          ?? transaction.maxFeePerGas)
            fields["accessList"] = accessList(transaction.accessList)
            fields["v"] = quantity(UInt64(transaction.signature.yParity))
            fields["yParity"] = quantity(UInt64(transaction.signature.yParity))
            if case .blob(let blob) = transaction.payload {
                fields["maxFeePerBlobGas"] = quantity(blob.maxFeePerBlobGas)
                fields["blobVersionedHashes"] = .array(blob.blobVersionedHashes.map { RPCEncoding.hash($0) })
            }
        }
        return .object(fields)
    }

    static func accessList(_ entries: [AccessListEntry]) -> JSONValue {
        .array(entries.map { entry in
            ["address": address(entry.address), "storageKeys": .array(entry.storageKeys.map(hash))]
        })
    }

    /// A block with transaction hashes or full transactions.
    static func block(_ block: Block, fullTransactions: Bool) -> JSONValue {
        let header = block.header
        let blockHash = header.hash
        let transactions: [JSONValue] = block.transactions.enumerated().map { index, transaction in
            guard fullTransactions else { return hash(transaction.hash) }
            let location = TransactionLocation(blockHash: blockHash, blockNumber: header.number, index: UInt32(index))
            return self.transaction(transaction, location: location, baseFee: header.baseFeePerGas ?? .zero)
        }
        var fields = self.header(header, hash: blockHash)
        fields["size"] = quantity(UInt64(block.encoded.count))
        fields["transactions"] = .array(transactions)
        fields["uncles"] = .array(block.body.ommers.map { hash($0.hash) })
        if let withdrawals = block.body.withdrawals {
            fields["withdrawals"] = .array(withdrawals.map { withdrawal in
                ["index": quantity(withdrawal.index), "validatorIndex": quantity(withdrawal.validatorIndex),
                 "address": address(withdrawal.address), "amount": quantity(withdrawal.amountGwei)]
            })
        }
        return .object(fields)
    }

    /// Header fields (`newHeads` notifications carry these alone).
    static func header(_ header: BlockHeader, hash blockHash: Hash32? = nil) -> [String: JSONValue] {
        var nonceBytes = [UInt8](repeating: 0, count: 8)
        for index in 0..<8 { nonceBytes[index] = UInt8(truncatingIfNeeded: header.nonce >> (56 - 8 * UInt64(index))) }
        var fields: [String: JSONValue] = [
            "hash": hash(blockHash ?? header.hash),
            "parentHash": hash(header.parentHash),
            "sha3Uncles": hash(header.ommersHash),
            "miner": address(header.coinbase),
            "stateRoot": hash(header.stateRoot),
            "transactionsRoot": hash(header.transactionsRoot),
            "receiptsRoot": hash(header.receiptsRoot),
            "logsBloom": data(header.logsBloom.bytes),
            "difficulty": quantity(header.difficulty),
            "totalDifficulty": quantity(header.difficulty),
            "number": quantity(header.number),
            "gasLimit": quantity(header.gasLimit),
            "gasUsed": quantity(header.gasUsed),
            "timestamp": quantity(header.timestamp),
            "extraData": data(header.extraData),
            "mixHash": hash(header.mixHash),
            "nonce": data(nonceBytes),
        ]
        if let baseFee = header.baseFeePerGas { fields["baseFeePerGas"] = quantity(baseFee) }
        if let root = header.withdrawalsRoot { fields["withdrawalsRoot"] = hash(root) }
        if let used = header.blobGasUsed { fields["blobGasUsed"] = quantity(used) }
        if let excess = header.excessBlobGas { fields["excessBlobGas"] = quantity(excess) }
        if let root = header.parentBeaconBlockRoot { fields["parentBeaconBlockRoot"] = hash(root) }
        return fields
    }

    static func log(_ located: LocatedLog, removed: Bool = false) -> JSONValue {
        [
            "address": address(located.log.address),
            "topics": .array(located.log.topics.map(hash)),
            "data": data(located.log.data),
            "blockHash": hash(located.blockHash),
            "blockNumber": quantity(located.blockNumber),
            "blockTimestamp": quantity(located.blockTimestamp),
            "transactionHash": hash(located.transactionHash),
            "transactionIndex": quantity(UInt64(located.transactionIndex)),
            "logIndex": quantity(UInt64(located.logIndex)),
            "removed": .bool(removed),
        ]
    }

    static func receipt(_ details: ReceiptDetails) -> JSONValue {
        [
            "transactionHash": hash(details.transactionHash),
            "transactionIndex": quantity(UInt64(details.transactionIndex)),
            "blockHash": hash(details.blockHash),
            "blockNumber": quantity(details.blockNumber),
            "from": address(details.from),
            "to": details.to.map(address) ?? .null,
            "contractAddress": details.contractAddress.map(address) ?? .null,
            "cumulativeGasUsed": quantity(details.receipt.cumulativeGasUsed),
            "gasUsed": quantity(details.gasUsed),
            "effectiveGasPrice": quantity(details.effectiveGasPrice),
            "logs": .array(details.logs.map { log($0) }),
            "logsBloom": data(details.receipt.logsBloom.bytes),
            "status": quantity(UInt64(details.receipt.succeeded ? 1 : 0)),
            "type": quantity(UInt64(details.receipt.type.rawValue)),
        ]
    }
}
