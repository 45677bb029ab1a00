import Chain
import EVM
import Foundation
import Primitives

/// Why a block could not be executed (nothing is committed).
public enum BlockExecutionError: Error, CustomStringConvertible {
    /// The state database could not be read (a missing or corrupt trie node or code).
    case stateUnreadable(String)

    public var description: String {
        switch self {
        case .stateUnreadable(let detail): return "state database unreadable: \(detail)"
        }
    }
}

/// Executes blocks with MLedger's EVM under Cancun rules over the node's state tries: the
/// sealer's `BlockExecutor`, and the re-execution `verify-chain` runs.
///
/// Candidates run in order on one journaled state. A candidate that cannot run now is left
/// for a later block: a nonce above the account's (an earlier one was skipped), an unaffordable
/// cost (funds may arrive), more gas than the block has left. One that can never run (stale
/// nonce, bad fields) is rejected so the pool drops it.
///
/// The state of the last executed block is kept in memory: when the next block builds on it
/// (the normal case for the sealer) its tries are already warm. Used from one thread at a time.
public final class EVMBlockExecutor: BlockExecutor {
    private let database: ChainDatabase
    private let chainId: UInt64
    private let codes = BytecodeCache()
    private var warmState: TrieAccountState?

    public init(database: ChainDatabase, chainId: UInt64) {
        self.database = database
        self.chainId = chainId
    }

    public func execute(header: BlockHeader, parent: BlockHeader,
                        candidates: [PendingTransaction]) throws -> BlockExecutionResult {
        let state: TrieAccountState
        if let warmState, warmState.readFailure == nil, warmState.root == parent.stateRoot {
            state = warmState
        } else {
            state = TrieAccountState(database: database, root: parent.stateRoot, codes: codes)
        }
        // Until this block's state is applied the warm state is in between; a failure below
        // must not leave it in place for the next attempt.
        warmState = nil
        let journal = JournaledState(backend: state)
        let evm = EVM(state: journal, block: BlockEnvironment(header, chainId: chainId), fork: .cancun)
        var included = [Chain.Transaction](), receipts = [Receipt](), rejected = [(hash: Hash32, reason: String)]()
        var cumulativeGas: UInt64 = 0
        for candidate in candidates {
            let transaction = candidate.transaction
            if transaction.gasLimit > header.gasLimit &- cumulativeGas { continue }
            do {
                let result = try evm.execute(transaction: TransactionEnvironment(transaction, sender: candidate.sender))
                cumulativeGas += result.gasUsed
                included.append(transaction)
                receipts.append(Receipt(type: transaction.type, succeeded: result.success,
                                        cumulativeGasUsed: cumulativeGas, logs: result.logs.map(Chain.Log.init)))
            } catch {
                switch error {
                case let .nonceMismatch(expected, got) where got > expected: continue
                case .insufficientAccountFunds: continue
                default: rejected.append((transaction.hash, error.description))
                }
            }
        }
        if let failure = state.readFailure { throw BlockExecutionError.stateUnreadable(failure) }
        let nodes = try state.apply(journal.changes())
        if let failure = state.readFailure { throw BlockExecutionError.stateUnreadable(failure) }
        warmState = state
        return BlockExecutionResult(transactions: included, receipts: receipts, rejected: rejected,
                                    stateRoot: state.root, stateNodes: nodes)
    }
}
