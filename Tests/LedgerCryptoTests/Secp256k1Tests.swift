import LedgerCrypto
import Primitives
import Testing

private func key(_ hex: String) throws -> [UInt8] { try Hex.decode(hex) }

/// n - s, computed limb by limb (test-local so it does not depend on UInt256 arithmetic).
private func negateModOrder(_ s: UInt256) -> UInt256 {
    let n = Secp256k1.order
    let (d0, b0) = n.l0.subtractingReportingOverflow(s.l0)
    var (d1, b1) = n.l1.subtractingReportingOverflow(s.l1)
    var c1 = false; (d1, c1) = d1.subtractingReportingOverflow(b0 ? 1 : 0)
    var (d2, b2) = n.l2.subtractingReportingOverflow(s.l2)
    var c2 = false; (d2, c2) = d2.subtractingReportingOverflow(b1 || c1 ? 1 : 0)
    let (d3, _) = n.l3.subtractingReportingOverflow(s.l3)
    return UInt256(l0: d0, l1: d1, l2: d2, l3: d3 &- (b2 || c2 ? 1 : 0))
}

private let one = [UInt8](repeating: 0, count: 31) + [1]

@Test func curveConstantsMatchTheStandard() throws {
    #expect(Secp256k1.order == (try UInt256(hex: "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")))
    #expect(Secp256k1.halfOrder == (try UInt256(hex: "7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0")))
}

@Test func privateKeyOneHasTheKnownAddress() throws {
    #expect(try Secp256k1.address(ofPrivateKey: one) == (try Address(hex: "0x7e5f4552091a69125d5dfcb7b8c2659029395bdf")))
    // The public key of 1 is the generator point G.
    #expect(Hex.encode(try Secp256k1.publicKey(privateKey: one), prefix: false)
        == "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
        + "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8")
}

/// EIP-155's worked example: RFC 6979 signing must reproduce its r and s exactly.
@Test func signatureMatchesEIP155Example() throws {
    let privateKey = try key("4646464646464646464646464646464646464646464646464646464646464646")
    let hash = try Hash32(hex: "daf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53")
    let signature = try Secp256k1.sign(hash: hash, privateKey: privateKey)
    #expect(signature.r == (try UInt256(hex: "28ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276")))
    #expect(signature.s == (try UInt256(hex: "67cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83")))
    #expect(signature.recoveryId == 0)
    #expect(try Secp256k1.recoverAddress(hash: hash, signature: signature)
        == (try Address(hex: "0x9d8a62f656a8d1615c1294fd71e9cfb3e4855a4f")))
}

@Test func signRecoverVerifyRoundTrips() throws {
    for seed in 1...8 {
        let privateKey = Array(Keccak256.hash([UInt8(seed)]).bytes)
        let hash = Keccak256.hash(Array("message \(seed)".utf8))
        let signature = try Secp256k1.sign(hash: hash, privateKey: privateKey)
        let publicKey = try Secp256k1.publicKey(privateKey: privateKey)
        #expect(signature.isLowS)
        #expect(try Secp256k1.recoverPublicKey(hash: hash, signature: signature) == publicKey)
        #expect(try Secp256k1.recoverAddress(hash: hash, signature: signature) == (try Secp256k1.address(ofPrivateKey: privateKey)))
        #expect(try Secp256k1.verify(hash: hash, signature: signature, publicKey: publicKey))
        #expect(try Secp256k1.verify(hash: hash, signature: signature, publicKey: [0x04] + publicKey))
        let otherHash = Keccak256.hash(Array("other \(seed)".utf8))
        #expect(try !Secp256k1.verify(hash: otherHash, signature: signature, publicKey: publicKey))
        #expect(try RecoverableSignature(bytes65: signature.bytes65) == signature)
    }
}

@Test func highSIsDetectedAndOnlyVerifiesWhenAllowed() throws {
    let hash = Keccak256.hash(Array("malleable".utf8))
    let signature = try Secp256k1.sign(hash: hash, privateKey: one)
    let publicKey = try Secp256k1.publicKey(privateKey: one)
    let twin = RecoverableSignature(r: signature.r, s: negateModOrder(signature.s), recoveryId: 1 - signature.recoveryId)
    #expect(!twin.isLowS)
    #expect(Secp256k1.isLowS(Secp256k1.halfOrder))
    #expect(!Secp256k1.isLowS(UInt256(l0: Secp256k1.halfOrder.l0 + 1, l1: Secp256k1.halfOrder.l1,
                                      l2: Secp256k1.halfOrder.l2, l3: Secp256k1.halfOrder.l3)))
    #expect(try !Secp256k1.verify(hash: hash, signature: twin, publicKey: publicKey))
    #expect(try Secp256k1.verify(hash: hash, signature: twin, publicKey: publicKey, allowHighS: true))
    // The twin (with the flipped recovery id) recovers the same key, as ECRECOVER allows.
    #expect(try Secp256k1.recoverPublicKey(hash: hash, signature: twin) == publicKey)
}

@Test func outOfRangeRAndSAreRejected() throws {
    let hash = Keccak256.hash(Array("range".utf8))
    let good = try Secp256k1.sign(hash: hash, privateKey: one)
    let publicKey = try Secp256k1.publicKey(privateKey: one)
    let bad = [
        RecoverableSignature(r: .zero, s: good.s, recoveryId: 0),
        RecoverableSignature(r: good.r, s: .zero, recoveryId: 0),
        RecoverableSignature(r: Secp256k1.order, s: good.s, recoveryId: 0),
        RecoverableSignature(r: good.r, s: Secp256k1.order, recoveryId: 0),
        RecoverableSignature(r: .max, s: good.s, recoveryId: 0),
    ]
    for signature in bad {
        #expect(throws: Secp256k1Error.invalidSignature) { try Secp256k1.recoverAddress(hash: hash, signature: signature) }
        #expect(throws: Secp256k1Error.invalidSignature) { try Secp256k1.verify(hash: hash, signature: signature, publicKey: publicKey) }
    }
}

@Test func recoveryIdOutOfRangeIsRejected() throws {
    let hash = Keccak256.hash(Array("recid".utf8))
    let good = try Secp256k1.sign(hash: hash, privateKey: one)
    for id in [-1, 2, 3, 27, 28] {
        let signature = RecoverableSignature(r: good.r, s: good.s, recoveryId: id)
        #expect(throws: Secp256k1Error.invalidRecoveryId(id)) { try Secp256k1.recoverPublicKey(hash: hash, signature: signature) }
    }
}

@Test func invalidKeysAreRejected() throws {
    let hash = Keccak256.hash([1])
    #expect(throws: Secp256k1Error.invalidPrivateKey) { try Secp256k1.sign(hash: hash, privateKey: [UInt8](repeating: 0, count: 32)) }
    #expect(throws: Secp256k1Error.invalidPrivateKey) { try Secp256k1.sign(hash: hash, privateKey: Secp256k1.order.bigEndianBytes) }
    #expect(throws: Secp256k1Error.invalidPrivateKey) { try Secp256k1.sign(hash: hash, privateKey: [1, 2, 3]) }
    let signature = try Secp256k1.sign(hash: hash, privateKey: one)
    #expect(throws: Secp256k1Error.invalidPublicKey) { try Secp256k1.verify(hash: hash, signature: signature, publicKey: [UInt8](repeating: 7, count: 64)) }
    #expect(throws: Secp256k1Error.invalidPublicKey) { try Secp256k1.verify(hash: hash, signature: signature, publicKey: [1, 2]) }
    #expect(throws: Secp256k1Error.invalidSignatureLength(64)) { try RecoverableSignature(bytes65: [UInt8](repeating: 1, count: 64)) }
}
