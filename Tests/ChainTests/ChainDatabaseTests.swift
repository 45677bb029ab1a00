import Chain
import LedgerCrypto
import Foundation
import Primitives
import RLP
import Storage
import Trie
import Testing

/// A store whose batches can be made to fail, as if the process died before the write.
final class InterruptibleStore: KeyValueStore, @unchecked Sendable {
    let inner = MemoryStore()
    var failWrites = false

    func get(_ key: [UInt8]) throws(StorageError) -> [UInt8]? { try inner.get(key) }
    func put(_ key: [UInt8], _ value: [UInt8]) throws(StorageError) {
        if failWrites { throw .io(message: "simulated crash") }
        try inner.put(key, value)
    }
    func delete(_ key: [UInt8]) throws(StorageError) { try inner.delete(key) }
    func writeBatch(_ batch: WriteBatch) throws(StorageError) {
        if failWrites { throw .io(message: "simulated crash") }
        try inner.writeBatch(batch)
    }
    func forEach(from start: [UInt8], prefix: [UInt8],
                 _ body: (_ key: [UInt8], _ value: [UInt8]) -> Bool) throws(StorageError) {
        try inner.forEach(from: start, prefix: prefix, body)
    }
    func close() { inner.close() }
}

@Suite struct ChainDatabaseTests {
    static func devGenesis() throws -> (Block, [StateNode]) {
        try Genesis(contentsOfFile: BlockTestSupport.devGenesisPath).block()
    }

    /// A sealed child of `parent` holding `count` transfers from dev account 0, starting at
    /// `nonce`, with receipts as execution would give them (state is not executed here).
    static func child(of parent: BlockHeader, transfers count: Int, nonce: UInt64) throws -> (Block, [Receipt], [StateNode]) {
        let transactions = try (0..<count).map { offset in
            try TransactionPoolTests.transfer(from: 0, nonce: nonce + UInt64(offset))
        }
        let receipts = transactions.enumerated().map { index, tx in
            Receipt(type: tx.type, succeeded: true, cumulativeGasUsed: 21_000 * UInt64(index + 1),
                    logs: [Log(address: TransactionPoolTests.recipient, topics: [tx.hash], data: [UInt8(index)])])
        }
        var header = BlockHeader(parentHash: parent.hash, coinbase: .zero, stateRoot: parent.stateRoot,
                                 transactionsRoot: Block.transactionsRoot(transactions),
                                 receiptsRoot: Block.receiptsRoot(receipts), logsBloom: Block.logsBloom(receipts),
                                 number: parent.number + 1, gasLimit: parent.gasLimit,
                                 gasUsed: receipts.last?.cumulativeGasUsed ?? 0, timestamp: parent.timestamp + 1,
                                 extraData: Sealer.extraData(), baseFeePerGas: 0,
                                 withdrawalsRoot: BlockHeader.emptyTrieRoot, blobGasUsed: 0, excessBlobGas: 0,
                                 parentBeaconBlockRoot: .zero)
        header = try Sealer.seal(header, privateKey: DevelopmentAccounts.sealerKey)
        let node = Array("state node of block \(header.number)".utf8)
        return (Block(header: header, body: BlockBody(transactions: transactions)), receipts,
                [StateNode(hash: Keccak256.hash(node), bytes: node)])
    }

    @Test func genesisInitialisesOnceAndRefusesAnother() throws {
        let database = try ChainDatabase(store: MemoryStore())
        #expect(database.head == nil)
        let (genesis, nodes) = try Self.devGenesis()
        try database.initialize(genesis: genesis, stateNodes: nodes)
        #expect(database.head == genesis.header)
        #expect(try database.genesisHash == genesis.hash)
        try database.initialize(genesis: genesis, stateNodes: nodes)  // the same genesis again: fine
        var other = genesis
        other.header.gasLimit += 1
        #expect(throws: ChainDatabaseError.genesisMismatch(stored: genesis.hash, given: other.hash)) {
            try database.initialize(genesis: other, stateNodes: [])
        }
        // The genesis allocation is readable through the state trie.
        let accounts = SecureTrie(rootHash: genesis.header.stateRoot, store: database.stateNodeStore)
        let sealer = try DevelopmentAccounts.sealerAddress
        let account = try RLP.decode(try #require(try accounts.get(sealer.bytes))).asList()
        #expect(try account[1].asUInt256() == GenesisTests.oneMillionEther)
    }

    @Test func committedBlocksAreReadableEveryWay() throws {
        let database = try ChainDatabase(store: MemoryStore())
        let (genesis, nodes) = try Self.devGenesis()
        try database.initialize(genesis: genesis, stateNodes: nodes)
        let (first, firstReceipts, firstNodes) = try Self.child(of: genesis.header, transfers: 3, nonce: 0)
        try database.commit(first, receipts: firstReceipts, stateNodes: firstNodes)
        let (second, secondReceipts, secondNodes) = try Self.child(of: first.header, transfers: 2, nonce: 3)
        try database.commit(second, receipts: secondReceipts, stateNodes: secondNodes)

        #expect(database.head == second.header)
        #expect(try database.block(number: 1) == first)
        #expect(try database.block(hash: second.hash) == second)
        #expect(try database.header(number: 0) == genesis.header)
        #expect(try database.canonicalHash(number: 2) == second.hash)
        #expect(try database.canonicalHash(number: 3) == nil)
        #expect(try database.blockNumber(hash: first.hash) == 1)
        #expect(try database.receipts(blockHash: first.hash) == firstReceipts)
        let tx = second.transactions[1]
        let (found, location) = try #require(try database.transaction(hash: tx.hash))
        #expect(found == tx)
        #expect(location == TransactionLocation(blockHash: second.hash, blockNumber: 2, index: 1))
        #expect(try database.receipt(transactionHash: tx.hash)?.0 == secondReceipts[1])
        #expect(try database.transaction(hash: UInt256(99).hash32) == nil)
        #expect(try database.stateNode(hash: secondNodes[0].hash) == secondNodes[0].bytes)
        // What was stored still checks out: seal, body roots and receipts.
        let stored = try #require(try database.block(number: 2))
        try Sealer.verify(stored.header, sealer: DevelopmentAccounts.sealerAddress)
        try stored.verifyBodyRoots()
        try stored.verifyReceipts(try #require(try database.receipts(blockHash: stored.hash)))
    }

    @Test func onlyChildrenOfTheHeadAreCommitted() throws {
        let database = try ChainDatabase(store: MemoryStore())
        let (genesis, nodes) = try Self.devGenesis()
        let (first, receipts, firstNodes) = try Self.child(of: genesis.header, transfers: 1, nonce: 0)
        #expect(throws: ChainDatabaseError.notInitialized) { try database.commit(first, receipts: receipts, stateNodes: []) }
        try database.initialize(genesis: genesis, stateNodes: nodes)
        #expect(throws: ChainDatabaseError.receiptCountMismatch(transactions: 1, receipts: 0)) {
            try database.commit(first, receipts: [], stateNodes: [])
        }
        let (orphan, orphanReceipts, _) = try Self.child(of: first.header, transfers: 0, nonce: 1)
        #expect(throws: ChainDatabaseError.self) { try database.commit(orphan, receipts: orphanReceipts, stateNodes: []) }
        try database.commit(first, receipts: receipts, stateNodes: firstNodes)
        #expect(throws: ChainDatabaseError.self) { try database.commit(first, receipts: receipts, stateNodes: firstNodes) }
        #expect(database.head?.number == 1)
    }

    @Test func anInterruptedWriteLeavesThePreviousHead() throws {
        let store = InterruptibleStore()
        let database = try ChainDatabase(store: store)
        let (genesis, nodes) = try Self.devGenesis()
        try database.initialize(genesis: genesis, stateNodes: nodes)
        let (first, firstReceipts, firstNodes) = try Self.child(of: genesis.header, transfers: 2, nonce: 0)
        try database.commit(first, receipts: firstReceipts, stateNodes: firstNodes)
        let (second, secondReceipts, secondNodes) = try Self.child(of: first.header, transfers: 2, nonce: 2)

        // The process dies before the batch reaches the store.
        store.failWrites = true
        #expect(throws: ChainDatabaseError.storage(.io(message: "simulated crash"))) {
            try database.commit(second, receipts: secondReceipts, stateNodes: secondNodes)
        }
        #expect(database.head == first.header)
        // A batch that was built but never written changes nothing either.
        store.failWrites = false
        _ = try database.commitBatch(second, receipts: secondReceipts, stateNodes: secondNodes)

        let restarted = try ChainDatabase(store: store)
        #expect(restarted.head == first.header)
        #expect(try restarted.header(hash: second.hash) == nil)
        #expect(try restarted.canonicalHash(number: 2) == nil)
        #expect(try restarted.transactionLocation(hash: second.transactions[0].hash) == nil)
        #expect(try restarted.stateNode(hash: secondNodes[0].hash) == nil)
        #expect(try restarted.transaction(hash: first.transactions[1].hash)?.0 == first.transactions[1])
        // And the chain goes on from there.
        try restarted.commit(second, receipts: secondReceipts, stateNodes: secondNodes)
        #expect(restarted.head == second.header)
    }

    @Test func levelDBKeepsTheChainAcrossReopening() throws {
        let directory = BlockTestSupport.temporaryDirectory("chaindb")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("chain").path
        let (genesis, nodes) = try Self.devGenesis()
        let (first, firstReceipts, firstNodes) = try Self.child(of: genesis.header, transfers: 4, nonce: 0)
        do {
            let database = try ChainDatabase.open(path: path)
            try database.initialize(genesis: genesis, stateNodes: nodes)
            try database.commit(first, receipts: firstReceipts, stateNodes: firstNodes)
            database.store.close()
        }
        let reopened = try ChainDatabase.open(path: path)
        defer { reopened.store.close() }
        #expect(reopened.head == first.header)
        #expect(try reopened.genesisHash == genesis.hash)
        #expect(try reopened.block(number: 1) == first)
        #expect(try reopened.receipts(blockHash: first.hash) == firstReceipts)
        #expect(try reopened.receipt(transactionHash: first.transactions[3].hash)?.1.index == 3)
        let accounts = SecureTrie(rootHash: genesis.header.stateRoot, store: reopened.stateNodeStore)
        #expect(try accounts.get(DevelopmentAccounts.sealerAddress.bytes) != nil)
        var other = genesis
        other.header.timestamp = 1
        #expect(throws: ChainDatabaseError.genesisMismatch(stored: genesis.hash, given: other.hash)) {
            try reopened.initialize(genesis: other, stateNodes: [])
        }
    }

    @Test func damagedRecordsAreReportedNotTrusted() throws {
        let store = MemoryStore()
        let database = try ChainDatabase(store: store)
        let (genesis, nodes) = try Self.devGenesis()
        try database.initialize(genesis: genesis, stateNodes: nodes)
        try store.put(ChainDatabaseKey.header(genesis.hash), [0xc0])
        #expect(throws: ChainDatabaseError.self) { try ChainDatabase(store: store) }
        try store.put(ChainDatabaseKey.head, [1, 2, 3])
        #expect(throws: ChainDatabaseError.corrupt(record: "head pointer", reason: "3 bytes")) { try ChainDatabase(store: store) }
    }
}
