import Chain
import Foundation
import Primitives
import RLP
import Testing

@Suite struct BlockHeaderTests {
    typealias S = BlockTestSupport

    /// `eth_getBlockByNumber` results from the test chain of the Ethereum execution-API specification (produced by a
    /// reference client): a Cancun block (20 header fields), a Shanghai block with one
    /// withdrawal (17) and a London block with an ommer (16). Each states its own hash.
    static let cancunBlockJSON = #"{"baseFeePerGas":"0x813ba56","blobGasUsed":"0x20000","difficulty":"0x0","excessBlobGas":"0x0","extraData":"0x","gasLimit":"0xbebc200","gasUsed":"0x3b27a","hash":"0x0f301cfeb1ba6f4ebfb246a350357f7c136adf5aa77b464e422b8a1059565bad","logsBloom":"0x00000000000000000000000000000000000000000000000100000000800000000000000000000000000000000000000000000000000000000000000000000000000000000000000000004000000000000200000000000000000000000000002000000000000000000000000000000000000000000000000000000000000000000000000000000200000000080000000000080000000000000000000000000000000000000000009000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000040000000000100000000000000000000000","miner":"0x0000000000000000000000000000000000000000","mixHash":"0x0000000000000000000000000000000000000000000000000000000000000000","nonce":"0x0000000000000000","number":"0x2a","parentBeaconBlockRoot":"0x83472eda6eb475906aeeb7f09e757ba9f6663b9f6a5bf8611d6306f677f67ebd","parentHash":"0x3f48caa9f008fc368c54449bcf5866229a4d394c52d12ae860290a74c05e6a1d","receiptsRoot":"0xd986dfa6b469d59e2b16338ad9b4e757dd3d29deda9676d4d1dde8ec7721ea54","sha3Uncles":"0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347","stateRoot":"0xd57890add22fbbfd3817dadf352b60e49056d43fa7aaba115e1eb32058d84c1b","timestamp":"0x1a4","transactionsRoot":"0xa50f8a5695bda2c18ead4c929e13c5a1ec409a2ea2a0d4ceaf2eaa116e54257a","withdrawalsRoot":"0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421"}"#
    static let shanghaiBlockJSON = #"{"baseFeePerGas":"0xc0c00f7","difficulty":"0x0","extraData":"0x","gasLimit":"0xbebc200","gasUsed":"0x3923b","hash":"0x75e13732ba750526a8363ffaa970fa602e883780efcc68beaa43b0c1733637a4","logsBloom":"0x00000008000000000000100000000000010000000000000000010000800000000000000000000000000000004004000000004810000000000000000000004000000080000010000000004000200000000200000000000000000000000000002000010000400000080000000000000000000020000010000000000000080000000100000000000080200000000000000010000000000100020000000000000000000008000000009100000000022000000000000000000000000000040000000000000000000000100000000000004000000080000000200000000000000000000000000000000000000000000000000000000000000000000000010000000100","miner":"0x0000000000000000000000000000000000000000","mixHash":"0x0000000000000000000000000000000000000000000000000000000000000000","nonce":"0x0000000000000000","number":"0x27","parentHash":"0x42e8850f25f4b485ec41ca5fd1b739396101b9e342f8751360eda2c23f2e59c7","receiptsRoot":"0xd8b031b7eaf79c70b378523ef39d37bcae47cab5e8d93e080d7b124f0504f1aa","sha3Uncles":"0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347","stateRoot":"0xe08e279cf4a1d63c0124fd6360acab3df93d4949319c80b44701834d5c44e72f","timestamp":"0x186","transactionsRoot":"0xecb17a94f7359cafb2f558ca27410833feaa72f92c3b88dd810874921ecaba0f","withdrawalsRoot":"0x0cbd4206b2131f21f541589e2bb2ad8cfceb1875f04acde910ea91933245f92b"}"#
    static let londonBlockJSON = #"{"baseFeePerGas":"0x3b9aca00","difficulty":"0x202c0","extraData":"0x","gasLimit":"0xbebc200","gasUsed":"0x1e740","hash":"0x56473d5d55aacb7fe6ac7db435dd035c1b3d1204b7c0592cf55ae1d4374fe471","logsBloom":"0x00000000000000000000000000000000000008000000000010000000800000000000000000000000000000000000000000000000000000000000000000000000000000000000080000004000000000000200000000000000000000000000002000000000000000040000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000009000000000000000000000000000000000000000000000000000000000000000000000000000200000000000080000000000000000000000000000000000000000000000000000000000000000000000000000000000000000","miner":"0x0000000000000000000000000000000000000000","mixHash":"0x0000000000000000000000000000000000000000000000000000000000000000","nonce":"0x0000000000000000","number":"0x1b","parentHash":"0x1706b1ad0ca4547a771ee1b51be8c9418d5c7f669a1c93c14bc14c2d734d0104","receiptsRoot":"0xb14c6a4874e93edbe48c9bd16177b9ebcf0ca4d50eb263d895bbd67de1dbdb2f","sha3Uncles":"0xb67dd8dfecc33479ecd2a34537dd3f5b9da891f9b2e2aab11bb37c30fec277db","stateRoot":"0x2c2ba7c20180cdafdb6fb4ce1cdd8e0e542e76c2616cfff711f58ccf0b3adc22","timestamp":"0x10e","transactionsRoot":"0xb3edba3be2bce9594477ee53a18ce14c3bb8c1db93380a6796e56fbca25c295f"}"#

    /// A header from a JSON-RPC block object, and the hash the object states.
    static func header(fromRPC text: String) throws -> (header: BlockHeader, statedHash: Hash32) {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String])
        func field(_ name: String) throws -> String { try #require(object[name], "missing \(name)") }
        func quantity(_ name: String) throws -> UInt64 { try #require(S.uint(try field(name)).uint64) }
        var header = BlockHeader(
            parentHash: S.hash(try field("parentHash")), ommersHash: S.hash(try field("sha3Uncles")),
            coinbase: S.address(try field("miner")), stateRoot: S.hash(try field("stateRoot")),
            transactionsRoot: S.hash(try field("transactionsRoot")), receiptsRoot: S.hash(try field("receiptsRoot")),
            logsBloom: try Bloom(bytes: S.hex(try field("logsBloom"))), difficulty: S.uint(try field("difficulty")),
            number: try quantity("number"), gasLimit: try quantity("gasLimit"), gasUsed: try quantity("gasUsed"),
            timestamp: try quantity("timestamp"), extraData: S.hex(try field("extraData")),
            mixHash: S.hash(try field("mixHash")), nonce: try quantity("nonce"))
        header.baseFeePerGas = object["baseFeePerGas"].map(S.uint)
        header.withdrawalsRoot = object["withdrawalsRoot"].map(S.hash)
        header.blobGasUsed = object["blobGasUsed"].flatMap { S.uint($0).uint64 }
        header.excessBlobGas = object["excessBlobGas"].flatMap { S.uint($0).uint64 }
        header.parentBeaconBlockRoot = object["parentBeaconBlockRoot"].map(S.hash)
        return (header, S.hash(try field("hash")))
    }

    static var cancunHeader: BlockHeader { (try? header(fromRPC: cancunBlockJSON).header) ?? BlockHeader(
        parentHash: .zero, coinbase: .zero, stateRoot: .zero, number: 0, gasLimit: 0, timestamp: 0) }

    @Test(arguments: [cancunBlockJSON, shanghaiBlockJSON, londonBlockJSON])
    func referenceHeadersHashToTheirStatedHash(json: String) throws {
        let (header, statedHash) = try Self.header(fromRPC: json)
        #expect(header.hash == statedHash)
        #expect(try BlockHeader(encoded: header.encoded) == header)
    }

    @Test func referenceHeadersUseTheirForkLayouts() throws {
        #expect(try RLP.decode(Self.header(fromRPC: Self.cancunBlockJSON).header.encoded).asList().count == 20)
        #expect(try RLP.decode(Self.header(fromRPC: Self.shanghaiBlockJSON).header.encoded).asList().count == 17)
        #expect(try RLP.decode(Self.header(fromRPC: Self.londonBlockJSON).header.encoded).asList().count == 16)
    }

    @Test func anyChangedFieldChangesTheHash() {
        let original = Self.cancunHeader.hash
        var changed = Self.cancunHeader
        changed.excessBlobGas = 1
        #expect(changed.hash != original)
        changed = Self.cancunHeader
        changed.parentBeaconBlockRoot = .zero
        #expect(changed.hash != original)
        changed = Self.cancunHeader
        changed.nonce = 1
        #expect(changed.hash != original)
    }

    /// BasicTests/genesishashestest.json: the mainnet genesis block, a 15-field header.
    @Test func mainnetGenesisBlockFromBasicTests() throws {
        let url = S.ethereumTests.appendingPathComponent("BasicTests/genesishashestest.json")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: String])
        let blockBytes = S.hex(try #require(json["genesis_rlp_hex"]))
        let block = try Block(encoded: blockBytes)
        #expect(block.hash == S.hash(try #require(json["genesis_hash"])))
        #expect(block.header.stateRoot == S.hash(try #require(json["genesis_state_root"])))
        #expect(block.header.baseFeePerGas == nil && block.body.withdrawals == nil)
        #expect(block.header.nonce == 0x42 && block.header.gasLimit == 5_000)
        #expect(block.encoded == blockBytes)
    }

    @Test func everyLayoutRoundTrips() throws {
        var header = Self.cancunHeader
        header.parentBeaconBlockRoot = nil; header.blobGasUsed = nil; header.excessBlobGas = nil
        #expect(try RLP.decode(header.encoded).asList().count == 17)
        #expect(try BlockHeader(encoded: header.encoded) == header)
        header.withdrawalsRoot = nil
        #expect(try BlockHeader(encoded: header.encoded) == header)
        header.baseFeePerGas = nil
        #expect(try RLP.decode(header.encoded).asList().count == 15)
        #expect(try BlockHeader(encoded: header.encoded) == header)
    }

    @Test func strictDecodingRejectsMalformedHeaders() throws {
        let fields = try RLP.decode(Self.cancunHeader.encoded).asList()
        func encode(_ items: [RLPItem]) -> [UInt8] { RLP.encode(.list(items)) }
        func replacing(_ index: Int, with item: RLPItem) -> [UInt8] {
            var copy = fields
            copy[index] = item
            return encode(copy)
        }
        #expect(throws: BlockDecodingError.wrongHeaderFieldCount(18)) { try BlockHeader(encoded: encode(Array(fields.prefix(18)))) }
        #expect(throws: BlockDecodingError.wrongHeaderFieldCount(21)) {
            try BlockHeader(encoded: encode(fields + [.bytes(Hash32.zero.bytes)]))
        }
        #expect(throws: BlockDecodingError.wrongLength(.parentHash, expected: 32, got: 31)) {
            try BlockHeader(encoded: replacing(0, with: .bytes([UInt8](repeating: 1, count: 31))))
        }
        #expect(throws: BlockDecodingError.wrongLength(.coinbase, expected: 20, got: 21)) {
            try BlockHeader(encoded: replacing(2, with: .bytes([UInt8](repeating: 1, count: 21))))
        }
        #expect(throws: BlockDecodingError.wrongLength(.logsBloom, expected: 256, got: 255)) {
            try BlockHeader(encoded: replacing(6, with: .bytes([UInt8](repeating: 1, count: 255))))
        }
        #expect(throws: BlockDecodingError.integerLeadingZero(.number)) {
            try BlockHeader(encoded: replacing(8, with: .bytes([0, 1])))
        }
        #expect(throws: BlockDecodingError.integerTooLarge(.gasLimit, maxBytes: 8)) {
            try BlockHeader(encoded: replacing(9, with: .bytes([UInt8](repeating: 1, count: 9))))
        }
        #expect(throws: BlockDecodingError.wrongLength(.nonce, expected: 8, got: 0)) {
            try BlockHeader(encoded: replacing(14, with: .bytes([])))
        }
        #expect(throws: BlockDecodingError.fieldIsList(.extraData)) {
            try BlockHeader(encoded: replacing(12, with: .list([])))
        }
        #expect(throws: BlockDecodingError.notAList(what: "header")) { try BlockHeader(encoded: RLP.encode(bytes: [1, 2])) }
        var trailing = Self.cancunHeader.encoded
        trailing.append(0)
        #expect(throws: BlockDecodingError.self) { try BlockHeader(encoded: trailing) }
    }

    @Test func seededGarbageNeverCrashesTheDecoder() {
        var generator = SeededGenerator(seed: 4)
        let valid = Self.cancunHeader.encoded
        var accepted = 0
        for _ in 0..<2_000 {
            var bytes = valid
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            // Whatever decodes must re-encode to exactly the input (canonical form only).
            if let header = try? BlockHeader(encoded: bytes) {
                accepted += 1
                #expect(header.encoded == bytes)
            }
        }
        #expect(accepted < 2_000)
    }
}
