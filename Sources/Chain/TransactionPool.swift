import Foundation
import LedgerCrypto
import Primitives

/// Transactions waiting for a block. Per sender they are kept by nonce: the run of nonces
/// that starts at the account's state nonce is executable ("pending"); the rest wait for the
/// gap to fill ("queued") and become pending as soon as it does. A transaction with the same
/// sender and nonce as one in the pool replaces it when its fee cap and tip are each at least
/// as high (on a gas-free chain both are usually 0, so an equal fee suffices). Rejections carry
/// the error texts other Ethereum nodes use. Thread-safe: every method may be called from any
/// thread.
public final class TransactionPool: @unchecked Sendable {
    struct Entry {
        let transaction: Transaction
        let hash: Hash32
        let sender: Address
        let raw: [UInt8]
        /// Arrival order, so blocks take transactions first come, first served.
        let sequence: UInt64
    }

    public let config: TransactionPoolConfig
    private let state: any PoolStateReader
    private let lock = NSLock()
    private var byHash: [Hash32: Entry] = [:]
    private var byAccount: [Address: [UInt64: Entry]] = [:]
    private var nextSequence: UInt64 = 0
    private let journal: TransactionPoolJournal?
    private var observers: [UInt64: @Sendable ([Transaction]) -> Void] = [:]
    private var nextObserverId: UInt64 = 0

    /// A pool over `state`. With a journal path, transactions journaled by an earlier run are
    /// re-admitted (those that became invalid meanwhile are dropped) and the journal rewritten.
    public init(config: TransactionPoolConfig, state: any PoolStateReader) throws {
        self.config = config
        self.state = state
        journal = config.journalPath.map(TransactionPoolJournal.init(path:))
        guard let journal else { return }
        for raw in journal.load() {
            _ = try? admit(raw: raw, journaling: false)
        }
        try journal.rewrite(lock.withLock { orderedEntries().map(\.raw) })
    }

    /// Registers `observer`, called (outside the pool's lock) with every newly admitted
    /// transaction: the sealer wakes on it in instant mode, subscriptions forward it.
    /// Returns the id that `removeObserver` takes.
    @discardableResult
    public func addObserver(_ observer: @escaping @Sendable ([Transaction]) -> Void) -> UInt64 {
        lock.withLock {
            nextObserverId += 1
            observers[nextObserverId] = observer
            return nextObserverId
        }
    }

    public func removeObserver(_ id: UInt64) {
        _ = lock.withLock { observers.removeValue(forKey: id) }
    }

    // MARK: Admission

    /// Decodes and admits a raw transaction (the `eth_sendRawTransaction` path).
    @discardableResult
    public func add(raw: [UInt8]) throws(TransactionPoolError) -> TransactionPoolAdmission {
        try admit(raw: raw, journaling: true)
    }

    /// Admits a decoded transaction.
    @discardableResult
    public func add(_ transaction: Transaction) throws(TransactionPoolError) -> TransactionPoolAdmission {
        try admit(transaction, raw: transaction.encoded, journaling: true)
    }

    private func admit(raw: [UInt8], journaling: Bool) throws(TransactionPoolError) -> TransactionPoolAdmission {
        let transaction: Transaction
        do {
            transaction = try Transaction(encoded: raw)
        } catch {
            throw .invalidEncoding(error.description)
        }
        return try admit(transaction, raw: raw, journaling: journaling)
    }

    private func admit(_ transaction: Transaction, raw: [UInt8],
                       journaling: Bool) throws(TransactionPoolError) -> TransactionPoolAdmission {
        let hash = Keccak256.hash(raw)
        if lock.withLock({ byHash[hash] != nil }) { throw .alreadyKnown }
        let sender = try Self.validateStateless(transaction, hash: hash, encodedSize: raw.count, config: config)
        // Account state is read before taking the lock (see `PoolStateReader`).
        let stateNonce = state.nonce(of: sender)
        guard transaction.nonce >= stateNonce else { throw .nonceTooLow(next: stateNonce, got: transaction.nonce) }
        guard let cost = Self.upfrontCost(transaction) else { throw .insufficientFunds }
        // A gas-free call without value (most MLedger transactions) costs nothing: any balance
        // covers it, so the second state-trie walk is skipped.
        if !cost.isZero, state.balance(of: sender) < cost { throw .insufficientFunds }
        lock.lock()
        let inserted = Result { () throws(TransactionPoolError) in
            try insert(Entry(transaction: transaction, hash: hash, sender: sender, raw: raw, sequence: nextSequence),
                       stateNonce: stateNonce, journaling: journaling)
        }
        lock.unlock()
        let (admission, toNotify) = try inserted.get()
        for observer in toNotify { observer([transaction]) }
        return admission
    }

    /// Stateful rules and the insertion itself; the caller holds the lock.
    private func insert(_ entry: Entry, stateNonce: UInt64,
                        journaling: Bool) throws(TransactionPoolError) -> (TransactionPoolAdmission, [@Sendable ([Transaction]) -> Void]) {
        guard byHash[entry.hash] == nil else { throw .alreadyKnown }
        let nonce = entry.transaction.nonce
        var account = byAccount[entry.sender] ?? [:]
        let previous = account[nonce]
        if let previous {
            let old = previous.transaction, new = entry.transaction
            guard new.maxFeePerGas >= old.maxFeePerGas, new.maxPriorityFeePerGas >= old.maxPriorityFeePerGas else {
                throw .replacementUnderpriced
            }
        } else {
            guard account.count < config.maxPerAccount else { throw .accountLimitExceeded(limit: config.maxPerAccount) }
            guard byHash.count < config.maxTotal else { throw .poolFull(limit: config.maxTotal) }
        }
        if journaling, let journal {
            // A transaction the journal cannot keep is still served; the next rewrite retries.
            try? journal.append(entry.raw)
        }
        if let previous { byHash[previous.hash] = nil }
        account[nonce] = entry
        byAccount[entry.sender] = account
        byHash[entry.hash] = entry
        nextSequence += 1
        var executable = true
        var expected = stateNonce
        while expected < nonce {
            guard account[expected] != nil else { executable = false; break }
            expected += 1
        }
        let admission = TransactionPoolAdmission(hash: entry.hash, sender: entry.sender, replaced: previous?.hash,
                                                 isExecutable: executable)
        return (admission, observers.keys.sorted().compactMap { observers[$0] })
    }

    // MARK: Reading

    /// Executable transactions ready for a block: each sender's run of consecutive nonces from
    /// its state nonce, senders interleaved by arrival (a transaction never precedes a lower
    /// nonce of its sender). The block builder skips any that fail at execution time.
    public func pending() -> [Transaction] {
        executableEntries(stateNonces: stateNonces(of: lock.withLock { Array(byAccount.keys) }))
            .map(\.transaction)
    }

    /// `pending()` with each transaction's sender, recovered once at admission, so the block
    /// builder does not recover every signature again.
    public func pendingWithSenders() -> [PendingTransaction] {
        executableEntries(stateNonces: stateNonces(of: lock.withLock { Array(byAccount.keys) }))
            .map { PendingTransaction(transaction: $0.transaction, sender: $0.sender) }
    }

    /// Pending and queued transactions per sender (`txpool_content`).
    public func content() -> TransactionPoolContent {
        let nonces = stateNonces(of: lock.withLock { Array(byAccount.keys) })
        return lock.withLock {
            var content = TransactionPoolContent(pending: [:], queued: [:])
            for (sender, account) in byAccount {
                let run = Self.executableRun(account, from: nonces[sender] ?? 0)
                let runNonces = Set(run.map(\.transaction.nonce))
                if !run.isEmpty { content.pending[sender] = run.map(\.transaction) }
                let rest = account.values.filter { !runNonces.contains($0.transaction.nonce) && $0.transaction.nonce >= nonces[sender] ?? 0 }
                    .sorted { $0.transaction.nonce < $1.transaction.nonce }
                if !rest.isEmpty { content.queued[sender] = rest.map(\.transaction) }
            }
            return content
        }
    }

    /// Counts of pending and queued transactions (`txpool_status`).
    public func status() -> (pending: Int, queued: Int) {
        let content = content()
        return (content.pending.values.reduce(0) { $0 + $1.count }, content.queued.values.reduce(0) { $0 + $1.count })
    }

    /// The nonce the sender's next transaction should carry, counting its executable pool
    /// transactions (`eth_getTransactionCount` with the "pending" tag).
    public func pendingNonce(of sender: Address) -> UInt64 {
        let stateNonce = state.nonce(of: sender)
        return lock.withLock {
            guard let account = byAccount[sender] else { return stateNonce }
            var nonce = stateNonce
            while account[nonce] != nil { nonce += 1 }
            return nonce
        }
    }

    /// A transaction still in the pool, by hash.
    public func transaction(hash: Hash32) -> Transaction? { lock.withLock { byHash[hash]?.transaction } }

    public var count: Int { lock.withLock { byHash.count } }

    // MARK: Removal

    /// Drops transactions a block included, then every transaction of their senders whose
    /// nonce the block has passed (replacements of included ones, stale ones). Call after the
    /// block is committed.
    public func removeIncluded(_ transactions: [Transaction]) {
        lock.withLock {
            // An included transaction moves its sender's state nonce past it, so what the state
            // now says is known without reading it: one past the highest included nonce.
            var nextNonces = [Address: UInt64]()
            for tx in transactions {
                let hash = tx.hash
                // A same-nonce replacement may sit in the pool instead of the included one.
                guard let sender = byHash[hash]?.sender ?? (try? tx.cachedSender(hash: hash)) else { continue }
                nextNonces[sender] = max(nextNonces[sender] ?? 0, tx.nonce + 1)
                if let entry = byHash[hash] { remove(entry) }
            }
            for (sender, next) in nextNonces {
                for entry in (byAccount[sender] ?? [:]).values where entry.transaction.nonce < next { remove(entry) }
            }
            compactJournalIfWorthwhile()
        }
    }

    /// Drops every transaction whose nonce the state has passed (for example after a restart
    /// or when blocks were made elsewhere).
    public func pruneStale() {
        prune(Set(lock.withLock { byAccount.keys }))
    }

    /// Removes transactions by hash (for example ones a block builder found invalid).
    public func remove(hashes: [Hash32]) {
        lock.withLock {
            for hash in hashes { if let entry = byHash[hash] { remove(entry) } }
            compactJournalIfWorthwhile()
        }
    }

    private func prune(_ senders: Set<Address>) {
        let nonces = stateNonces(of: Array(senders))
        lock.withLock {
            for (sender, stateNonce) in nonces {
                for entry in (byAccount[sender] ?? [:]).values where entry.transaction.nonce < stateNonce { remove(entry) }
            }
            compactJournalIfWorthwhile()
        }
    }

    /// Caller holds the lock.
    private func remove(_ entry: Entry) {
        byHash[entry.hash] = nil
        byAccount[entry.sender]?[entry.transaction.nonce] = nil
        if byAccount[entry.sender]?.isEmpty == true { byAccount[entry.sender] = nil }
    }

    /// Rewrites the journal once most of its records are gone. Caller holds the lock.
    private func compactJournalIfWorthwhile() {
        guard let journal, journal.recordCount > 2 * byHash.count + 1_024 else { return }
        try? journal.rewrite(orderedEntries().map(\.raw))
    }

    /// Writes the journal to match the pool exactly and closes it (a clean shutdown).
    public func close() throws {
        try lock.withLock {
            guard let journal else { return }
            try journal.rewrite(orderedEntries().map(\.raw))
            try journal.close()
        }
    }

    // MARK: Ordering

    private func stateNonces(of senders: [Address]) -> [Address: UInt64] {
        var nonces = [Address: UInt64]()
        for sender in senders { nonces[sender] = state.nonce(of: sender) }
        return nonces
    }

    /// Every entry in arrival order. Caller holds the lock.
    private func orderedEntries() -> [Entry] { byHash.values.sorted { $0.sequence < $1.sequence } }

    private static func executableRun(_ account: [UInt64: Entry], from stateNonce: UInt64) -> [Entry] {
        var run = [Entry]()
        var nonce = stateNonce
        while let entry = account[nonce] {
            run.append(entry)
            nonce += 1
        }
        return run
    }

    private func executableEntries(stateNonces: [Address: UInt64]) -> [Entry] {
        let runs: [[Entry]] = lock.withLock {
            byAccount.map { sender, account in Self.executableRun(account, from: stateNonces[sender] ?? 0) }
        }
        // Each entry is keyed by the latest arrival among it and its lower nonces, so sorting
        // by key keeps every sender's nonce order; equal keys only occur within one sender.
        var keyed = [(key: UInt64, nonce: UInt64, entry: Entry)]()
        for run in runs {
            var key: UInt64 = 0
            for entry in run {
                key = max(key, entry.sequence)
                keyed.append((key, entry.transaction.nonce, entry))
            }
        }
        keyed.sort { ($0.key, $0.nonce) < ($1.key, $1.nonce) }
        return keyed.map(\.entry)
    }
}
