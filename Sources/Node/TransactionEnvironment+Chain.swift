import Chain
import EVM
import Primitives

extension TransactionEnvironment {
    /// The EVM's view of a signed chain transaction whose sender is already known.
    init(_ transaction: Chain.Transaction, sender: Address) {
        self.init(type: transaction.type.rawValue, sender: sender, to: transaction.to, value: transaction.value,
                  data: transaction.data, gasLimit: transaction.gasLimit, nonce: transaction.nonce,
                  gasPrice: transaction.maxFeePerGas, maxFeePerGas: transaction.maxFeePerGas,
                  maxPriorityFeePerGas: transaction.maxPriorityFeePerGas,
                  accessList: transaction.accessList.map {
                      EVMAccessListEntry(address: $0.address, storageKeys: $0.storageKeys.map(UInt256.init))
                  },
                  maxFeePerBlobGas: transaction.blobFeeCap,
                  blobVersionedHashes: transaction.blobVersionedHashes.map(UInt256.init))
    }
}

extension Chain.Transaction {
    /// EIP-4844 blob fee cap; zero for the other types.
    var blobFeeCap: UInt256 {
        if case .blob(let blob) = payload { return blob.maxFeePerBlobGas }
        return .zero
    }
}

extension BlockEnvironment {
    /// The EVM's block context for `header` on a chain with `chainId`. PREVRANDAO reads the
    /// header's mix hash, as after the merge (zero on MLedger's sealed chain).
    init(_ header: BlockHeader, chainId: UInt64) {
        self.init(coinbase: header.coinbase, number: header.number, timestamp: header.timestamp,
                  gasLimit: header.gasLimit, baseFee: header.baseFeePerGas ?? .zero,
                  prevRandao: UInt256(header.mixHash), chainId: UInt256(chainId),
                  excessBlobGas: header.excessBlobGas ?? 0)
    }
}

extension Chain.Log {
    /// A receipt log from an EVM log.
    init(_ log: EVMLog) {
        self.init(address: log.address, topics: log.topics.map(\.hash32), data: log.data)
    }
}
