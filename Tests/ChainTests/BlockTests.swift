import Chain
import LedgerCrypto
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

@Suite struct BlockDecodingFuzzTests {
    /// Mutates `valid` at a few random bytes, many times; every input that decodes must
    /// re-encode to exactly itself (only canonical encodings are accepted), none may crash.
    static func fuzz(_ valid: [UInt8], seed: UInt64, rounds: Int = 1_500,
                     roundTrip: ([UInt8]) -> [UInt8]?) -> (accepted: Int, mismatches: Int) {
        var generator = SeededGenerator(seed: seed)
        var accepted = 0, mismatches = 0
        for _ in 0..<rounds {
            var bytes = valid
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            if let reencoded = roundTrip(bytes) {
                accepted += 1
                if reencoded != bytes { mismatches += 1 }
            }
        }
        return (accepted, mismatches)
    }

    @Test func blocksDecodeOnlyCanonically() throws {
        let block = BlockTests.cancunBlock(transactions: try BlockTests.signedTransactions())
        let result = Self.fuzz(block.encoded, seed: 11) { (try? Block(encoded: $0))?.encoded }
        #expect(result.mismatches == 0 && result.accepted < 1_500)
    }

    @Test func receiptListsDecodeOnlyCanonically() throws {
        let receipts = TransactionType.allCases.map { type in
            Receipt(type: type, succeeded: true, cumulativeGasUsed: 50_000, logs: [ReceiptTests.referenceLog])
        }
        let result = Self.fuzz(Receipt.encodeList(receipts), seed: 12) { (try? Receipt.decodeList($0)).map(Receipt.encodeList) }
        #expect(result.mismatches == 0 && result.accepted < 1_500)
    }
}
