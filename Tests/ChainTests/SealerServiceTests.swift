import Chain
import LedgerCrypto
import Foundation
import Primitives
import RLP
import Storage
import Testing

/// A stand-in for the EVM: every transaction is a 21,000-gas transfer that bumps its
/// sender's nonce. The state is the nonce table, named by the Keccak-256 of its encoding.
final class NonceLedger: BlockExecutor, PoolStateReader, @unchecked Sendable {
    private let lock = NSLock()
    private var states: [Hash32: [Address: UInt64]] = [:]
    var database: ChainDatabase?
    /// Senders whose transactions are refused outright (to exercise rejection).
    var refusedSenders: Set<Address> = []

    init(genesisRoot: Hash32) { states[genesisRoot] = [:] }

    func nonce(of address: Address) -> UInt64 {
        guard let root = database?.head?.stateRoot else { return 0 }
        return lock.withLock { states[root]?[address] ?? 0 }
    }

    func balance(of address: Address) -> UInt256 { UInt256(l0: 0, l1: 1, l2: 0, l3: 0) }

    func execute(header: BlockHeader, parent: BlockHeader, candidates: [PendingTransaction]) throws -> BlockExecutionResult {
        var nonces = lock.withLock { states[parent.stateRoot] ?? [:] }
        var included = [Transaction](), receipts = [Receipt](), rejected = [(hash: Hash32, reason: String)]()
        var gasUsed: UInt64 = 0
        for candidate in candidates {
            let tx = candidate.transaction
            let sender = candidate.sender
            #expect(sender == (try tx.sender()))
            let expected = nonces[sender] ?? 0
            if tx.nonce < expected || refusedSenders.contains(sender) {
                rejected.append((tx.hash, "refused"))
                continue
            }
            guard tx.nonce == expected, gasUsed + 21_000 <= header.gasLimit else { continue }
            gasUsed += 21_000
            nonces[sender] = expected + 1
            included.append(tx)
            receipts.append(Receipt(type: tx.type, succeeded: true, cumulativeGasUsed: gasUsed, logs: []))
        }
        let encoded = RLP.encode(list: nonces.sorted { $0.key < $1.key }.map {
            RLP.encode(list: [RLP.encode(bytes: $0.key.bytes), RLP.encode(uint: $0.value)])
        })
        let root = Keccak256.hash(encoded)
        lock.withLock { states[root] = nonces }
        return BlockExecutionResult(transactions: included, receipts: receipts, rejected: rejected,
                                    stateRoot: root, stateNodes: [StateNode(hash: root, bytes: encoded)])
    }
}

final class FrozenClock: @unchecked Sendable {
    var now: UInt64 = 1_700_000_000
}

@Suite(.serialized) struct SealerServiceTests {
    struct Node {
        let database: ChainDatabase
        let ledger: NonceLedger
        let pool: TransactionPool
        let sealer: SealerService
    }

    static func node(mode: SealingMode = .instant, gasLimit: UInt64? = nil, clock: FrozenClock = FrozenClock()) throws -> Node {
        var genesis = try Genesis(contentsOfFile: BlockTestSupport.devGenesisPath)
        if let gasLimit { genesis.gasLimit = gasLimit }
        let (block, nodes) = try genesis.block()
        let database = try ChainDatabase(store: MemoryStore())
        try database.initialize(genesis: block, stateNodes: nodes)
        let ledger = NonceLedger(genesisRoot: block.header.stateRoot)
        ledger.database = database
        let pool = try TransactionPool(config: TransactionPoolConfig(chainId: 1337, blockGasLimit: genesis.gasLimit),
                                       state: ledger)
        let sealer = SealerService(database: database, pool: pool, executor: ledger,
                                   sealerKey: DevelopmentAccounts.sealerKey, mode: mode, clock: { clock.now })
        return Node(database: database, ledger: ledger, pool: pool, sealer: sealer)
    }

    /// Waits up to `seconds` for `condition`.
    static func eventually(_ seconds: Double = 5, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return condition()
    }

    @Test func oneBlockTakesEverythingPending() throws {
        let node = try Self.node()
        let txs = try [TransactionPoolTests.transfer(from: 0, nonce: 0), TransactionPoolTests.transfer(from: 1, nonce: 0),
                       TransactionPoolTests.transfer(from: 0, nonce: 1)]
        for tx in txs { try node.pool.add(tx) }
        let block = try #require(try node.sealer.sealNext())
        #expect(block.number == 1 && block.transactions == txs)
        #expect(node.pool.count == 0)
        #expect(node.database.head == block.header)
        #expect(try node.database.receipts(blockHash: block.hash)?.count == 3)
        #expect(node.ledger.nonce(of: TransactionPoolTests.address(0)) == 2)
        #expect(block.header.gasUsed == 63_000 && block.header.baseFeePerGas == 0)
        #expect(try node.database.verifyChain(sealer: DevelopmentAccounts.sealerAddress) == 2)
    }

    @Test func noEmptyBlocksUnlessAsked() throws {
        let clock = FrozenClock()
        let node = try Self.node(clock: clock)
        #expect(try node.sealer.sealNext() == nil)
        #expect(node.database.head?.number == 0)
        // A stuck clock still gives strictly increasing timestamps.
        let first = try #require(try node.sealer.sealNext(allowEmpty: true))
        let second = try #require(try node.sealer.sealNext(allowEmpty: true))
        #expect(first.transactions.isEmpty && second.header.timestamp == first.header.timestamp + 1)
        #expect(first.header.timestamp == clock.now)
        #expect(try node.database.verifyChain(sealer: DevelopmentAccounts.sealerAddress) == 3)
    }

    @Test func rejectedTransactionsLeaveThePoolAndOverflowWaits() throws {
        let node = try Self.node(gasLimit: 50_000)  // two transfers per block
        node.ledger.refusedSenders = [TransactionPoolTests.address(2)]
        let refused = try TransactionPoolTests.transfer(from: 2, nonce: 0)
        try node.pool.add(refused)
        let txs = try (0..<3).map { try TransactionPoolTests.transfer(from: 0, nonce: UInt64($0)) }
        for tx in txs { try node.pool.add(tx) }
        let first = try #require(try node.sealer.sealNext())
        #expect(first.transactions == Array(txs.prefix(2)))
        #expect(node.pool.transaction(hash: refused.hash) == nil)
        let second = try #require(try node.sealer.sealNext())
        #expect(second.transactions == [txs[2]])
        #expect(try node.sealer.sealNext() == nil)
        // Only refused transactions: nothing to seal, and they are gone.
        node.ledger.refusedSenders.insert(TransactionPoolTests.address(3))
        try node.pool.add(TransactionPoolTests.transfer(from: 3, nonce: 0))
        #expect(node.pool.count == 1)
        #expect(try node.sealer.sealNext() == nil)
        #expect(node.pool.count == 0)
    }

    @Test func instantModeSealsArrivalsWithoutEmptyBlocks() throws {
        let node = try Self.node(mode: .instant)
        let seen = LockedList()
        node.sealer.setBlockHandler { block, _ in seen.append([block.hash]) }
        node.sealer.start()
        defer { node.sealer.stop() }
        let txs = try (0..<20).map { try TransactionPoolTests.transfer(from: $0 % 4, nonce: UInt64($0 / 4)) }
        DispatchQueue.concurrentPerform(iterations: 4) { account in
            for tx in txs.enumerated().filter({ $0.offset % 4 == account }).map(\.element) { _ = try? node.pool.add(tx) }
        }
        #expect(Self.eventually { node.pool.count == 0 && (try? node.database.transactionLocation(hash: txs[19].hash)) != nil })
        let head = try #require(node.database.head)
        #expect(head.number >= 1 && head.number <= 20)
        var mined = 0
        for number in 1...head.number { mined += try #require(try node.database.block(number: number)).transactions.count }
        #expect(mined == 20)
        // Idle: no empty blocks appear.
        Thread.sleep(forTimeInterval: 0.2)
        #expect(node.database.head == head)
        #expect(seen.items.count == Int(head.number))
        #expect(try node.database.verifyChain(sealer: DevelopmentAccounts.sealerAddress) == head.number + 1)
    }

    @Test func intervalModeMakesEmptyBlocksOnlyWhenAsked() throws {
        let quiet = try Self.node(mode: .interval(milliseconds: 20, emptyBlocks: false))
        quiet.sealer.start()
        Thread.sleep(forTimeInterval: 0.15)
        #expect(quiet.database.head?.number == 0)
        try quiet.pool.add(TransactionPoolTests.transfer(nonce: 0))
        #expect(Self.eventually { quiet.database.head?.number == 1 })
        quiet.sealer.stop()

        let ticking = try Self.node(mode: .interval(milliseconds: 20, emptyBlocks: true))
        ticking.sealer.start()
        #expect(Self.eventually { (ticking.database.head?.number ?? 0) >= 3 })
        ticking.sealer.stop()
        let stopped = ticking.database.head
        Thread.sleep(forTimeInterval: 0.1)
        #expect(ticking.database.head == stopped)
    }
}
