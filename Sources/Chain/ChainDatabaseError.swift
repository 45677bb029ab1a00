import Primitives
import Storage

/// Why the chain database refused a write or could not read a record.
public enum ChainDatabaseError: Error, Equatable, CustomStringConvertible {
    case storage(StorageError)
    /// A stored record does not decode: the database is damaged or was written by other code.
    case corrupt(record: String, reason: String)
    /// Blocks are committed in order: each one's parent must be the current head.
    case notChildOfHead(number: UInt64, parentHash: Hash32, headNumber: UInt64?, headHash: Hash32?)
    case receiptCountMismatch(transactions: Int, receipts: Int)
    /// The directory already holds a chain that starts from another genesis block.
    case genesisMismatch(stored: Hash32, given: Hash32)
    case notInitialized
    case notGenesis(number: UInt64)

    public var description: String {
        switch self {
        case .storage(let error): return "chain database: \(error)"
        case let .corrupt(record, reason): return "chain database: stored \(record) is corrupt: \(reason)"
        case let .notChildOfHead(number, parent, headNumber, headHash):
            let head = headHash.map { "head \(headNumber ?? 0) (\($0))" } ?? "an empty database"
            return "chain database: block \(number) with parent \(parent) does not extend \(head)"
        case let .receiptCountMismatch(transactions, receipts):
            return "chain database: \(receipts) receipts for \(transactions) transactions"
        case let .genesisMismatch(stored, given):
            return "chain database: this data directory holds the chain of genesis \(stored), not \(given); use a new directory"
        case .notInitialized: return "chain database: no genesis block; run init first"
        case .notGenesis(let number): return "chain database: block \(number) is not a genesis block"
        }
    }
}
