import Primitives
import Trie

/// A header root that does not match the body or receipts it commits to.
public enum BlockRootMismatch: Error, Equatable, CustomStringConvertible {
    case transactionsRoot(header: Hash32, computed: Hash32)
    case ommersHash(header: Hash32, computed: Hash32)
    case withdrawalsRoot(header: Hash32?, computed: Hash32?)
    case receiptsRoot(header: Hash32, computed: Hash32)
    case logsBloom
    case gasUsed(header: UInt64, receipts: UInt64)

    public var description: String {
        switch self {
        case let .transactionsRoot(header, computed): return "block: transactions root \(header) != computed \(computed)"
        case let .ommersHash(header, computed): return "block: ommers hash \(header) != computed \(computed)"
        case let .withdrawalsRoot(header, computed):
            return "block: withdrawals root \(header.map { "\($0)" } ?? "absent") != computed \(computed.map { "\($0)" } ?? "absent")"
        case let .receiptsRoot(header, computed): return "block: receipts root \(header) != computed \(computed)"
        case .logsBloom: return "block: logs bloom differs from the union of the receipts' blooms"
        case let .gasUsed(header, receipts): return "block: gas used \(header) != last cumulative gas \(receipts)"
        }
    }
}

extension Block {
    /// Root of the trie from `rlp(index)` to each transaction's consensus encoding.
    public static func transactionsRoot(_ transactions: [Transaction]) -> Hash32 {
        Trie.orderedRoot(transactions.map(\.encoded))
    }

    /// Root of the trie from `rlp(index)` to each receipt's consensus encoding.
    public static func receiptsRoot(_ receipts: [Receipt]) -> Hash32 {
        Trie.orderedRoot(receipts.map(\.encoded))
    }

    /// Root of the trie from `rlp(index)` to each withdrawal (EIP-4895).
    public static func withdrawalsRoot(_ withdrawals: [Withdrawal]) -> Hash32 {
        Trie.orderedRoot(withdrawals.map(\.encoded))
    }

    /// Checks the header's transactions root, ommers hash and withdrawals root against the body.
    public func verifyBodyRoots() throws(BlockRootMismatch) {
        let transactions = Self.transactionsRoot(body.transactions)
        guard transactions == header.transactionsRoot else {
            throw .transactionsRoot(header: header.transactionsRoot, computed: transactions)
        }
        let ommers = Self.ommersHash(body.ommers)
        guard ommers == header.ommersHash else { throw .ommersHash(header: header.ommersHash, computed: ommers) }
        let withdrawals = body.withdrawals.map(Self.withdrawalsRoot)
        guard withdrawals == header.withdrawalsRoot else {
            throw .withdrawalsRoot(header: header.withdrawalsRoot, computed: withdrawals)
        }
    }

    /// Checks the header's receipts root, logs bloom and gas used against `receipts`.
    public func verifyReceipts(_ receipts: [Receipt]) throws(BlockRootMismatch) {
        let root = Self.receiptsRoot(receipts)
        guard root == header.receiptsRoot else { throw .receiptsRoot(header: header.receiptsRoot, computed: root) }
        guard Self.logsBloom(receipts) == header.logsBloom else { throw .logsBloom }
        let used = receipts.last?.cumulativeGasUsed ?? 0
        guard used == header.gasUsed else { throw .gasUsed(header: header.gasUsed, receipts: used) }
    }
}
