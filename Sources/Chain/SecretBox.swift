import Foundation
import Primitives

/// Node secrets other than account keys (the per-company S3 keys, for one) sealed under the node
/// passphrase with the cipher suite of keystore v3 files: scrypt, AES-128-CTR, Keccak-256 MAC.
/// A sealed document is `{"mledger_secret": 1, "crypto": {…}}`; its plaintext is whatever bytes
/// the caller gives. Wrong passphrase or altered bytes: `.wrongPassphrase` (the MAC), never
/// garbage.
public struct SecretBox: Sendable {
    private let passphrase: String
    private let cost: Keystore.ScryptCost

    public init(passphrase: String, cost: Keystore.ScryptCost = .standard) {
        self.passphrase = passphrase
        self.cost = cost
    }

    public func seal(_ plaintext: [UInt8]) throws(KeystoreError) -> Data {
        let document: JSONValue = [
            "mledger_secret": 1,
            "crypto": try Keystore.sealCrypto(plaintext, passphrase: passphrase, cost: cost),
        ]
        return Data(document.serialized.utf8)
    }

    public func open(_ sealed: Data) throws(KeystoreError) -> [UInt8] {
        let root = try KeystoreJSON(data: sealed)
        let version = try root.int("mledger_secret")
        guard version == 1 else { throw .invalidField("mledger_secret", reason: "version \(version) is not supported (only 1)") }
        return try Keystore.openCrypto(try root.object("crypto"), passphrase: passphrase)
    }

    /// Whether `data` is a sealed document (rather than a plaintext file from an older node).
    public static func isSealed(_ data: Data) -> Bool {
        guard let value = JSONValue.parse(Array(data)), case .object(let members) = value else { return false }
        return members["mledger_secret"] != nil
    }
}
