import Primitives

// Public initialisers from every field, so that a client outside this module (the JSON-RPC
// `LedgerClient`) can rebuild what `eth_getTransactionReceipt` and `eth_getLogs` answer. The
// first label differs from the synthesized (internal) memberwise initialiser's on purpose.

extension ReceiptDetails {
    public init(consensus receipt: Receipt, transactionHash: Hash32, transactionIndex: UInt32, blockHash: Hash32,
                blockNumber: UInt64, from: Address, to: Address?, contractAddress: Address?, gasUsed: UInt64,
                effectiveGasPrice: UInt256, logs: [LocatedLog]) {
        self.receipt = receipt; self.transactionHash = transactionHash; self.transactionIndex = transactionIndex
        self.blockHash = blockHash; self.blockNumber = blockNumber; self.from = from; self.to = to
        self.contractAddress = contractAddress; self.gasUsed = gasUsed; self.effectiveGasPrice = effectiveGasPrice
        self.logs = logs
    }
}

extension LocatedLog {
    public init(_ log: Log, blockHash: Hash32, blockNumber: UInt64, blockTimestamp: UInt64, transactionHash: Hash32,
                transactionIndex: UInt32, logIndex: UInt32) {
        self.log = log; self.blockHash = blockHash; self.blockNumber = blockNumber; self.blockTimestamp = blockTimestamp
        self.transactionHash = transactionHash; self.transactionIndex = transactionIndex; self.logIndex = logIndex
    }
}
