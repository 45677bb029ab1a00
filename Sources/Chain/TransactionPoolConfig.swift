import Primitives

/// Reads the account state the pool's rules need. Implemented by the node over its latest
/// state; the pool calls it without holding its own lock, so an implementation may lock freely.
public protocol PoolStateReader {
    /// The account's next nonce in the latest committed state.
    func nonce(of address: Address) -> UInt64
    func balance(of address: Address) -> UInt256
}

/// Rules and limits of a transaction pool.
public struct TransactionPoolConfig: Sendable {
    public var chainId: UInt64
    /// No transaction may ask for more gas than one block holds.
    public var blockGasLimit: UInt64
    /// Largest accepted encoding; 128 KiB as in other Ethereum pools (four 32 KiB slots).
    public var maxTransactionSize: Int
    /// Transactions one account may hold in the pool, executable and future together.
    public var maxPerAccount: Int
    /// Transactions the whole pool may hold.
    public var maxTotal: Int
    public var rules: TransactionRules
    /// File that keeps pending transactions across clean restarts; nil keeps none.
    public var journalPath: String?

    public init(chainId: UInt64, blockGasLimit: UInt64, maxTransactionSize: Int = 128 * 1024,
                maxPerAccount: Int = 4_096, maxTotal: Int = 65_536, rules: TransactionRules = .cancun,
                journalPath: String? = nil) {
        self.chainId = chainId; self.blockGasLimit = blockGasLimit; self.maxTransactionSize = maxTransactionSize
        self.maxPerAccount = maxPerAccount; self.maxTotal = maxTotal; self.rules = rules
        self.journalPath = journalPath
    }
}

/// What happened to an accepted transaction.
public struct TransactionPoolAdmission: Equatable, Sendable {
    public var hash: Hash32
    public var sender: Address
    /// The transaction this one replaced (same sender and nonce), if any.
    public var replaced: Hash32?
    /// Whether it can run now: every lower nonce is in the state or in the pool.
    public var isExecutable: Bool
}

/// One account's transactions as `txpool_content` shows them.
public struct TransactionPoolContent: Sendable {
    /// Executable now, in nonce order, per sender.
    public var pending: [Address: [Transaction]]
    /// Waiting for a nonce gap to fill, in nonce order, per sender.
    public var queued: [Address: [Transaction]]
}
