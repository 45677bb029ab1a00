import Primitives

/// What running a block's candidate transactions on its parent's state produced.
public struct BlockExecutionResult {
    /// The transactions the block includes, in order, and a receipt for each.
    public var transactions: [Transaction]
    public var receipts: [Receipt]
    /// Candidates that can never run on this state (stale nonce, unaffordable, invalid):
    /// the pool drops them. Candidates that merely did not fit the block's gas are neither
    /// included nor rejected; they wait for the next block.
    public var rejected: [(hash: Hash32, reason: String)]
    /// The state after the block, and the trie nodes and code it created (to be written in
    /// the block's batch).
    public var stateRoot: Hash32
    public var stateNodes: [StateNode]

    public init(transactions: [Transaction], receipts: [Receipt], rejected: [(hash: Hash32, reason: String)],
                stateRoot: Hash32, stateNodes: [StateNode]) {
        self.transactions = transactions; self.receipts = receipts; self.rejected = rejected
        self.stateRoot = stateRoot; self.stateNodes = stateNodes
    }
}

/// A transaction with its recovered sender, as the block builder receives it.
public struct PendingTransaction: Sendable {
    public var transaction: Transaction
    public var sender: Address

    public init(transaction: Transaction, sender: Address) {
        self.transaction = transaction; self.sender = sender
    }
}

/// Runs transactions for the sealer. Implemented by the node over the EVM; the sealer knows
/// nothing of execution beyond this.
public protocol BlockExecutor: AnyObject {
    /// Executes `candidates` in order on the state of `parent` (its `stateRoot`) with the block
    /// context of `header` (number, timestamp, coinbase, gas limit, base fee; its roots are
    /// not filled in yet). Must not write anything durable: the sealer commits the result.
    func execute(header: BlockHeader, parent: BlockHeader, candidates: [PendingTransaction]) throws -> BlockExecutionResult
}
