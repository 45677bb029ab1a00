import Crypto
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
        guard receipts.count == block.transactions.count else {
            throw ChainDatabaseError.receiptCountMismatch(transactions: block.transactions.count, receipts: receipts.count)
        }
        let blockHash = block.hash
        let baseFee = block.header.baseFeePerGas ?? .zero
        var details = [ReceiptDetails]()
        var previousCumulative: UInt64 = 0
        var logIndex: UInt32 = 0
        for (index, (transaction, receipt)) in zip(block.transactions, receipts).enumerated() {
            let sender = try transaction.sender()
            let transactionHash = transaction.hash
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
              let details = try receiptDetails(blockHash: location.blockHash),
              Int(location.index) < details.count else { return nil }
        return details[Int(location.index)]
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
