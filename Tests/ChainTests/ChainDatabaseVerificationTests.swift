import Chain
import Foundation
import Primitives
import Storage
import Testing

@Suite struct ChainDatabaseVerificationTests {
    typealias C = ChainDatabaseTests

    /// A database with the dev genesis and `blocks` sealed blocks of two transfers each.
    static func chain(blocks: Int) throws -> (ChainDatabase, MemoryStore, [Block]) {
        let store = MemoryStore()
        let database = try ChainDatabase(store: store)
        let (genesis, nodes) = try C.devGenesis()
        try database.initialize(genesis: genesis, stateNodes: nodes)
        var made = [genesis]
        for index in 0..<blocks {
            let (block, receipts, stateNodes) = try C.child(of: made[made.count - 1].header, transfers: 2,
                                                            nonce: UInt64(2 * index))
            try database.commit(block, receipts: receipts, stateNodes: stateNodes)
            made.append(block)
        }
        return (database, store, made)
    }

    @Test func aSoundChainVerifies() throws {
        let (database, _, _) = try Self.chain(blocks: 3)
        var seen = [UInt64]()
        #expect(try database.verifyChain(sealer: DevelopmentAccounts.sealerAddress) { seen.append($0) } == 4)
        #expect(seen == [0, 1, 2, 3])
    }

    @Test func aForeignSealIsFound() throws {
        let (database, _, blocks) = try Self.chain(blocks: 1)
        var (block, receipts, nodes) = try C.child(of: blocks[1].header, transfers: 1, nonce: 2)
        block.header = try Sealer.seal(block.header, privateKey: DevelopmentAccounts.accountKeys[1])
        try database.commit(block, receipts: receipts, stateNodes: nodes)
        let sealer = try DevelopmentAccounts.sealerAddress
        let intruder = try DevelopmentAccounts.accountAddresses[1]
        #expect(throws: ChainVerificationError.badSeal(number: 2, .wrongSealer(expected: sealer, got: intruder))) {
            try database.verifyChain(sealer: sealer)
        }
    }

    @Test func receiptsThatDisagreeWithTheHeaderAreFound() throws {
        let (database, _, blocks) = try Self.chain(blocks: 1)
        let (block, goodReceipts, nodes) = try C.child(of: blocks[1].header, transfers: 2, nonce: 2)
        var receipts = goodReceipts
        receipts[1].succeeded = false  // the header still commits to success
        try database.commit(block, receipts: receipts, stateNodes: nodes)
        #expect(performing: { try database.verifyChain(sealer: DevelopmentAccounts.sealerAddress) }, throws: { error in
            guard case .rootMismatch(2, .receiptsRoot) = error as? ChainVerificationError else { return false }
            return true
        })
    }

    @Test func aTimestampThatDoesNotAdvanceIsFound() throws {
        let (database, _, blocks) = try Self.chain(blocks: 1)
        var (block, receipts, nodes) = try C.child(of: blocks[1].header, transfers: 0, nonce: 2)
        block.header.timestamp = blocks[1].header.timestamp
        block.header = try Sealer.seal(block.header, privateKey: DevelopmentAccounts.sealerKey)
        try database.commit(block, receipts: receipts, stateNodes: nodes)
        #expect(throws: ChainVerificationError.timestampNotAfterParent(number: 2)) {
            try database.verifyChain(sealer: DevelopmentAccounts.sealerAddress)
        }
    }

    @Test func missingRecordsAreFound() throws {
        let (database, store, blocks) = try Self.chain(blocks: 2)
        try store.delete(ChainDatabaseKey.receipts(blocks[2].hash))
        #expect(throws: ChainVerificationError.missingReceipts(number: 2)) {
            try database.verifyChain(sealer: DevelopmentAccounts.sealerAddress)
        }
        try store.delete(ChainDatabaseKey.canonicalHash(1))
        #expect(throws: ChainVerificationError.missingBlock(number: 1)) {
            try database.verifyChain(sealer: DevelopmentAccounts.sealerAddress)
        }
        #expect(throws: ChainVerificationError.notInitialized) {
            try ChainDatabase(store: MemoryStore()).verifyChain(sealer: .zero)
        }
    }
}

@Suite struct DataDirectoryTests {
    @Test func initCreatesTheChainAndRefusesAnotherGenesis() throws {
        let directory = BlockTestSupport.temporaryDirectory("datadir")
        defer { try? FileManager.default.removeItem(at: directory) }
        let datadir = directory.appendingPathComponent("node").path
        let (database, genesis, block) = try ChainDatabase.initialize(dataDirectory: datadir,
                                                                       genesisPath: BlockTestSupport.devGenesisPath)
        #expect(database.head == block.header)
        #expect(try database.storedGenesis() == genesis)
        database.store.close()
        // Again with the same file: accepted, nothing changes.
        let (again, _, sameBlock) = try ChainDatabase.initialize(dataDirectory: datadir,
                                                                  genesisPath: BlockTestSupport.devGenesisPath)
        #expect(sameBlock.hash == block.hash && again.head == block.header)
        again.store.close()
        // A different genesis for the same directory is refused.
        let otherPath = directory.appendingPathComponent("other.json").path
        var text = try String(contentsOfFile: BlockTestSupport.devGenesisPath, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"gasLimit\": \"0x1c9c380\"", with: "\"gasLimit\": \"0x1c9c381\"")
        try text.write(toFile: otherPath, atomically: true, encoding: .utf8)
        #expect(performing: { try ChainDatabase.initialize(dataDirectory: datadir, genesisPath: otherPath) },
                throws: { error in
                    guard case .database(.genesisMismatch(let stored, _)) = error as? ChainInitializationError else { return false }
                    return stored == block.hash
                })
    }

    @Test func unusableGenesisFilesAreRefused() throws {
        let directory = BlockTestSupport.temporaryDirectory("datadir-bad")
        defer { try? FileManager.default.removeItem(at: directory) }
        let datadir = directory.appendingPathComponent("node").path
        #expect(performing: { try ChainDatabase.initialize(dataDirectory: datadir, genesisPath: "/nonexistent/genesis.json") },
                throws: { error in
                    guard case .genesis(.unreadableFile) = error as? ChainInitializationError else { return false }
                    return true
                })
        let london = directory.appendingPathComponent("london.json").path
        var text = try String(contentsOfFile: BlockTestSupport.devGenesisPath, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"londonBlock\": 0", with: "\"londonBlock\": 10")
        try text.write(toFile: london, atomically: true, encoding: .utf8)
        #expect(throws: ChainInitializationError.genesis(.forkNotActiveAtGenesis(field: "londonBlock"))) {
            try ChainDatabase.initialize(dataDirectory: datadir, genesisPath: london)
        }
        // Nothing was created for the refused files.
        #expect(!FileManager.default.fileExists(atPath: ChainDatabase.chainPath(dataDirectory: datadir)))
    }
}
