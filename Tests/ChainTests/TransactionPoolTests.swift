import Chain
import LedgerCrypto
import Foundation
import Primitives
import Testing

/// Account state the pool tests control: nonces and balances that blocks "advance".
final class TestPoolState: PoolStateReader, @unchecked Sendable {
    private let lock = NSLock()
    private var nonces: [Address: UInt64] = [:]
    private var balances: [Address: UInt256] = [:]
    var defaultBalance: UInt256

    init(defaultBalance: UInt256 = UInt256(l0: 0, l1: 1, l2: 0, l3: 0)) { self.defaultBalance = defaultBalance }

    func nonce(of address: Address) -> UInt64 { lock.withLock { nonces[address] ?? 0 } }
    func balance(of address: Address) -> UInt256 { lock.withLock { balances[address] ?? defaultBalance } }
    func setNonce(_ nonce: UInt64, of address: Address) { lock.withLock { nonces[address] = nonce } }
    func setBalance(_ balance: UInt256, of address: Address) { lock.withLock { balances[address] = balance } }
}

@Suite struct TransactionPoolTests {
    static let chainId: UInt64 = 1337
    static let keys = DevelopmentAccounts.accountKeys
    static let recipient = Address(hi: 0, mid: 0, lo: 0xbeef)

    static func address(_ index: Int) -> Address { (try? Secp256k1.address(ofPrivateKey: keys[index])) ?? .zero }

    /// A signed EIP-1559 transfer; gas-free (zero fees) unless fees are given.
    static func transfer(from index: Int = 0, nonce: UInt64, maxFee: UInt256 = 0, tip: UInt256 = 0,
                         gasLimit: UInt64 = 21_000, value: UInt256 = 1, data: [UInt8] = [],
                         chainId: UInt64 = chainId) throws -> Transaction {
        try Transaction(.dynamicFee(DynamicFeeTransaction(chainId: chainId, nonce: nonce, maxPriorityFeePerGas: tip,
                                                          maxFeePerGas: maxFee, gasLimit: gasLimit, to: recipient,
                                                          value: value, data: data)))
            .signed(privateKey: keys[index])
    }

    static func pool(_ state: TestPoolState, maxPerAccount: Int = 64, maxTotal: Int = 1_000,
                     journal: String? = nil) throws -> TransactionPool {
        try TransactionPool(config: TransactionPoolConfig(chainId: chainId, blockGasLimit: 30_000_000,
                                                          maxPerAccount: maxPerAccount, maxTotal: maxTotal,
                                                          journalPath: journal),
                            state: state)
    }

    /// The standard Ethereum message of the pool error `body` throws, or nil when it succeeds.
    static func rejection(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let error as TransactionPoolError {
            return error.message
        } catch {
            return "unexpected error: \(error)"
        }
    }

    @Test func acceptsAGasFreeTransfer() throws {
        let state = TestPoolState(defaultBalance: .zero)  // gas-free and value-free: no balance needed
        let pool = try Self.pool(state)
        let tx = try Self.transfer(nonce: 0, value: 0)
        let admission = try pool.add(tx)
        #expect(admission.isExecutable && admission.hash == tx.hash && admission.sender == Self.address(0))
        #expect(pool.pending() == [tx])
        #expect(pool.transaction(hash: tx.hash) == tx)
        #expect(pool.pendingNonce(of: Self.address(0)) == 1)
    }

    @Test func futureNoncesWaitUntilTheGapFills() throws {
        let state = TestPoolState()
        let pool = try Self.pool(state)
        let txs = try (0..<3).map { try Self.transfer(nonce: UInt64($0)) }
        #expect(try !pool.add(txs[2]).isExecutable)
        #expect(try !pool.add(txs[1]).isExecutable)
        #expect(pool.pending().isEmpty)
        #expect(pool.status() == (pending: 0, queued: 2))
        #expect(pool.pendingNonce(of: Self.address(0)) == 0)
        #expect(try pool.add(txs[0]).isExecutable)
        #expect(pool.pending() == txs)
        #expect(pool.status() == (pending: 3, queued: 0))
        #expect(pool.pendingNonce(of: Self.address(0)) == 3)
        #expect(pool.content().pending[Self.address(0)] == txs)
    }

    @Test func sendersInterleaveByArrivalKeepingNonceOrder() throws {
        let pool = try Self.pool(TestPoolState())
        let a1 = try Self.transfer(from: 0, nonce: 1)
        let b0 = try Self.transfer(from: 1, nonce: 0)
        let a0 = try Self.transfer(from: 0, nonce: 0)
        let b1 = try Self.transfer(from: 1, nonce: 1)
        for tx in [a1, b0, a0, b1] { try pool.add(tx) }
        // a1 arrived first but waits for a0, which arrived after b0.
        #expect(pool.pending() == [b0, a0, a1, b1])
    }

    @Test func statefulRejectionsUseTheStandardMessages() throws {
        let state = TestPoolState()
        state.setNonce(5, of: Self.address(0))
        state.setBalance(20_999, of: Self.address(1))
        let pool = try Self.pool(state)
        #expect(Self.rejection { try pool.add(Self.transfer(nonce: 4)) } == "nonce too low")
        // 21000 gas * 1 wei + 0 value is one wei more than the balance.
        #expect(Self.rejection { try pool.add(Self.transfer(from: 1, nonce: 0, maxFee: 1, value: 0)) }
            == "insufficient funds for gas * price + value")
        #expect(Self.rejection { try pool.add(Self.transfer(from: 1, nonce: 0, maxFee: 0, value: 20_999)) } == nil)
        let known = try Self.transfer(nonce: 5)
        try pool.add(known)
        #expect(Self.rejection { try pool.add(known) } == "already known")
        #expect(Self.rejection { try pool.add(raw: known.encoded) } == "already known")
    }

    @Test func statelessRejectionsUseTheStandardMessages() throws {
        let pool = try Self.pool(TestPoolState())
        #expect(Self.rejection { try pool.add(Self.transfer(nonce: 0, gasLimit: 20_999)) } == "intrinsic gas too low")
        #expect(Self.rejection { try pool.add(Self.transfer(nonce: 0, gasLimit: 30_000_001)) } == "exceeds block gas limit")
        #expect(Self.rejection { try pool.add(Self.transfer(nonce: 0, chainId: 1)) } == "invalid chain id")
        #expect(Self.rejection { try pool.add(Self.transfer(nonce: 0, maxFee: 1, tip: 2)) }
            == "max priority fee per gas higher than max fee per gas")
        #expect(Self.rejection { try pool.add(Self.transfer(nonce: .max)) } == "nonce has max value")
        let big = [UInt8](repeating: 1, count: 128 * 1024)
        #expect(Self.rejection { try pool.add(Self.transfer(nonce: 0, gasLimit: 3_000_000, data: big)) } == "oversized data")
        var forged = try Self.transfer(nonce: 0)
        forged.signature.r = .zero
        #expect(Self.rejection { try pool.add(forged) } == "invalid sender")
        forged = try Self.transfer(nonce: 0)
        forged.signature.s = Secp256k1.order  // out of range
        #expect(Self.rejection { try pool.add(forged) } == "invalid sender")
        let blob = try Transaction(.blob(BlobTransaction(
            chainId: Self.chainId, nonce: 0, maxPriorityFeePerGas: 0, maxFeePerGas: 0, gasLimit: 21_000,
            to: Self.recipient, value: 0, maxFeePerBlobGas: 1, blobVersionedHashes: [SampleTransactions.blobHash])))
            .signed(privateKey: Self.keys[0])
        #expect(Self.rejection { try pool.add(blob) } == "transaction type not supported")
        #expect(Self.rejection { try pool.add(raw: [0x02, 0xc0]) }?.hasPrefix("invalid transaction encoding") == true)
        #expect(Self.rejection { try pool.add(raw: []) }?.hasPrefix("invalid transaction encoding") == true)
        #expect(pool.count == 0)
    }

    @Test func sameNonceReplacesWhenTheFeeIsNotLower() throws {
        let pool = try Self.pool(TestPoolState())
        let first = try Self.transfer(nonce: 0, maxFee: 10, tip: 1, value: 1)
        try pool.add(first)
        let equalFee = try Self.transfer(nonce: 0, maxFee: 10, tip: 1, value: 2)
        #expect(try pool.add(equalFee).replaced == first.hash)
        #expect(pool.pending() == [equalFee])
        #expect(pool.transaction(hash: first.hash) == nil)
        #expect(Self.rejection { try pool.add(Self.transfer(nonce: 0, maxFee: 9, tip: 1, value: 3)) }
            == "replacement transaction underpriced")
        #expect(Self.rejection { try pool.add(Self.transfer(nonce: 0, maxFee: 10, tip: 0, value: 3)) }
            == "replacement transaction underpriced")
        let higher = try Self.transfer(nonce: 0, maxFee: 11, tip: 2, value: 4)
        #expect(try pool.add(higher).replaced == equalFee.hash)
        #expect(pool.count == 1)
        // Gas-free transactions replace each other at equal (zero) fees.
        let free = try Self.transfer(from: 1, nonce: 0, value: 1)
        try pool.add(free)
        #expect(try pool.add(Self.transfer(from: 1, nonce: 0, value: 9)).replaced == free.hash)
    }

    @Test func perAccountAndTotalLimits() throws {
        let pool = try Self.pool(TestPoolState(), maxPerAccount: 2, maxTotal: 3)
        try pool.add(Self.transfer(from: 0, nonce: 0))
        try pool.add(Self.transfer(from: 0, nonce: 1))
        #expect(Self.rejection { try pool.add(Self.transfer(from: 0, nonce: 2)) } == "account limit exceeded")
        // A replacement does not count against the limit.
        #expect(try pool.add(Self.transfer(from: 0, nonce: 1, value: 5)).replaced != nil)
        try pool.add(Self.transfer(from: 1, nonce: 0))
        #expect(Self.rejection { try pool.add(Self.transfer(from: 2, nonce: 0)) } == "txpool is full")
        #expect(pool.count == 3)
    }

    @Test func includedTransactionsLeaveThePool() throws {
        let state = TestPoolState()
        let pool = try Self.pool(state)
        let txs = try (0..<4).map { try Self.transfer(nonce: UInt64($0)) }
        for tx in txs { try pool.add(tx) }
        let other = try Self.transfer(from: 1, nonce: 0)
        try pool.add(other)
        // A block includes nonces 0 and 1; the state moves on before the pool hears of it.
        state.setNonce(2, of: Self.address(0))
        pool.removeIncluded(Array(txs.prefix(2)))
        #expect(pool.pending() == [txs[2], txs[3], other])
        // Nonce 2 was mined elsewhere: pruning drops it without naming it.
        state.setNonce(3, of: Self.address(0))
        pool.pruneStale()
        #expect(pool.pending() == [txs[3], other])
        pool.remove(hashes: [other.hash])
        #expect(pool.pending() == [txs[3]])
    }

    @Test func newTransactionsAreAnnounced() throws {
        let pool = try Self.pool(TestPoolState())
        let seen = LockedList()
        let also = LockedList()
        pool.addObserver { seen.append($0.map(\.hash)) }
        let second = pool.addObserver { also.append($0.map(\.hash)) }
        let tx = try Self.transfer(nonce: 0)
        try pool.add(tx)
        _ = try? pool.add(tx)  // refused: not announced again
        #expect(seen.items == [tx.hash] && also.items == [tx.hash])
        pool.removeObserver(second)
        let next = try Self.transfer(nonce: 1)
        try pool.add(next)
        #expect(seen.items == [tx.hash, next.hash] && also.items == [tx.hash])
    }

    @Test func journalKeepsPendingTransactionsAcrossARestart() throws {
        let directory = BlockTestSupport.temporaryDirectory("pool")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("transactions.rlp").path
        let state = TestPoolState()
        let txs = try [Self.transfer(nonce: 0), Self.transfer(nonce: 1), Self.transfer(nonce: 3),
                       Self.transfer(from: 1, nonce: 0)]
        do {
            let pool = try Self.pool(state, journal: path)
            for tx in txs { try pool.add(tx) }
            try pool.close()
        }
        let reopened = try Self.pool(state, journal: path)
        #expect(Set(reopened.pending()) == Set([txs[0], txs[1], txs[3]]))
        #expect(reopened.content().queued[Self.address(0)] == [txs[2]])
        #expect(reopened.count == 4)
        // A block included nonce 0 of account 0 while the node was down: it is not re-admitted.
        try reopened.close()
        state.setNonce(1, of: Self.address(0))
        let afterBlock = try Self.pool(state, journal: path)
        #expect(afterBlock.count == 3 && afterBlock.transaction(hash: txs[0].hash) == nil)
    }

    @Test func journalSurvivesATornLastRecord() throws {
        let directory = BlockTestSupport.temporaryDirectory("pool-torn")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("transactions.rlp").path
        let tx = try Self.transfer(nonce: 0)
        do {
            let pool = try Self.pool(TestPoolState(), journal: path)
            try pool.add(tx)
            try pool.close()
        }
        // A crash while appending leaves half a record behind.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([0, 0, 1, 0, 0xc0, 0x01]))
        try handle.close()
        let reopened = try Self.pool(TestPoolState(), journal: path)
        #expect(reopened.pending() == [tx])
    }

    @Test func concurrentAdmissionIsConsistent() throws {
        let pool = try Self.pool(TestPoolState(), maxPerAccount: 100)
        let txs = try (0..<4).flatMap { account in try (0..<25).map { try Self.transfer(from: account, nonce: UInt64($0)) } }
        let failures = LockedList()
        DispatchQueue.concurrentPerform(iterations: txs.count) { index in
            if (try? pool.add(txs[index])) == nil { failures.append([txs[index].hash]) }
        }
        #expect(failures.items.isEmpty)
        let pending = pool.pending()
        #expect(pending.count == 100)
        for account in 0..<4 {
            let nonces = pending.filter { (try? $0.sender()) == Self.address(account) }.map(\.nonce)
            #expect(nonces == Array(0..<25))
        }
    }
}

/// A thread-safe list for handler and concurrency tests.
final class LockedList: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Hash32] = []
    func append(_ hashes: [Hash32]) { lock.withLock { storage += hashes } }
    var items: [Hash32] { lock.withLock { storage } }
}
