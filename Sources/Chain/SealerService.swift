import Foundation
import Primitives

/// When the sealer makes blocks.
public enum SealingMode: Equatable, Sendable {
    /// As soon as transactions wait; everything pending at that moment goes into one block,
    /// and there are never empty blocks.
    case instant
    /// Every `milliseconds`; empty blocks only when `emptyBlocks` is set.
    case interval(milliseconds: UInt64, emptyBlocks: Bool)
}

/// The block producer of a single-member chain: takes the pool's executable transactions,
/// has them executed, fills in the roots, seals the header with the sealer key, commits the
/// block in one batch and removes its transactions from the pool. `sealNext` does one block;
/// `start` runs the chosen mode on a thread of its own until `stop`.
public final class SealerService: @unchecked Sendable {
    public let database: ChainDatabase
    public let pool: TransactionPool
    public let mode: SealingMode
    private let executor: any BlockExecutor
    private let sealerKey: [UInt8]
    private let coinbase: Address
    private let vanity: [UInt8]
    private let clock: @Sendable () -> UInt64
    /// Serialises block production (the loop and direct `sealNext` calls).
    private let sealLock = NSLock()
    private let condition = NSCondition()
    private var wakeRequested = false
    private var running = false
    private var worker: Thread?
    private var poolObserver: UInt64?
    private var blockHandler: (@Sendable (Block, [Receipt]) -> Void)?
    private var errorHandler: (@Sendable (any Error) -> Void)?

    /// - Parameters:
    ///   - clock: seconds since 1970 for block timestamps (injectable for tests).
    public init(database: ChainDatabase, pool: TransactionPool, executor: any BlockExecutor, sealerKey: [UInt8],
                mode: SealingMode, coinbase: Address = .zero, vanity: [UInt8] = Array("mledger".utf8),
                clock: @escaping @Sendable () -> UInt64 = { UInt64(Date().timeIntervalSince1970) }) {
        self.database = database; self.pool = pool; self.executor = executor; self.sealerKey = sealerKey
        self.mode = mode; self.coinbase = coinbase; self.vanity = vanity; self.clock = clock
    }

    /// Called after each committed block (new-head subscriptions, logs), on the thread that
    /// made the block and before the next one starts; it must not call `sealNext` or `stop`.
    public func setBlockHandler(_ handler: (@Sendable (Block, [Receipt]) -> Void)?) {
        condition.withLock { blockHandler = handler }
    }

    /// Called when making a block fails; the loop goes on with the next trigger.
    public func setErrorHandler(_ handler: (@Sendable (any Error) -> Void)?) {
        condition.withLock { errorHandler = handler }
    }

    // MARK: One block

    /// Makes, seals and commits the next block from the pool's pending transactions. Returns
    /// nil (and commits nothing) when no transaction could be included and `allowEmpty` is off.
    @discardableResult
    public func sealNext(allowEmpty: Bool = false) throws -> Block? {
        try sealLock.withLock { () throws -> Block? in
            guard let parent = database.head else { throw ChainDatabaseError.notInitialized }
            let candidates = pool.pendingWithSenders()
            if candidates.isEmpty && !allowEmpty { return nil }
            var header = BlockHeader(
                parentHash: parent.hash, coinbase: coinbase, stateRoot: parent.stateRoot, number: parent.number + 1,
                gasLimit: parent.gasLimit,
                // Strictly later than the parent, even when several blocks fall in one second.
                timestamp: max(clock(), parent.timestamp + 1), extraData: Sealer.extraData(vanity: vanity),
                baseFeePerGas: 0, withdrawalsRoot: BlockHeader.emptyTrieRoot, blobGasUsed: 0, excessBlobGas: 0,
                parentBeaconBlockRoot: .zero)
            let result = try executor.execute(header: header, parent: parent, candidates: candidates)
            if !result.rejected.isEmpty { pool.remove(hashes: result.rejected.map(\.hash)) }
            if result.transactions.isEmpty && !allowEmpty { return nil }
            header.stateRoot = result.stateRoot
            header.transactionsRoot = Block.transactionsRoot(result.transactions)
            header.receiptsRoot = Block.receiptsRoot(result.receipts)
            header.logsBloom = Block.logsBloom(result.receipts)
            header.gasUsed = result.receipts.last?.cumulativeGasUsed ?? 0
            let block = Block(header: try Sealer.seal(header, privateKey: sealerKey),
                              body: BlockBody(transactions: result.transactions))
            try database.commit(block, receipts: result.receipts, stateNodes: result.stateNodes)
            pool.removeIncluded(result.transactions)
            condition.withLock { blockHandler }?(block, result.receipts)
            return block
        }
    }

    // MARK: Running

    /// Starts the sealing loop on its own thread (instant: woken by new transactions;
    /// interval: by the clock). Calling it twice does nothing.
    public func start() {
        condition.lock()
        defer { condition.unlock() }
        guard !running else { return }
        running = true
        wakeRequested = !pool.pending().isEmpty  // transactions restored from the journal
        if mode == .instant {
            poolObserver = pool.addObserver { [weak self] _ in self?.wake() }
        }
        let thread = Thread { [weak self] in self?.loop() }
        thread.name = "mledger-sealer"
        worker = thread
        thread.start()
    }

    /// Stops the loop after the block in progress, if any.
    public func stop() {
        let observer: UInt64? = condition.withLock {
            running = false
            condition.broadcast()
            defer { poolObserver = nil }
            return poolObserver
        }
        if let observer { pool.removeObserver(observer) }
        // Wait for a block being made to finish, so nothing runs after stop returns.
        sealLock.withLock {}
    }

    private func wake() {
        condition.withLock {
            wakeRequested = true
            condition.signal()
        }
    }

    private func loop() {
        while true {
            condition.lock()
            switch mode {
            case .instant:
                while running && !wakeRequested { condition.wait() }
            case .interval(let milliseconds, _):
                let deadline = Date().addingTimeInterval(Double(milliseconds) / 1_000)
                while running && condition.wait(until: deadline) {}
            }
            let keepRunning = running
            wakeRequested = false
            condition.unlock()
            guard keepRunning else { return }
            do {
                switch mode {
                case .instant:
                    // Seal until the pool has nothing executable: what arrived meanwhile is
                    // the next batch.
                    while try sealNext() != nil {}
                case .interval(_, let emptyBlocks):
                    try sealNext(allowEmpty: emptyBlocks)
                }
            } catch {
                condition.withLock { errorHandler }?(error)
            }
        }
    }
}
