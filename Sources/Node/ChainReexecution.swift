import Chain
import Primitives

/// Where re-executing the stored chain disagreed with what was stored.
public enum ChainReexecutionError: Error, Equatable, CustomStringConvertible {
    case notInitialized
    case missingBlock(number: UInt64)
    case genesisStateRoot(stored: Hash32, derived: Hash32)
    case unrecoverableSender(number: UInt64, index: Int)
    /// A stored transaction did not run (the executor skipped or rejected it).
    case transactionNotExecuted(number: UInt64, index: Int, reason: String)
    case receiptMismatch(number: UInt64, index: Int)
    case stateRootMismatch(number: UInt64, stored: Hash32, derived: Hash32)
    case gasUsedMismatch(number: UInt64, stored: UInt64, derived: UInt64)

    public var description: String {
        switch self {
        case .notInitialized: return "re-execute: the database holds no chain"
        case .missingBlock(let n): return "re-execute: block \(n) is missing"
        case let .genesisStateRoot(stored, derived):
            return "re-execute: genesis state root \(stored) but the genesis allocation gives \(derived)"
        case let .unrecoverableSender(n, i): return "re-execute: block \(n) transaction \(i): sender cannot be recovered"
        case let .transactionNotExecuted(n, i, reason): return "re-execute: block \(n) transaction \(i) does not run: \(reason)"
        case let .receiptMismatch(n, i): return "re-execute: block \(n) transaction \(i): receipt differs from the stored one"
        case let .stateRootMismatch(n, stored, derived):
            return "re-execute: block \(n) state root \(stored), re-execution gives \(derived)"
        case let .gasUsedMismatch(n, stored, derived): return "re-execute: block \(n) gas used \(stored), re-execution gives \(derived)"
        }
    }
}

extension ChainDatabase {
    /// Re-executes every block from genesis with the EVM and checks that each reproduces the
    /// stored receipts, gas used and state root; the genesis state root is re-derived from the
    /// stored genesis allocation. Complements `verifyChain` (seals, links, body roots).
    /// Returns the number of blocks re-executed (genesis included).
    @discardableResult
    public func reexecuteChain(genesis: Genesis, progress: ((_ number: UInt64) -> Void)? = nil) throws -> UInt64 {
        guard let head else { throw ChainReexecutionError.notInitialized }
        forgetRecentBlocks()
        guard let genesisHeader = try header(number: 0) else { throw ChainReexecutionError.missingBlock(number: 0) }
        let derivedGenesisRoot = try genesis.state().root
        guard derivedGenesisRoot == genesisHeader.stateRoot else {
            throw ChainReexecutionError.genesisStateRoot(stored: genesisHeader.stateRoot, derived: derivedGenesisRoot)
        }
        let executor = EVMBlockExecutor(database: self, chainId: genesis.config.chainId)
        var parent = genesisHeader
        if head.number == 0 { return 1 }
        for number in 1...head.number {
            guard let block = try block(number: number), let stored = try receipts(blockHash: block.hash) else {
                throw ChainReexecutionError.missingBlock(number: number)
            }
            var candidates = [PendingTransaction]()
            for (index, transaction) in block.transactions.enumerated() {
                guard let sender = try? transaction.sender() else {
                    throw ChainReexecutionError.unrecoverableSender(number: number, index: index)
                }
                candidates.append(PendingTransaction(transaction: transaction, sender: sender))
            }
            let result = try executor.execute(header: block.header, parent: parent, candidates: candidates)
            if let index = zip(block.transactions, result.transactions).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset
                ?? (result.transactions.count < block.transactions.count ? result.transactions.count : nil) {
                let reason = result.rejected.first { $0.hash == block.transactions[index].hash }?.reason ?? "skipped (nonce, funds or gas)"
                throw ChainReexecutionError.transactionNotExecuted(number: number, index: index, reason: reason)
            }
            if let index = zip(stored, result.receipts).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
                throw ChainReexecutionError.receiptMismatch(number: number, index: index)
            }
            let gasUsed = result.receipts.last?.cumulativeGasUsed ?? 0
            guard gasUsed == block.header.gasUsed else {
                throw ChainReexecutionError.gasUsedMismatch(number: number, stored: block.header.gasUsed, derived: gasUsed)
            }
            guard result.stateRoot == block.header.stateRoot else {
                throw ChainReexecutionError.stateRootMismatch(number: number, stored: block.header.stateRoot, derived: result.stateRoot)
            }
            progress?(number)
            parent = block.header
        }
        return head.number + 1
    }
}
