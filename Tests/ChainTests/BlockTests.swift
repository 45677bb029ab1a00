import Chain
import Crypto
import Primitives
import RLP
import Testing

@Suite struct BlockTests {
    static func signedTransactions() throws -> [Transaction] {
        try SampleTransactions.all.map { try $0.signed(privateKey: SampleTransactions.key) }
    }

    static func cancunBlock(transactions: [Transaction]) -> Block {
        var header = BlockHeaderTests.cancunHeader
        header.extraData = Sealer.extraData(vanity: Array("mledger".utf8))
        return Block(header: header, body: BlockBody(transactions: transactions))
    }

    @Test func blocksWithEveryTransactionTypeRoundTrip() throws {
        let block = Self.cancunBlock(transactions: try Self.signedTransactions())
        let decoded = try Block(encoded: block.encoded)
        #expect(decoded == block)
        #expect(decoded.hash == block.header.hash)
        #expect(decoded.transactions.map(\.hash) == block.transactions.map(\.hash))
        #expect(decoded.body.withdrawals == [])
        #expect(try BlockBody(encoded: block.body.encoded) == block.body)
    }

    @Test func withdrawalsAndOmmersRoundTrip() throws {
        var block = Self.cancunBlock(transactions: [])
        block.body.withdrawals = [Withdrawal(index: 0, validatorIndex: 5,
                                             address: BlockTestSupport.address("0x3ae75c08b4c907eb63a8960c45b86e1e9ab6123c"),
                                             amountGwei: 100)]
        var ommer = BlockHeaderTests.cancunHeader
        ommer.baseFeePerGas = nil; ommer.withdrawalsRoot = nil; ommer.blobGasUsed = nil
        ommer.excessBlobGas = nil; ommer.parentBeaconBlockRoot = nil
        block.body.ommers = [ommer]
        #expect(try Block(encoded: block.encoded) == block)
        #expect(Block.ommersHash([]) == BlockHeader.emptyOmmersHash)
        #expect(Block.ommersHash([ommer]) != BlockHeader.emptyOmmersHash)
    }

    @Test func withdrawalsMustMatchTheHeader() throws {
        var block = Self.cancunBlock(transactions: [])
        block.body.withdrawals = nil
        #expect(throws: BlockDecodingError.withdrawalsPresenceMismatch) { try Block(encoded: block.encoded) }
        block.body.withdrawals = []
        block.header.withdrawalsRoot = nil
        block.header.blobGasUsed = nil; block.header.excessBlobGas = nil; block.header.parentBeaconBlockRoot = nil
        #expect(throws: BlockDecodingError.withdrawalsPresenceMismatch) { try Block(encoded: block.encoded) }
    }

    @Test func badTransactionsInABodyAreNamedByIndex() throws {
        let block = Self.cancunBlock(transactions: try Self.signedTransactions())
        var items = try RLP.decode(block.encoded).asList()
        var transactions = try items[1].asList()
        transactions[1] = .bytes([0x7f, 0xc0])  // an unknown envelope type
        items[1] = .list(transactions)
        #expect(throws: BlockDecodingError.invalidTransaction(index: 1, .unknownType(0x7f))) {
            try Block(encoded: RLP.encode(.list(items)))
        }
        #expect(throws: BlockDecodingError.wrongFieldCount(what: "block", expected: 4, got: 2)) {
            try Block(encoded: RLP.encode(.list(Array(items.prefix(2)))))
        }
    }
}
