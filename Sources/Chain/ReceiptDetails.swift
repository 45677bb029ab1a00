import LedgerCrypto
import Primitives
import RLP

/// A receipt with everything `eth_getTransactionReceipt` reports besides the consensus
/// fields: where the transaction is, who sent it, the gas it alone used, the price it paid
/// per gas, the contract it created, and each log's position.
public struct ReceiptDetails: Equatable, Sendable {
    public var receipt: Receipt
    public var transactionHash: Hash32
    public var transactionIndex: UInt32
    public var blockHash: Hash32
    public var blockNumber: UInt64
    public var from: Address
    public var to: Address?
    /// Set for contract creations: the address derived from the sender and nonce.
    public var contractAddress: Address?
    /// This transaction's share of the block's gas (cumulative minus the previous receipt's).
    public var gasUsed: UInt64
    /// What the sender paid per gas: the gas price, or min(fee cap, base fee + tip) (EIP-1559).
    public var effectiveGasPrice: UInt256
    public var logs: [LocatedLog]

    /// The details of every transaction in `block`, given its receipts. Fails when a sender
    /// cannot be recovered or the receipts do not belong to the block.
    public static func of(block: Block, receipts: [Receipt]) throws -> [ReceiptDetails] {
        try of(block: block, receipts: receipts, indices: 0..<block.transactions.count)
    }

    /// The details of the transactions at `indices` only (a receipt lookup needs one, not the
    /// whole block): gas and log positions come from the receipts before them.
    public static func of(block: Block, receipts: [Receipt], indices: Range<Int>) throws -> [ReceiptDetails] {
        guard receipts.count == block.transactions.count else {
            throw ChainDatabaseError.receiptCountMismatch(transactions: block.transactions.count, receipts: receipts.count)
        }
        guard indices.lowerBound >= 0, indices.upperBound <= receipts.count else { return [] }
        let blockHash = block.hash
        let baseFee = block.header.baseFeePerGas ?? .zero
        var details = [ReceiptDetails]()
        details.reserveCapacity(indices.count)
        var previousCumulative: UInt64 = indices.lowerBound > 0 ? receipts[indices.lowerBound - 1].cumulativeGasUsed : 0
        var logIndex = UInt32(receipts[..<indices.lowerBound].reduce(0) { $0 + $1.logs.count })
        for index in indices {
            let transaction = block.transactions[index], receipt = receipts[index]
            let transactionHash = transaction.hash
            let sender = try transaction.cachedSender(hash: transactionHash)
            let logs = receipt.logs.map { log -> LocatedLog in
                defer { logIndex += 1 }
                return LocatedLog(log: log, blockHash: blockHash, blockNumber: block.number,
                                  blockTimestamp: block.header.timestamp, transactionHash: transactionHash,
                                  transactionIndex: UInt32(index), logIndex: logIndex)
            }
            details.append(ReceiptDetails(
                receipt: receipt, transactionHash: transactionHash, transactionIndex: UInt32(index),
                blockHash: blockHash, blockNumber: block.number, from: sender, to: transaction.to,
                contractAddress: transaction.isCreate ? contractAddress(sender: sender, nonce: transaction.nonce) : nil,
                gasUsed: receipt.cumulativeGasUsed &- previousCumulative,
                effectiveGasPrice: effectiveGasPrice(transaction, baseFee: baseFee), logs: logs))
            previousCumulative = receipt.cumulativeGasUsed
        }
        return details
    }

    /// The address CREATE gives: the low 20 bytes of Keccak-256(rlp([sender, nonce])).
    public static func contractAddress(sender: Address, nonce: UInt64) -> Address {
        Address(low20Of: Keccak256.hash(RLP.encode(list: [RLP.encode(bytes: sender.bytes), RLP.encode(uint: nonce)])))
    }

    /// The price per gas a transaction pays under `baseFee`.
    public static func effectiveGasPrice(_ transaction: Transaction, baseFee: UInt256) -> UInt256 {
        switch transaction.type {
        case .legacy, .accessList:
            return transaction.maxFeePerGas
        case .dynamicFee, .blob:
            let (sum, overflow) = baseFee.addingReportingOverflow(transaction.maxPriorityFeePerGas)
            return overflow ? transaction.maxFeePerGas : min(transaction.maxFeePerGas, sum)
        }
    }
}

extension ChainDatabase {
    /// The receipt details of a mined transaction (`eth_getTransactionReceipt`).
    public func receiptDetails(transactionHash hash: Hash32) throws -> ReceiptDetails? {
        guard let location = try transactionLocation(hash: hash),
              let block = try block(hash: location.blockHash) else { return nil }
        guard let receipts = try receipts(blockHash: location.blockHash) else {
            throw ChainDatabaseError.corrupt(record: "receipts of block \(block.number)", reason: "missing")
        }
        let index = Int(location.index)
        return try ReceiptDetails.of(block: block, receipts: receipts, indices: index..<(index + 1)).first
    }

    /// The receipt details of every transaction in a block (`eth_getBlockReceipts`).
    public func receiptDetails(blockHash: Hash32) throws -> [ReceiptDetails]? {
        guard let block = try block(hash: blockHash) else { return nil }
        guard let receipts = try receipts(blockHash: blockHash) else {
            throw ChainDatabaseError.corrupt(record: "receipts of block \(block.number)", reason: "missing")
        }
        return try ReceiptDetails.of(block: block, receipts: receipts)
    }
}
