import Primitives

/// The first problem `verifyChain` found, with the block it is in.
public enum ChainVerificationError: Error, Equatable, CustomStringConvertible {
    case database(ChainDatabaseError)
    case notInitialized
    case missingBlock(number: UInt64)
    case missingReceipts(number: UInt64)
    /// The block's parent hash is not the hash of the canonical block before it.
    case brokenLink(number: UInt64)
    /// Timestamps strictly increase, as every Ethereum chain requires.
    case timestampNotAfterParent(number: UInt64)
    case gasUsedAboveLimit(number: UInt64)
    case badSeal(number: UInt64, SealError)
    case rootMismatch(number: UInt64, BlockRootMismatch)

    public var description: String {
        switch self {
        case .database(let error): return "verify: \(error)"
        case .notInitialized: return "verify: the database holds no chain"
        case .missingBlock(let n): return "verify: block \(n) is missing"
        case .missingReceipts(let n): return "verify: receipts of block \(n) are missing"
        case .brokenLink(let n): return "verify: block \(n) does not point to block \(n - 1)"
        case .timestampNotAfterParent(let n): return "verify: block \(n) is not later than its parent"
        case .gasUsedAboveLimit(let n): return "verify: block \(n) uses more gas than its limit"
        case let .badSeal(n, error): return "verify: block \(n): \(error)"
        case let .rootMismatch(n, error): return "verify: block \(n): \(error)"
        }
    }
}

extension ChainDatabase {
    /// Re-checks every stored block from genesis to the head without trusting any index:
    /// links, timestamps, gas, each block's seal against `sealer`, and the transactions,
    /// ommers, withdrawals and receipts roots and bloom against the stored body and receipts.
    /// (Re-executing the transactions to check state roots is the executor's part.)
    /// Returns the number of blocks checked.
    @discardableResult
    public func verifyChain(sealer: Address,
                            progress: ((_ number: UInt64) -> Void)? = nil) throws(ChainVerificationError) -> UInt64 {
        guard let head else { throw .notInitialized }
        forgetRecentBlocks()
        var parent: BlockHeader?
        for number in 0...head.number {
            let block: Block
            let receipts: [Receipt]
            do {
                guard let found = try self.block(number: number) else { throw ChainVerificationError.missingBlock(number: number) }
                guard let foundReceipts = try self.receipts(blockHash: found.hash) else {
                    throw ChainVerificationError.missingReceipts(number: number)
                }
                block = found
                receipts = foundReceipts
            } catch let error as ChainVerificationError {
                throw error
            } catch {
                throw .database(error as? ChainDatabaseError ?? .corrupt(record: "block \(number)", reason: "\(error)"))
            }
            let header = block.header
            guard header.number == number else { throw .brokenLink(number: number) }
            if let parent {
                guard header.parentHash == parent.hash else { throw .brokenLink(number: number) }
                guard header.timestamp > parent.timestamp else { throw .timestampNotAfterParent(number: number) }
                do {
                    try Sealer.verify(header, sealer: sealer)
                } catch {
                    throw .badSeal(number: number, error)
                }
            }
            guard header.gasUsed <= header.gasLimit else { throw .gasUsedAboveLimit(number: number) }
            do {
                try block.verifyBodyRoots()
                try block.verifyReceipts(receipts)
            } catch {
                throw .rootMismatch(number: number, error)
            }
            progress?(number)
            parent = header
        }
        return head.number + 1
    }
}
