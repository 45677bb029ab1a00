import Chain
import Primitives
import Testing

@Suite struct ChainDatabaseLogsTests {
    /// Three blocks of two transfers; each transaction's receipt has one log from the
    /// transfer recipient whose only topic is the transaction hash (see ChainDatabaseTests).
    static func chain() throws -> (ChainDatabase, [Block]) {
        let (database, _, blocks) = try ChainDatabaseVerificationTests.chain(blocks: 3)
        return (database, blocks)
    }

    @Test func everyLogWithItsPosition() throws {
        let (database, blocks) = try Self.chain()
        let all = try database.logs(matching: LogFilter(), from: 0, to: 100)
        #expect(all.count == 6)
        #expect(all.map(\.blockNumber) == [1, 1, 2, 2, 3, 3])
        #expect(all.map(\.logIndex) == [0, 1, 0, 1, 0, 1])
        #expect(all[3].transactionHash == blocks[2].transactions[1].hash)
        #expect(all[3].transactionIndex == 1 && all[3].blockHash == blocks[2].hash)
        #expect(all[3].blockTimestamp == blocks[2].header.timestamp)
        #expect(all[3].log.data == [1])
    }

    @Test func filtersByTopicAndAddress() throws {
        let (database, blocks) = try Self.chain()
        let wanted = blocks[2].transactions[1].hash
        let one = try database.logs(matching: LogFilter(topics: [[wanted]]), from: 0, to: 3)
        #expect(one.count == 1 && one[0].transactionHash == wanted)
        let either = LogFilter(addresses: [TransactionPoolTests.recipient],
                               topics: [[blocks[1].transactions[0].hash, blocks[3].transactions[1].hash]])
        #expect(try database.logs(matching: either, from: 1, to: 3).map(\.blockNumber) == [1, 3])
        #expect(try database.logs(matching: LogFilter(addresses: [.zero]), from: 0, to: 3).isEmpty)
        // A constraint on a second topic excludes logs that have only one.
        #expect(try database.logs(matching: LogFilter(topics: [nil, [wanted]]), from: 0, to: 3).isEmpty)
        #expect(try database.logs(matching: LogFilter(topics: [[wanted]]), blockHash: blocks[2].hash)?.count == 1)
        #expect(try database.logs(matching: LogFilter(), blockHash: UInt256(5).hash32) == nil)
        // A block range that misses the block finds nothing.
        #expect(try database.logs(matching: LogFilter(topics: [[wanted]]), from: 3, to: 3).isEmpty)
    }

    @Test func rangesAreChecked() throws {
        let (database, _) = try Self.chain()
        #expect(throws: LogQueryError.invalidRange(from: 3, to: 2)) {
            try database.logs(matching: LogFilter(), from: 3, to: 2)
        }
        #expect(throws: LogQueryError.rangeTooLarge(blocks: 4, limit: 2)) {
            try database.logs(matching: LogFilter(), from: 0, to: 3, maxBlocks: 2)
        }
        #expect(try database.logs(matching: LogFilter(), from: 50, to: 60).isEmpty)
    }

    @Test func filterSemantics() {
        let address = Address(hi: 0, mid: 0, lo: 7)
        let topicA = UInt256(1).hash32, topicB = UInt256(2).hash32
        let log = Log(address: address, topics: [topicA, topicB])
        #expect(LogFilter().matches(log))
        #expect(LogFilter(topics: [nil, [topicB]]).matches(log))
        #expect(LogFilter(topics: [[], [topicA, topicB]]).matches(log))
        #expect(!LogFilter(topics: [[topicB]]).matches(log))
        #expect(!LogFilter(topics: [nil, nil, [topicA]]).matches(log))
        #expect(!LogFilter(addresses: [.zero]).matches(log))
        let bloom = Bloom(logs: [log])
        #expect(LogFilter(addresses: [address], topics: [[topicA]]).mightMatch(bloom))
        #expect(!LogFilter(topics: [[UInt256(999).hash32]]).mightMatch(bloom))
        #expect(!LogFilter(addresses: [Address(hi: 0, mid: 0, lo: 8)]).mightMatch(bloom))
    }
}
