import Chain
import Primitives
import Testing

@Suite struct ReceiptDetailsTests {
    @Test func contractAddressesFollowSenderAndNonce() {
        // The widely published example: this sender's first two contracts.
        let sender = BlockTestSupport.address("0x6ac7ea33f8831ea9dcc53393aaa88b25a785dbf0")
        #expect(ReceiptDetails.contractAddress(sender: sender, nonce: 0)
            == BlockTestSupport.address("0xcd234a471b72ba2f1ccf0a70fcaba648a5eecd8d"))
        #expect(ReceiptDetails.contractAddress(sender: sender, nonce: 1)
            == BlockTestSupport.address("0x343c43a37d37dff08ae8c4a11544c718abb4fcf8"))
    }

    @Test func effectiveGasPricePerType() throws {
        let dynamic = try TransactionPoolTests.transfer(nonce: 0, maxFee: 100, tip: 7)
        #expect(ReceiptDetails.effectiveGasPrice(dynamic, baseFee: 0) == 7)
        #expect(ReceiptDetails.effectiveGasPrice(dynamic, baseFee: 90) == 97)
        #expect(ReceiptDetails.effectiveGasPrice(dynamic, baseFee: 95) == 100)  // capped by the fee cap
        let legacy = Transaction(.legacy(LegacyTransaction(chainId: 1337, nonce: 0, gasPrice: 5, gasLimit: 21_000,
                                                           to: nil, value: 0)))
        #expect(ReceiptDetails.effectiveGasPrice(legacy, baseFee: 0) == 5)
    }

    @Test func detailsOfAStoredBlock() throws {
        let (database, _, blocks) = try ChainDatabaseVerificationTests.chain(blocks: 2)
        let block = blocks[2]
        let details = try #require(try database.receiptDetails(blockHash: block.hash))
        #expect(details.count == 2)
        #expect(details.map(\.gasUsed) == [21_000, 21_000])
        #expect(details[1].receipt.cumulativeGasUsed == 42_000)
        #expect(details.allSatisfy { $0.from == TransactionPoolTests.address(0) && $0.contractAddress == nil })
        #expect(details[1].to == TransactionPoolTests.recipient && details[1].effectiveGasPrice == 0)
        #expect(details[1].logs.map(\.logIndex) == [1])
        let single = try #require(try database.receiptDetails(transactionHash: block.transactions[1].hash))
        #expect(single == details[1])
        #expect(try database.receiptDetails(transactionHash: UInt256(1).hash32) == nil)
        #expect(throws: ChainDatabaseError.self) { try ReceiptDetails.of(block: block, receipts: []) }
    }

    @Test func creationsReportTheirContract() throws {
        var create = try TransactionPoolTests.transfer(nonce: 4)
        if case .dynamicFee(var fields) = create.payload {
            fields.to = nil
            create = try Transaction(.dynamicFee(fields)).signed(privateKey: DevelopmentAccounts.accountKeys[0])
        }
        #expect(create.isCreate)
        let block = Block(header: BlockHeaderTests.cancunHeader, body: BlockBody(transactions: [create]))
        let receipts = [Receipt(type: .dynamicFee, succeeded: true, cumulativeGasUsed: 53_000, logs: [])]
        let details = try ReceiptDetails.of(block: block, receipts: receipts)
        #expect(details[0].contractAddress == ReceiptDetails.contractAddress(sender: TransactionPoolTests.address(0), nonce: 4))
        #expect(details[0].to == nil && details[0].gasUsed == 53_000)
    }
}
