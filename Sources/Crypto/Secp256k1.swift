import CSecp256k1
import Primitives

/// Errors from signing, verifying and recovering secp256k1 signatures.
public enum Secp256k1Error: Error, Equatable, CustomStringConvertible {
    case invalidPrivateKey
    case invalidSignature
    case invalidRecoveryId(Int)
    case recoveryFailed
    case invalidPublicKey

    public var description: String {
        switch self {
        case .invalidPrivateKey: return "private key is zero or not below the curve order"
        case .invalidSignature: return "signature values r, s are out of range"
        case .invalidRecoveryId(let v): return "recovery id \(v) is not 0 or 1"
        case .recoveryFailed: return "no public key recovers from this signature"
        case .invalidPublicKey: return "public key is not a point on the curve"
        }
    }
}

/// A recoverable ECDSA signature: r, s (32 bytes each, big-endian) and the recovery id (0 or 1).
public struct RecoverableSignature: Equatable, Sendable {
    public var r: UInt256
    public var s: UInt256
    public var recoveryId: Int

    public init(r: UInt256, s: UInt256, recoveryId: Int) { self.r = r; self.s = s; self.recoveryId = recoveryId }
}

/// secp256k1 through Debian's libsecp256k1: RFC 6979 deterministic nonces, low-s signatures.
public enum Secp256k1 {
    /// The curve order n.
    public static let order = try! UInt256(hex: "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
    /// n / 2: signatures with s above this are malleable twins (EIP-2).
    public static let halfOrder = try! UInt256(hex: "7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0")

    /// One context for the process; libsecp256k1 contexts are safe to share once created.
    nonisolated(unsafe) static let context: OpaquePointer = secp256k1_context_create(
        UInt32(SECP256K1_CONTEXT_NONE))!

    /// Signs a 32-byte message hash.
    public static func sign(hash: Hash32, privateKey: [UInt8]) throws(Secp256k1Error) -> RecoverableSignature {
        guard privateKey.count == 32, secp256k1_ec_seckey_verify(context, privateKey) == 1 else {
            throw .invalidPrivateKey
        }
        var signature = secp256k1_ecdsa_recoverable_signature()
        let message = hash.bytes
        guard secp256k1_ecdsa_sign_recoverable(context, &signature, message, privateKey, nil, nil) == 1 else {
            throw .invalidPrivateKey
        }
        var compact = [UInt8](repeating: 0, count: 64)
        var recid: Int32 = 0
        secp256k1_ecdsa_recoverable_signature_serialize_compact(context, &compact, &recid, &signature)
        return RecoverableSignature(r: try! UInt256(bigEndian: compact[0..<32]),
                                    s: try! UInt256(bigEndian: compact[32..<64]),
                                    recoveryId: Int(recid))
    }

    /// Recovers the 64-byte uncompressed public key (x ‖ y, no 0x04 prefix).
    public static func recoverPublicKey(hash: Hash32, signature: RecoverableSignature) throws(Secp256k1Error) -> [UInt8] {
        guard signature.recoveryId == 0 || signature.recoveryId == 1 else {
            throw .invalidRecoveryId(signature.recoveryId)
        }
        guard !signature.r.isZero, !signature.s.isZero, signature.r < order, signature.s < order else {
            throw .invalidSignature
        }
        var compact = signature.r.bigEndianBytes + signature.s.bigEndianBytes
        var parsed = secp256k1_ecdsa_recoverable_signature()
        guard secp256k1_ecdsa_recoverable_signature_parse_compact(
            context, &parsed, &compact, Int32(signature.recoveryId)) == 1 else { throw .invalidSignature }
        var pubkey = secp256k1_pubkey()
        guard secp256k1_ecdsa_recover(context, &pubkey, &parsed, hash.bytes) == 1 else { throw .recoveryFailed }
        var out = [UInt8](repeating: 0, count: 65)
        var length = 65
        secp256k1_ec_pubkey_serialize(context, &out, &length, &pubkey, UInt32(SECP256K1_EC_UNCOMPRESSED))
        return Array(out[1..<65])
    }

    /// Recovers the signer's address: the low 20 bytes of Keccak-256 of the public key.
    public static func recoverAddress(hash: Hash32, signature: RecoverableSignature) throws(Secp256k1Error) -> Address {
        address(ofPublicKey: try recoverPublicKey(hash: hash, signature: signature))
    }

    /// The 64-byte public key of a private key.
    public static func publicKey(privateKey: [UInt8]) throws(Secp256k1Error) -> [UInt8] {
        guard privateKey.count == 32 else { throw .invalidPrivateKey }
        var pubkey = secp256k1_pubkey()
        guard secp256k1_ec_pubkey_create(context, &pubkey, privateKey) == 1 else { throw .invalidPrivateKey }
        var out = [UInt8](repeating: 0, count: 65)
        var length = 65
        secp256k1_ec_pubkey_serialize(context, &out, &length, &pubkey, UInt32(SECP256K1_EC_UNCOMPRESSED))
        return Array(out[1..<65])
    }

    public static func address(ofPublicKey publicKey: [UInt8]) -> Address {
        Address(low20Of: Keccak256.hash(publicKey))
    }

    public static func address(ofPrivateKey privateKey: [UInt8]) throws(Secp256k1Error) -> Address {
        address(ofPublicKey: try publicKey(privateKey: privateKey))
    }
}
