import Chain
import Primitives
import RLP
import Testing

@Suite struct ReceiptTests {
    typealias S = BlockTestSupport

    /// The first receipt of the London block in `BlockHeaderTests` (execution-API test chain):
    /// one log with two topics, and the bloom the reference client computed for it.
    static let referenceLog = Log(
        address: S.address("0x7dcd17433742f4c0ca53122ab541d0ba67fc27df"),
        topics: [S.hash("0x00000000000000000000000000000000000000000000000000000000656d6974"),
                 S.hash("0x13bd2394f758553be374ffa4a9455cdf5e6ef3d905acd02746df2d12361e1ace")],
        data: S.hex("0x0000000000000000000000000000000000000000000000000000000000000012"))
    static let referenceBloom = S.hex("0x00000000000000000000000000000000000000000000000010000000800000000000000000000000000000000000000000000000000000000000000000000000000000000000000000004000000000000200000000000000000000000000002000000000000000040000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000009000000000000000000000000000000000000000000000000000000000000000000000000000200000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000")

    @Test func bloomMatchesTheReferenceReceipt() throws {
        let bloom = Bloom(logs: [Self.referenceLog])
        #expect(bloom.bytes == Self.referenceBloom)
        // Address and two topics: at most 9 bits set, at least 1.
        let bits = bloom.bytes.reduce(0) { $0 + $1.nonzeroBitCount }
        #expect(bits >= 1 && bits <= 9)
        // The block's bloom covers this receipt's bloom.
        let (header, _) = try BlockHeaderTests.header(fromRPC: BlockHeaderTests.londonBlockJSON)
        #expect(zip(header.logsBloom.bytes, bloom.bytes).allSatisfy { $0 & $1 == $1 })
    }

    @Test func bloomMembership() {
        let bloom = Bloom(logs: [Self.referenceLog])
        #expect(bloom.mightContain(address: Self.referenceLog.address))
        #expect(bloom.mightContain(topic: Self.referenceLog.topics[1]))
        // The data is not indexed, and unrelated values are (for these inputs) absent.
        #expect(!bloom.mightContain(address: S.address("0x0000000000000000000000000000000000000001")))
        #expect(!bloom.mightContain(topic: UInt256(12345).hash32))
        #expect(Bloom().isEmpty && !bloom.isEmpty)
        var union = Bloom()
        union.formUnion(bloom)
        #expect(union == bloom)
        #expect(throws: HexError.wrongLength(expected: 256, got: 3)) { try Bloom(bytes: [1, 2, 3]) }
    }

    @Test(arguments: TransactionType.allCases)
    func receiptsRoundTripForEveryType(type: TransactionType) throws {
        let receipt = Receipt(type: type, succeeded: type != .accessList, cumulativeGasUsed: 0xca9c,
                              logs: [Self.referenceLog, Log(address: .zero)])
        let encoded = receipt.encoded
        if type == .legacy {
            #expect(encoded.first.map { $0 >= 0xc0 } == true)
        } else {
            #expect(encoded.first == type.rawValue)
        }
        #expect(try Receipt(encoded: encoded) == receipt)
        #expect(receipt.logsBloom == Bloom(logs: receipt.logs))
    }

    @Test func receiptListsRoundTrip() throws {
        let receipts = TransactionType.allCases.enumerated().map { index, type in
            Receipt(type: type, succeeded: true, cumulativeGasUsed: UInt64(21_000 * (index + 1)),
                    logs: index == 2 ? [Self.referenceLog] : [])
        }
        #expect(try Receipt.decodeList(Receipt.encodeList(receipts)) == receipts)
        #expect(try Receipt.decodeList(Receipt.encodeList([])) == [])
        #expect(Block.logsBloom(receipts) == Bloom(logs: [Self.referenceLog]))
    }

    @Test func strictReceiptDecoding() throws {
        let receipt = Receipt(type: .dynamicFee, succeeded: true, cumulativeGasUsed: 1, logs: [Self.referenceLog])
        let body = Array(receipt.encoded.dropFirst())
        let fields = try RLP.decode(body).asList()
        func typed(_ items: [RLPItem]) -> [UInt8] { [2] + RLP.encode(.list(items)) }
        var badStatus = fields
        badStatus[0] = .bytes([2])
        #expect(throws: BlockDecodingError.invalidStatus) { try Receipt(encoded: typed(badStatus)) }
        #expect(throws: BlockDecodingError.wrongFieldCount(what: "receipt", expected: 4, got: 3)) {
            try Receipt(encoded: typed(Array(fields.prefix(3))))
        }
        #expect(throws: BlockDecodingError.unknownReceiptType(0x05)) { try Receipt(encoded: [5] + body) }
        var badTopic = fields
        badTopic[3] = .list([.list([.bytes(Self.referenceLog.address.bytes), .list([.bytes([1, 2])]), .bytes([])])])
        #expect(throws: BlockDecodingError.wrongLength(.topics, expected: 32, got: 2)) { try Receipt(encoded: typed(badTopic)) }
        var badCumulative = fields
        badCumulative[1] = .bytes([0, 1])
        #expect(throws: BlockDecodingError.integerLeadingZero(.cumulativeGasUsed)) {
            try Receipt(encoded: typed(badCumulative))
        }
        #expect(throws: BlockDecodingError.self) { try Receipt(encoded: [UInt8]()) }
    }
}
