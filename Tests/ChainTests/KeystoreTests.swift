import Chain
import LedgerCrypto
import Foundation
import Primitives
import Testing

private let privateKey = (1...32).map { UInt8($0) }
private let passphrase = "correct horse battery staple"

/// One light-cost key file shared by the tests that only read it (scrypt is the slow part).
private let lightFile: (json: Data, address: Address) = {
    do { return try Keystore.encrypt(privateKey: privateKey, passphrase: passphrase, cost: .light) } catch {
        fatalError("could not create the shared test key file: \(error)")
    }
}()

private func document(_ json: Data) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
}

/// The shared key file with `edit` applied to its parsed JSON.
private func edited(_ edit: (inout [String: Any], inout [String: Any]) -> Void) throws -> Data {
    var root = try document(lightFile.json)
    var crypto = try #require(root["crypto"] as? [String: Any])
    edit(&root, &crypto)
    root["crypto"] = crypto
    return try JSONSerialization.data(withJSONObject: root)
}

@Test func encryptThenDecryptRoundTrips() throws {
    let key = try Keystore.decrypt(json: lightFile.json, passphrase: passphrase)
    #expect(key.privateKey == privateKey)
    #expect(key.address == (try Secp256k1.address(ofPrivateKey: privateKey)))
    #expect(lightFile.address == key.address)
}

@Test func newKeyFileHasGethLayout() throws {
    let root = try document(lightFile.json)
    #expect(root["version"] as? Int == 3)
    #expect(root["address"] as? String == Hex.encode(lightFile.address.bytes, prefix: false))
    let id = try #require(root["id"] as? String)
    #expect(UUID(uuidString: id) != nil && id == id.lowercased())
    let crypto = try #require(root["crypto"] as? [String: Any])
    #expect(crypto["cipher"] as? String == "aes-128-ctr")
    #expect(crypto["kdf"] as? String == "scrypt")
    let params = try #require(crypto["kdfparams"] as? [String: Any])
    #expect(params["n"] as? Int == 4096 && params["r"] as? Int == 8 && params["p"] as? Int == 6)
    #expect(params["dklen"] as? Int == 32)
    #expect((params["salt"] as? String)?.count == 64)
    #expect(Keystore.ScryptCost.standard == Keystore.ScryptCost(n: 262144, r: 8, p: 1))
}

@Test func twoEncryptionsUseFreshSaltAndIV() throws {
    let again = try Keystore.encrypt(privateKey: privateKey, passphrase: passphrase, cost: .light)
    #expect(again.json != lightFile.json)
    #expect(try Keystore.decrypt(json: again.json, passphrase: passphrase).privateKey == privateKey)
}

@Test func wrongPassphraseIsReportedAsSuch() {
    #expect(throws: KeystoreError.wrongPassphrase) { try Keystore.decrypt(json: lightFile.json, passphrase: "wrong") }
    #expect("\(KeystoreError.wrongPassphrase)".contains("passphrase"))
}

@Test func capitalCryptoKeyIsAccepted() throws {
    var root = try document(lightFile.json)
    root["Crypto"] = root.removeValue(forKey: "crypto")
    let json = try JSONSerialization.data(withJSONObject: root)
    #expect(try Keystore.decrypt(json: json, passphrase: passphrase).privateKey == privateKey)
}

@Test func unsupportedAlgorithmsAreNamed() throws {
    let argon = try edited { _, crypto in crypto["kdf"] = "argon2id" }
    #expect(throws: KeystoreError.unsupportedKDF("argon2id")) { try Keystore.decrypt(json: argon, passphrase: passphrase) }
    let cbc = try edited { _, crypto in crypto["cipher"] = "aes-128-cbc" }
    #expect(throws: KeystoreError.unsupportedCipher("aes-128-cbc")) { try Keystore.decrypt(json: cbc, passphrase: passphrase) }
    let v2 = try edited { root, _ in root["version"] = 2 }
    #expect(throws: KeystoreError.unsupportedVersion(2)) { try Keystore.decrypt(json: v2, passphrase: passphrase) }
}

@Test func malformedFieldsAreNamed() throws {
    let noSalt = try edited { _, crypto in
        var params = crypto["kdfparams"] as? [String: Any] ?? [:]
        params["salt"] = nil
        crypto["kdfparams"] = params
    }
    #expect(throws: KeystoreError.missingField("crypto.kdfparams.salt")) { try Keystore.decrypt(json: noSalt, passphrase: passphrase) }
    let shortIV = try edited { _, crypto in crypto["cipherparams"] = ["iv": "0011"] }
    #expect(throws: KeystoreError.invalidField("crypto.cipherparams.iv", reason: "must be 16 bytes, got 2")) {
        try Keystore.decrypt(json: shortIV, passphrase: passphrase)
    }
    let badN = try edited { _, crypto in
        var params = crypto["kdfparams"] as? [String: Any] ?? [:]
        params["n"] = 1000
        crypto["kdfparams"] = params
    }
    do {
        _ = try Keystore.decrypt(json: badN, passphrase: passphrase)
        Issue.record("n = 1000 accepted")
    } catch {
        guard case .invalidField(let field, _) = error else { Issue.record("unexpected \(error)"); return }
        #expect(field == "crypto.kdfparams.n")
    }
    let textMAC = try edited { _, crypto in crypto["mac"] = 12 }
    #expect(throws: KeystoreError.invalidField("crypto.mac", reason: "not a string")) { try Keystore.decrypt(json: textMAC, passphrase: passphrase) }
    #expect(throws: KeystoreError.self) { try Keystore.decrypt(json: Data("[1, 2]".utf8), passphrase: passphrase) }
    #expect(throws: KeystoreError.self) { try Keystore.decrypt(json: Data("{not json".utf8), passphrase: passphrase) }
    #expect(throws: KeystoreError.missingField("Crypto")) { try Keystore.decrypt(json: Data("{\"version\": 3}".utf8), passphrase: passphrase) }
}

@Test func tamperedCiphertextFailsTheMAC() throws {
    let tampered = try edited { _, crypto in
        let text = crypto["ciphertext"] as? String ?? ""
        crypto["ciphertext"] = (text.first == "0" ? "1" : "0") + text.dropFirst()
    }
    #expect(throws: KeystoreError.wrongPassphrase) { try Keystore.decrypt(json: tampered, passphrase: passphrase) }
}

@Test func declaredAddressMustMatchTheKey() throws {
    let other = try edited { root, _ in root["address"] = "7e5f4552091a69125d5dfcb7b8c2659029395bdf" }
    do {
        _ = try Keystore.decrypt(json: other, passphrase: passphrase)
        Issue.record("mismatched address accepted")
    } catch {
        guard case .addressMismatch = error else { Issue.record("unexpected \(error)"); return }
    }
}

@Test func decryptedKeyNeverPrintsItsBytes() throws {
    let key = try Keystore.decrypt(json: lightFile.json, passphrase: passphrase)
    let keyHex = Hex.encode(privateKey, prefix: false)
    for text in ["\(key)", String(reflecting: key), String(describing: Mirror(reflecting: key).children.map { $0.value })] {
        #expect(!text.contains(keyHex))
        #expect(!text.contains("\(privateKey)"))
    }
    #expect(!"\(KeystoreError.wrongPassphrase)".contains(passphrase))
}

@Test func keyFileIsWrittenAtomicallyWithPrivatePermissions() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mledger-keystore-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    let date = Date(timeIntervalSince1970: 1_700_000_000.5)
    let url = try Keystore.writeKeyFile(json: lightFile.json, address: lightFile.address, directory: directory, date: date)
    #expect(url.lastPathComponent == "UTC--2023-11-14T22-13-20.500000000Z--" + Hex.encode(lightFile.address.bytes, prefix: false))
    let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
    #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == [url.lastPathComponent])
    #expect(try Keystore.decrypt(fileAt: url, passphrase: passphrase).privateKey == privateKey)
    #expect(throws: KeystoreError.self) { try Keystore.decrypt(fileAt: directory.appendingPathComponent("absent"), passphrase: "x") }
}

@Test func invalidPrivateKeyIsRefusedOnEncrypt() {
    #expect(throws: KeystoreError.invalidPrivateKey) {
        try Keystore.encrypt(privateKey: [UInt8](repeating: 0, count: 32), passphrase: "p", cost: .light)
    }
}
