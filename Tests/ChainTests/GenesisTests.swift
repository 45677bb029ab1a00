import Chain
import LedgerCrypto
import Primitives
import Testing

@Suite struct GenesisTests {
    static let oneMillionEther = UInt256(l0: 0x1bce_cced_a100_0000, l1: 0xd3c2, l2: 0, l3: 0)  // 10^24 wei

    func parse(_ text: String) throws(GenesisError) -> Genesis { try Genesis(json: Array(text.utf8)) }

    /// A minimal document with `alloc` and extra top-level members spliced in.
    func document(alloc: String = "{}", extra: String = "") -> String {
        #"{"config": {"chainId": 7}, "gasLimit": "0x1000", "alloc": \#(alloc)\#(extra)}"#
    }

    @Test func devGenesisMatchesItsDocumentation() throws {
        let genesis = try Genesis(contentsOfFile: BlockTestSupport.devGenesisPath)
        #expect(genesis.config.chainId == 1337)
        #expect(genesis.gasLimit == 30_000_000)
        #expect(genesis.baseFeePerGas == .zero)
        #expect(genesis.difficulty.isZero)
        try genesis.config.requireCancunFromGenesis()
        #expect(try genesis.sealer == DevelopmentAccounts.sealerAddress)
        // Clique layout: 32 vanity bytes, 20-byte sealer, 65 seal bytes.
        #expect(genesis.extraData.count == 32 + 20 + 65)
        #expect(genesis.alloc[try DevelopmentAccounts.sealerAddress]?.balance == Self.oneMillionEther)
        let accounts = try DevelopmentAccounts.accountAddresses
        #expect(accounts.count == 4)
        for address in accounts { #expect(genesis.alloc[address]?.balance == Self.oneMillionEther) }
        #expect(genesis.alloc.count == 5)
    }

    @Test func devAccountKeysAreKeccakOfTheirPhrases() throws {
        // The published derivation: key = Keccak-256("mledger dev account N").
        #expect(DevelopmentAccounts.accountKeys[0] == Keccak256.hash(Array("mledger dev account 1".utf8)).bytes)
        #expect(try DevelopmentAccounts.sealerAddress
            == Secp256k1.address(ofPrivateKey: Keccak256.hash(Array("mledger dev sealer".utf8)).bytes))
        #expect(Set(try DevelopmentAccounts.accountAddresses).count == 4)
    }

    @Test func devGenesisHeaderHasCancunFields() throws {
        let genesis = try Genesis(contentsOfFile: BlockTestSupport.devGenesisPath)
        let header = genesis.header(stateRoot: .zero)
        #expect(header.baseFeePerGas == .zero)
        #expect(header.withdrawalsRoot == BlockHeader.emptyTrieRoot)
        #expect(header.blobGasUsed == 0 && header.excessBlobGas == 0)
        #expect(header.parentBeaconBlockRoot == .zero)
        #expect(header.number == 0 && header.extraData == genesis.extraData)
        // The 20-field encoding decodes back to the same header.
        #expect(try BlockHeader(encoded: header.encoded) == header)
    }

    @Test func integersInEveryAcceptedSpelling() throws {
        let alloc = """
        {"0x00000000000000000000000000000000000000a1": {"balance": "0xff"},
         "00000000000000000000000000000000000000a2": {"balance": "1000000000000000000000000"},
         "0x00000000000000000000000000000000000000a3": {"balance": 115792089237316195423570985008687907853269984665640564039457584007913129639935},
         "0x00000000000000000000000000000000000000a4": {"balance": 0, "nonce": "0x2a", "code": "0x6000",
            "storage": {"0x01": "0x02", "0x0000000000000000000000000000000000000000000000000000000000000003": "0xff"}}}
        """
        let genesis = try parse(document(alloc: alloc, extra: #", "timestamp": 12, "baseFeePerGas": "7""#))
        let a1 = BlockTestSupport.address("0x00000000000000000000000000000000000000a1")
        let a2 = BlockTestSupport.address("0x00000000000000000000000000000000000000a2")
        let a3 = BlockTestSupport.address("0x00000000000000000000000000000000000000a3")
        let a4 = BlockTestSupport.address("0x00000000000000000000000000000000000000a4")
        #expect(genesis.alloc[a1]?.balance == 255)
        #expect(genesis.alloc[a2]?.balance == Self.oneMillionEther)
        #expect(genesis.alloc[a3]?.balance == .max)
        #expect(genesis.alloc[a4]?.nonce == 42)
        #expect(genesis.alloc[a4]?.code == [0x60, 0x00])
        #expect(genesis.alloc[a4]?.storage[UInt256(1).hash32] == UInt256(2).hash32)
        #expect(genesis.alloc[a4]?.storage[UInt256(3).hash32] == UInt256(255).hash32)
        #expect(genesis.timestamp == 12 && genesis.baseFeePerGas == 7 && genesis.gasLimit == 0x1000)
    }

    @Test func errorsNameTheBadField() {
        let holder = "0x00000000000000000000000000000000000000a1"
        let cases: [(String, GenesisError)] = [
            (#"{"gasLimit": 1, "alloc": {}}"#, .missingField("config")),
            (#"{"config": {}, "gasLimit": 1, "alloc": {}}"#, .missingField("config.chainId")),
            (#"{"config": {"chainId": 1}, "alloc": {}}"#, .missingField("gasLimit")),
            (#"{"config": {"chainId": 1}, "gasLimit": 1}"#, .missingField("alloc")),
            (#"{"config": {"chainId": 1}, "gasLimit": true, "alloc": {}}"#,
             .wrongType(field: "gasLimit", expected: "an integer (number, hex or decimal string)", got: "boolean")),
            (#"{"config": {"chainId": "0x1", "londonBlock": "x"}, "gasLimit": 1, "alloc": {}}"#,
             .invalidValue(field: "config.londonBlock", reason: #""x" is not a non-negative integer below 2^256: invalid decimal character 'x' at offset 0"#)),
            (document(alloc: #"{"\#(holder)": {"nonce": 1}}"#), .missingField("alloc.\(holder).balance")),
            (document(extra: #", "gasLimit": "0x10000000000000000""#), .invalidJSON(offset: 62, reason: #"duplicate key "gasLimit""#)),
        ]
        for (text, expected) in cases {
            #expect(throws: expected) { try parse(text) }
        }
    }

    @Test func malformedValuesAreRefusedWithTheirPath() {
        let holder = "0x00000000000000000000000000000000000000a1"
        func failingField(_ text: String) -> String? {
            do {
                _ = try parse(text)
                return nil
            } catch {
                switch error {
                case .invalidValue(let field, _), .wrongType(let field, _, _): return field
                default: return "other: \(error)"
                }
            }
        }
        #expect(failingField(document(alloc: #"{"0xzz": {"balance": "1"}}"#)) == "alloc.0xzz")
        #expect(failingField(document(alloc: #"{"\#(holder)": {"balance": "-1"}}"#)) == "alloc.\(holder).balance")
        #expect(failingField(document(alloc: #"{"\#(holder)": {"balance": 1.5}}"#)) == "alloc.\(holder).balance")
        // 2^256 is one too many.
        #expect(failingField(document(alloc: #"{"\#(holder)": {"balance": "115792089237316195423570985008687907853269984665640564039457584007913129639936"}}"#))
            == "alloc.\(holder).balance")
        #expect(failingField(document(alloc: #"{"\#(holder)": {"balance": "0x1", "code": "0x6"}}"#)) == "alloc.\(holder).code")
        #expect(failingField(document(alloc: #"{"\#(holder)": {"balance": "0x1", "storage": {"0x01": 5}}}"#))
            == "alloc.\(holder).storage.0x01")
        #expect(failingField(document(extra: #", "nonce": "0x10000000000000000""#)) == "nonce")
        #expect(failingField(document(extra: #", "mixHash": "0x1234""#)) == "mixHash")
        #expect(failingField(document(extra: #", "coinbase": 5"#)) == "coinbase")
        #expect(failingField(#"{"config": {"chainId": 1, "clique": {"period": "soon"}}, "gasLimit": 1, "alloc": {}}"#)
            == "config.clique.period")
    }

    /// JSON numbers are read from their text: a whole value written with an exponent or a
    /// fraction of zeros is exact, a real fraction is refused.
    @Test func numberBalancesAreExact() throws {
        let holder = "0x00000000000000000000000000000000000000a1"
        let genesis = try parse(document(alloc: #"{"\#(holder)": {"balance": 1.5e21, "nonce": 7.0}}"#))
        let account = genesis.alloc[BlockTestSupport.address(holder)]
        #expect(account?.balance == (try UInt256(decimal: "1500000000000000000000")))
        #expect(account?.nonce == 7)
        #expect(throws: GenesisError.invalidValue(field: "alloc.\(holder).balance", reason: "1.25 is not a non-negative integer below 2^256")) {
            try parse(document(alloc: #"{"\#(holder)": {"balance": 1.25}}"#))
        }
    }

    @Test func brokenJSONReportsAnOffset() {
        for text in ["", "{", #"{"config": }"#, #"{"a": 01}"#, #"{"a": "\x"}"#, "[1, 2] x", #"{"a": tru}"#] {
            #expect(performing: { try parse(text) }, throws: { error in
                if case .invalidJSON = error as? GenesisError { return true }
                return false
            })
        }
    }

    @Test func cliqueExtraDataLayoutIsChecked() throws {
        var genesis = try parse(document())
        genesis.extraData = [UInt8](repeating: 0, count: 10)
        #expect(throws: GenesisError.invalidCliqueExtraData(length: 10)) { try genesis.sealer }
        genesis.extraData = [UInt8](repeating: 0, count: 97)
        #expect(throws: GenesisError.noSealerInExtraData) { try genesis.sealer }
        genesis.extraData = [UInt8](repeating: 0, count: 97 + 40)
        #expect(throws: GenesisError.self) { try genesis.sealer }
        #expect(try genesis.cliqueSigners.count == 2)
    }

    @Test func forksMustBeActiveFromGenesis() throws {
        var config = try Genesis(contentsOfFile: BlockTestSupport.devGenesisPath).config
        config.blockForks[.londonBlock] = 5
        #expect(throws: GenesisError.forkNotActiveAtGenesis(field: "londonBlock")) { try config.requireCancunFromGenesis() }
        config.blockForks[.londonBlock] = 0
        config.timeForks[.cancunTime] = nil
        #expect(throws: GenesisError.forkNotActiveAtGenesis(field: "cancunTime")) { try config.requireCancunFromGenesis() }
        #expect(!config.isCancun(atBlock: 0, time: 1_000))
    }
}
