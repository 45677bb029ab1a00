import Chain
import Primitives

/// What the JSON-RPC methods read from and hand to the node: chain data, the transaction
/// pool and the chain configuration. `ChainNodeBackend` implements it over `ChainDatabase`
/// and `TransactionPool`; tests may substitute their own.
public protocol NodeBackend: AnyObject, Sendable {
    var chainId: UInt64 { get }
    /// The sealer address (`eth_coinbase`).
    var coinbase: Address { get }
    /// The newest committed block's header.
    func head() throws -> BlockHeader
    func header(number: UInt64) throws -> BlockHeader?
    func block(number: UInt64) throws -> Block?
    func block(hash: Hash32) throws -> Block?
    /// Receipts of a block with their positions and senders, in transaction order.
    func receiptDetails(blockHash: Hash32) throws -> [ReceiptDetails]?
    func receiptDetails(transactionHash: Hash32) throws -> ReceiptDetails?
    func minedTransaction(hash: Hash32) throws -> (Transaction, TransactionLocation)?
    func pendingTransaction(hash: Hash32) -> Transaction?
    func logs(matching filter: LogFilter, from: UInt64, to: UInt64, maxBlocks: UInt64) throws -> [LocatedLog]
    func logs(matching filter: LogFilter, blockHash: Hash32) throws -> [LocatedLog]?
    /// Admits a raw signed transaction to the pool (`eth_sendRawTransaction`).
    func submit(raw: [UInt8]) throws(TransactionPoolError) -> TransactionPoolAdmission
    func poolStatus() -> (pending: Int, queued: Int)
    func poolContent() -> TransactionPoolContent
}

/// The node's chain database and pool behind `NodeBackend`.
public final class ChainNodeBackend: NodeBackend, @unchecked Sendable {
    public let database: ChainDatabase
    public let pool: TransactionPool
    public let chainId: UInt64
    public let coinbase: Address

    public init(database: ChainDatabase, pool: TransactionPool, chainId: UInt64, coinbase: Address) {
        self.database = database; self.pool = pool; self.chainId = chainId; self.coinbase = coinbase
    }

    public func head() throws -> BlockHeader {
        guard let head = database.head else { throw ChainDatabaseError.notInitialized }
        return head
    }

    public func header(number: UInt64) throws -> BlockHeader? { try database.header(number: number) }
    public func block(number: UInt64) throws -> Block? { try database.block(number: number) }
    public func block(hash: Hash32) throws -> Block? { try database.block(hash: hash) }
    public func receiptDetails(blockHash: Hash32) throws -> [ReceiptDetails]? {
        try database.receiptDetails(blockHash: blockHash)
    }
    public func receiptDetails(transactionHash: Hash32) throws -> ReceiptDetails? {
        try database.receiptDetails(transactionHash: transactionHash)
    }
    public func minedTransaction(hash: Hash32) throws -> (Transaction, TransactionLocation)? {
        try database.transaction(hash: hash)
    }
    public func pendingTransaction(hash: Hash32) -> Transaction? { pool.transaction(hash: hash) }
    public func logs(matching filter: LogFilter, from: UInt64, to: UInt64, maxBlocks: UInt64) throws -> [LocatedLog] {
        try database.logs(matching: filter, from: from, to: to, maxBlocks: maxBlocks)
    }
    public func logs(matching filter: LogFilter, blockHash: Hash32) throws -> [LocatedLog]? {
        try database.logs(matching: filter, blockHash: blockHash)
    }
    public func submit(raw: [UInt8]) throws(TransactionPoolError) -> TransactionPoolAdmission { try pool.add(raw: raw) }
    public func poolStatus() -> (pending: Int, queued: Int) { pool.status() }
    public func poolContent() -> TransactionPoolContent { pool.content() }
}
