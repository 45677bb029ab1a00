import LedgerCrypto
import Foundation
import Primitives

/// Web3 Secret Storage (keystore v3) files, readable and writable by geth and other Ethereum
/// wallets: the private key is AES-128-CTR encrypted under the first 16 bytes of a key
/// stretched from the passphrase by scrypt or PBKDF2-HMAC-SHA256, and authenticated by
/// mac = Keccak-256(derivedKey[16..<32] ‖ ciphertext).
public enum Keystore {
    /// scrypt cost for new key files.
    public struct ScryptCost: Equatable, Sendable {
        public var n: Int, r: Int, p: Int

        public init(n: Int, r: Int, p: Int) { self.n = n; self.r = r; self.p = p }

        /// The standard setting (n = 2^18, r = 8, p = 1): 256 MiB and about a second per unlock.
        public static let standard = ScryptCost(n: 262144, r: 8, p: 1)
        /// The light setting (n = 4096, r = 8, p = 6): 4 MiB, for tests and constrained devices.
        public static let light = ScryptCost(n: 4096, r: 8, p: 6)
    }

    /// A key taken out of a key file. Its textual forms never show the key bytes.
    public struct DecryptedKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
        /// The 32-byte secp256k1 private key.
        public let privateKey: [UInt8]
        /// The account address derived from the key.
        public let address: Address
        /// The file's `id` (a UUID), when it had one.
        public let id: String?

        public var description: String { "DecryptedKey(address: \(address), key: <redacted>)" }
        public var debugDescription: String { description }
        public var customMirror: Mirror { Mirror(self, children: ["address": address, "id": id as Any]) }
    }

    static let derivedKeyLength = 32

    // MARK: Decrypting

    /// Decrypts a keystore v3 JSON document with `passphrase`.
    /// Throws `.wrongPassphrase` when the MAC does not match, and a field-naming error when the
    /// document is malformed or uses a KDF or cipher outside keystore v3.
    public static func decrypt(json: Data, passphrase: String) throws(KeystoreError) -> DecryptedKey {
        let root = try KeystoreJSON(data: json)
        if root.has("version") {
            let version = try root.int("version")
            guard version == 3 else { throw .unsupportedVersion(version) }
        }
        // geth writes "crypto"; files from early wallets use "Crypto".
        let crypto = try root.has("crypto") ? root.object("crypto") : root.object("Crypto")

        let privateKey = try openCrypto(crypto, passphrase: passphrase)
        guard let address = try? Secp256k1.address(ofPrivateKey: privateKey) else { throw .invalidPrivateKey }
        if root.has("address") {
            let declared = try root.string("address")
            guard let declaredAddress = try? Address(hex: declared) else {
                throw .invalidField("address", reason: "not 20 bytes of hex")
            }
            guard declaredAddress == address else {
                throw .addressMismatch(declared: declared, derived: Hex.encode(address.bytes, prefix: false))
            }
        }
        let id = root.has("id") ? try root.string("id") : nil
        return DecryptedKey(privateKey: privateKey, address: address, id: id)
    }

    /// Reads and decrypts the key file at `url`.
    public static func decrypt(fileAt url: URL, passphrase: String) throws(KeystoreError) -> DecryptedKey {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw .fileSystem(path: url.path, reason: "cannot be read: \(error.localizedDescription)")
        }
        return try decrypt(json: data, passphrase: passphrase)
    }

    /// Runs the file's KDF over the passphrase and returns the derived key (dklen bytes, ≥ 32).
    static func deriveKey(crypto: KeystoreJSON, passphrase: [UInt8]) throws(KeystoreError) -> [UInt8] {
        let kdf = try crypto.string("kdf")
        let params = try crypto.object("kdfparams")
        let length = try params.int("dklen")
        guard length >= derivedKeyLength, length <= 1024 else {
            throw .invalidField(params.path("dklen"), reason: "must be 32...1024, got \(length)")
        }
        let salt = try params.hexBytes("salt")
        do {
            switch kdf {
            case "scrypt":
                let n = try params.int("n"), r = try params.int("r"), p = try params.int("p")
                return try Scrypt.derive(password: passphrase, salt: salt, n: n, r: r, p: p, length: length)
            case "pbkdf2":
                let prf = try params.string("prf")
                guard prf == "hmac-sha256" else { throw KeystoreError.unsupportedPRF(prf) }
                let iterations = try params.int("c")
                return try PBKDF2.sha256(password: passphrase, salt: salt, iterations: iterations, length: length)
            default:
                throw KeystoreError.unsupportedKDF(kdf)
            }
        } catch let error as KeystoreError {
            throw error
        } catch let error as OpenSSLError {
            // Parameter errors name the scrypt/PBKDF2 parameter; point at the JSON field too.
            if case .invalidParameter(_, let parameter, let reason) = error {
                throw .invalidField(params.path(parameter), reason: reason)
            }
            throw .cryptography(error)
        } catch {
            throw .cryptography(.operationFailed(algorithm: kdf, detail: "\(error)"))
        }
    }

    /// Compares two MACs without an early exit, so timing does not reveal how many bytes matched.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<a.count { difference |= a[i] ^ b[i] }
        return difference == 0
    }

    /// Checks the MAC of a `crypto` object and decrypts its ciphertext.
    static func openCrypto(_ crypto: KeystoreJSON, passphrase: String) throws(KeystoreError) -> [UInt8] {
        let cipher = try crypto.string("cipher")
        guard cipher == "aes-128-ctr" else { throw .unsupportedCipher(cipher) }
        let iv = try crypto.object("cipherparams").hexBytes("iv", count: 16)
        let ciphertext = try crypto.hexBytes("ciphertext")
        let mac = try crypto.hexBytes("mac", count: 32)

        let derived = try deriveKey(crypto: crypto, passphrase: Array(passphrase.utf8))
        let expectedMAC = Keccak256.hash(Array(derived[16..<32]) + ciphertext).bytes
        guard constantTimeEqual(expectedMAC, mac) else { throw .wrongPassphrase }
        do {
            return try AES128CTR.apply(key: Array(derived[0..<16]), iv: iv, data: ciphertext)
        } catch { throw .cryptography(error) }
    }

    /// A `crypto` object holding `plaintext` under `passphrase`: scrypt with `cost`, fresh random
    /// salt (32 bytes) and IV (16 bytes), AES-128-CTR, Keccak MAC.
    static func sealCrypto(_ plaintext: [UInt8], passphrase: String, cost: ScryptCost) throws(KeystoreError) -> JSONValue {
        let salt: [UInt8], iv: [UInt8], derived: [UInt8], ciphertext: [UInt8]
        do {
            salt = try SecureRandom.bytes(32)
            iv = try SecureRandom.bytes(16)
            derived = try Scrypt.derive(password: Array(passphrase.utf8), salt: salt,
                                        n: cost.n, r: cost.r, p: cost.p, length: derivedKeyLength)
            ciphertext = try AES128CTR.apply(key: Array(derived[0..<16]), iv: iv, data: plaintext)
        } catch { throw .cryptography(error) }
        let mac = Keccak256.hash(Array(derived[16..<32]) + ciphertext).bytes
        return [
            "cipher": "aes-128-ctr",
            "ciphertext": .string(Hex.encode(ciphertext, prefix: false)),
            "cipherparams": ["iv": .string(Hex.encode(iv, prefix: false))],
            "kdf": "scrypt",
            "kdfparams": [
                "dklen": .int(derivedKeyLength), "n": .int(cost.n), "p": .int(cost.p), "r": .int(cost.r),
                "salt": .string(Hex.encode(salt, prefix: false)),
            ],
            "mac": .string(Hex.encode(mac, prefix: false)),
        ]
    }

    // MARK: Encrypting

    /// A new keystore v3 document for `privateKey` under `passphrase`: scrypt with `cost`,
    /// fresh random salt (32 bytes) and IV (16 bytes), a random UUID as `id`, and the lower-case
    /// address without 0x, as geth writes them.
    public static func encrypt(privateKey: [UInt8], passphrase: String,
                               cost: ScryptCost = .standard) throws(KeystoreError) -> (json: Data, address: Address) {
        guard let address = try? Secp256k1.address(ofPrivateKey: privateKey) else { throw .invalidPrivateKey }
        let document: JSONValue = [
            "address": .string(Hex.encode(address.bytes, prefix: false)),
            "crypto": try sealCrypto(privateKey, passphrase: passphrase, cost: cost),
            "id": .string(UUID().uuidString.lowercased()),
            "version": 3,
        ]
        return (Data(document.serialized.utf8), address)
    }
}
