import Chain
import LedgerCrypto
import Primitives
import RLP
import Testing

struct TransactionTests {
    @Test(arguments: SampleTransactions.all)
    func signEncodeDecodeRecoversSender(_ unsigned: Transaction) throws {
        let signed = try unsigned.signed(privateKey: SampleTransactions.key)
        let bytes = signed.encoded
        let decoded = try Transaction(encoded: bytes)
        #expect(decoded == signed)
        #expect(decoded.encoded == bytes)
        #expect(decoded.type == unsigned.type)
        #expect(decoded.hash == Keccak256.hash(bytes))
        if unsigned.type != .legacy { #expect(bytes.first == unsigned.type.rawValue) }
        #expect(try decoded.sender() == Secp256k1.address(ofPrivateKey: SampleTransactions.key))
        if let chainId = unsigned.chainId {
            try decoded.validate(chainId: chainId)
            #expect(throws: TransactionError.chainIdMismatch(expected: chainId + 1, got: chainId)) {
                try decoded.validate(chainId: chainId + 1)
            }
        } else {
            try decoded.validate(chainId: 1)  // unprotected legacy signatures are valid on any chain
        }
        // The block-body form round-trips too.
        let item = try RLP.decode(signed.blockBodyItemEncoding)
        #expect(try Transaction(blockBodyItem: item) == signed)
    }

    /// The worked example in EIP-155.
    @Test func eip155Example() throws {
        var tx = Transaction(.legacy(LegacyTransaction(
            chainId: 1, nonce: 9, gasPrice: 20_000_000_000, gasLimit: 21_000,
            to: SampleTransactions.recipient, value: UInt256(1_000_000_000_000_000_000))))
        #expect(tx.signingPayload.hexString ==
                "0xec098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a764000080018080")
        #expect(tx.signingHash == (try Hash32(hex: "0xdaf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53")))
        try tx.sign(privateKey: SampleTransactions.key)
        #expect(tx.encoded.hexString ==
                "0xf86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a0"
                + "28ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a0"
                + "67cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83")
        #expect(try tx.sender() == Address(hex: "0x9d8a62f656a8d1615c1294fd71e9cfb3e4855a4f"))
    }

    @Test func signWithChainIdSetsIt() throws {
        var tx = SampleTransactions.all[0]
        try tx.sign(privateKey: SampleTransactions.key, chainId: 5)
        #expect(tx.chainId == 5)
        let decoded = try Transaction(encoded: tx.encoded)
        #expect(decoded.chainId == 5)
        // EIP-155: v = 5 * 2 + 35 + yParity, a one-byte integer just before r.
        let items = try RLP.decode(tx.encoded).asList()
        #expect(try items[6].asUInt64() == 45 + UInt64(tx.signature.yParity))
    }

    @Test func highSIsRejected() throws {
        var tx = try SampleTransactions.all[3].signed(privateKey: SampleTransactions.key)
        // The malleable twin (n - s, flipped parity) recovers the same key but breaks EIP-2.
        tx.signature.s = try UInt256(bigEndian: Self.subtract(Secp256k1.order, tx.signature.s))
        tx.signature.yParity ^= 1
        let decoded = try Transaction(encoded: tx.encoded)
        #expect(throws: TransactionError.highSignatureS) { try decoded.sender() }
        #expect(throws: TransactionError.highSignatureS) { try decoded.validate(chainId: 1337) }
    }

    @Test func signatureRangesAreChecked() throws {
        var tx = try SampleTransactions.all[2].signed(privateKey: SampleTransactions.key)
        tx.signature.r = .zero
        #expect(throws: TransactionError.invalidSignatureR) { try tx.sender() }
        tx.signature.r = Secp256k1.order
        #expect(throws: TransactionError.invalidSignatureR) { try tx.sender() }
        tx.signature.r = .one
        tx.signature.s = .zero
        #expect(throws: TransactionError.invalidSignatureS) { try tx.sender() }
        tx.signature.s = .one
        tx.signature.yParity = 2
        #expect(throws: TransactionError.invalidYParity(hex: "0x02")) { try tx.sender() }
        #expect(throws: TransactionError.invalidPrivateKey) { try tx.sign(privateKey: [UInt8](repeating: 0, count: 32)) }
    }

    @Test func malformedEncodingsAreNamed() throws {
        let good = try SampleTransactions.all[3].signed(privateKey: SampleTransactions.key).encoded
        #expect(throws: TransactionError.emptyInput) { try Transaction(encoded: []) }
        #expect(throws: TransactionError.unknownType(0x05)) { try Transaction(encoded: [0x05] + good.dropFirst()) }
        #expect(throws: TransactionError.unknownType(0x00)) { try Transaction(encoded: [0x00] + good.dropFirst()) }
        #expect(throws: TransactionError.legacyNotAList) { try Transaction(encoded: RLP.encode(bytes: good)) }
        #expect(throws: TransactionError.payloadNotAList) { try Transaction(encoded: [0x02, 0x83, 1, 2, 3]) }
        // A type-2 payload with one field missing.
        var fields = try RLP.decode(good.dropFirst()).asList()
        fields.removeLast()
        #expect(throws: TransactionError.wrongFieldCount(expected: 12, got: 11)) {
            try Transaction(encoded: [0x02] + RLP.encode(.list(fields)))
        }
        // Nonce with a leading zero byte.
        fields = try RLP.decode(good.dropFirst()).asList()
        fields[1] = .bytes([0x00, 0x02])
        #expect(throws: TransactionError.integerLeadingZero(.nonce)) {
            try Transaction(encoded: [0x02] + RLP.encode(.list(fields)))
        }
        // A 19-byte recipient.
        fields = try RLP.decode(good.dropFirst()).asList()
        fields[5] = .bytes([UInt8](repeating: 0x11, count: 19))
        #expect(throws: TransactionError.wrongAddressLength(.to, got: 19)) {
            try Transaction(encoded: [0x02] + RLP.encode(.list(fields)))
        }
        // Trailing byte after the payload list.
        #expect(throws: TransactionError.self) { try Transaction(encoded: good + [0x00]) }
        // Legacy v that is neither 27/28 nor EIP-155.
        var legacy = try RLP.decode(SampleTransactions.all[0].signed(privateKey: SampleTransactions.key).encoded).asList()
        legacy[6] = .bytes([30])
        #expect(throws: TransactionError.invalidLegacyV(hex: "0x1e")) { try Transaction(encoded: RLP.encode(.list(legacy))) }
    }

    @Test func blobTransactionRules() throws {
        guard case .blob(var body) = SampleTransactions.all[4].payload else { Issue.record("not a blob tx"); return }
        body.blobVersionedHashes = []
        let empty = try Transaction(.blob(body)).signed(privateKey: SampleTransactions.key)
        #expect(throws: TransactionError.noBlobs) { try empty.validate(chainId: 1337) }
        body.blobVersionedHashes = [Hash32.zero]
        let badVersion = try Transaction(.blob(body)).signed(privateKey: SampleTransactions.key)
        #expect(throws: TransactionError.invalidBlobVersion(index: 0)) { try badVersion.validate(chainId: 1337) }
        body.blobVersionedHashes = Array(repeating: SampleTransactions.blobHash, count: 7)
        let tooMany = try Transaction(.blob(body)).signed(privateKey: SampleTransactions.key)
        #expect(throws: TransactionError.tooManyBlobs(count: 7, limit: 6)) { try tooMany.validate(chainId: 1337) }
        // A blob transaction without a recipient does not decode.
        var fields = try RLP.decode(tooMany.encoded.dropFirst()).asList()
        fields[5] = .bytes([])
        #expect(throws: TransactionError.missingRecipient) { try Transaction(encoded: [0x03] + RLP.encode(.list(fields))) }
    }

    @Test func feeAndNonceRules() throws {
        guard case .dynamicFee(var body) = SampleTransactions.all[3].payload else { Issue.record("not type 2"); return }
        body.maxPriorityFeePerGas = 101
        #expect(throws: TransactionError.priorityFeeAboveMaxFee) {
            try Transaction(.dynamicFee(body)).signed(privateKey: SampleTransactions.key).validate(chainId: 1337)
        }
        body.maxPriorityFeePerGas = 1
        body.maxFeePerGas = .max
        #expect(throws: TransactionError.feeTimesGasOverflow) {
            try Transaction(.dynamicFee(body)).signed(privateKey: SampleTransactions.key).validate(chainId: 1337)
        }
        body.maxFeePerGas = 100
        body.nonce = .max
        #expect(throws: TransactionError.nonceAtMaximum) {
            try Transaction(.dynamicFee(body)).signed(privateKey: SampleTransactions.key).validate(chainId: 1337)
        }
    }

    /// n - s as 32 big-endian bytes (test helper; UInt256 subtraction lives elsewhere).
    static func subtract(_ a: UInt256, _ b: UInt256) -> [UInt8] {
        let x = a.bigEndianBytes, y = b.bigEndianBytes
        var out = [UInt8](repeating: 0, count: 32)
        var borrow = 0
        for i in stride(from: 31, through: 0, by: -1) {
            var d = Int(x[i]) - Int(y[i]) - borrow
            borrow = d < 0 ? 1 : 0
            if d < 0 { d += 256 }
            out[i] = UInt8(d)
        }
        return out
    }
}
