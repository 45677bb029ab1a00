import LedgerCrypto

/// Why a keystore v3 file could not be read or written. Cases name the JSON field at fault
/// (dotted path, e.g. `crypto.kdfparams.salt`). No case ever carries a passphrase or key bytes.
public enum KeystoreError: Error, Equatable, CustomStringConvertible {
    /// The text is not a JSON object.
    case malformedJSON(reason: String)
    /// A required field is absent.
    case missingField(String)
    /// A field is present but has the wrong type, length or value.
    case invalidField(String, reason: String)
    /// `version` is not 3.
    case unsupportedVersion(Int)
    /// `crypto.kdf` names a key derivation function other than scrypt or pbkdf2.
    case unsupportedKDF(String)
    /// `crypto.kdfparams.prf` is not hmac-sha256.
    case unsupportedPRF(String)
    /// `crypto.cipher` is not aes-128-ctr.
    case unsupportedCipher(String)
    /// The MAC does not match: the passphrase is wrong (or the file was altered).
    case wrongPassphrase
    /// The decrypted bytes are not a valid secp256k1 private key.
    case invalidPrivateKey
    /// The file's `address` is not the address of the key it holds.
    case addressMismatch(declared: String, derived: String)
    /// A primitive (scrypt, PBKDF2, AES, random bytes) failed inside OpenSSL.
    case cryptography(OpenSSLError)
    /// Reading or writing a key file failed.
    case fileSystem(path: String, reason: String)

    public var description: String {
        switch self {
        case .malformedJSON(let reason): return "keystore file is not a JSON object: \(reason)"
        case .missingField(let field): return "keystore file has no '\(field)' field"
        case .invalidField(let field, let reason): return "keystore field '\(field)' is invalid: \(reason)"
        case .unsupportedVersion(let version): return "keystore version \(version) is not supported (only 3)"
        case .unsupportedKDF(let kdf): return "keystore 'crypto.kdf' \"\(kdf)\" is not supported (scrypt, pbkdf2)"
        case .unsupportedPRF(let prf): return "keystore 'crypto.kdfparams.prf' \"\(prf)\" is not supported (hmac-sha256)"
        case .unsupportedCipher(let cipher): return "keystore 'crypto.cipher' \"\(cipher)\" is not supported (aes-128-ctr)"
        case .wrongPassphrase: return "could not decrypt key with given passphrase (MAC mismatch)"
        case .invalidPrivateKey: return "decrypted key is not a valid secp256k1 private key"
        case .addressMismatch(let declared, let derived):
            return "keystore 'address' \(declared) does not match the key's address \(derived)"
        case .cryptography(let error): return "keystore cryptography failed: \(error)"
        case .fileSystem(let path, let reason): return "keystore file \(path): \(reason)"
        }
    }
}
