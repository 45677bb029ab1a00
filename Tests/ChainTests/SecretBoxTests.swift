import Chain
import Foundation
import Testing

/// Node secrets sealed under the passphrase: round trips of any length, the plaintext nowhere in
/// the document, wrong passphrase and any altered byte refused by the MAC, bad documents named.
@Suite struct SecretBoxTests {
    let box = SecretBox(passphrase: "node passphrase", cost: .light)

    @Test func sealsAndOpensAnyLength() throws {
        for length in [0, 1, 31, 32, 33, 1000] {
            let secret = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            let sealed = try box.seal(secret)
            #expect(SecretBox.isSealed(sealed))
            #expect(try box.open(sealed) == secret)
        }
    }

    @Test func thePlaintextIsNotInTheDocument() throws {
        let secret = Array(#"{"companies": {"acme": {"secretKey": "0123456789abcdef0123456789abcdef01234567"}}}"#.utf8)
        let sealed = try box.seal(secret)
        let text = String(decoding: sealed, as: UTF8.self)
        #expect(!text.contains("secretKey") && !text.contains("0123456789abcdef"))
        #expect(try box.seal(secret) != sealed, "fresh salt and IV each time")
    }

    @Test func wrongPassphraseAndAlteredBytesAreRefused() throws {
        let sealed = try box.seal(Array("s3 keys".utf8))
        #expect(throws: KeystoreError.wrongPassphrase) { try SecretBox(passphrase: "other", cost: .light).open(sealed) }
        // Flip one hex digit of the ciphertext: the MAC no longer matches.
        var object = try #require(try JSONSerialization.jsonObject(with: sealed) as? [String: Any])
        var crypto = try #require(object["crypto"] as? [String: Any])
        let ciphertext = try #require(crypto["ciphertext"] as? String)
        crypto["ciphertext"] = (ciphertext.first == "0" ? "1" : "0") + ciphertext.dropFirst()
        object["crypto"] = crypto
        #expect(throws: KeystoreError.wrongPassphrase) { try box.open(try JSONSerialization.data(withJSONObject: object)) }
    }

    @Test func plainFilesAndBadDocumentsAreNamed() throws {
        #expect(!SecretBox.isSealed(Data(#"{"companies": {}}"#.utf8)))
        #expect(!SecretBox.isSealed(Data("not json".utf8)))
        #expect(throws: KeystoreError.self) { try box.open(Data(#"{"companies": {}}"#.utf8)) }
        #expect(throws: KeystoreError.self) { try box.open(Data(#"{"mledger_secret": 2, "crypto": {}}"#.utf8)) }
    }
}
