import CSecp256k1
import Primitives

/// Errors from signing, verifying and recovering secp256k1 signatures.
public enum Secp256k1Error: Error, Equatable, CustomStringConvertible {
    case invalidPrivateKey
    case invalidSignature
    case invalidRecoveryId(Int)
    case recoveryFailed
    case invalidPublicKey
    case invalidSignatureLength(Int)

    public var description: String {
        switch self {
        case .invalidPrivateKey: return "private key is not 32 bytes, or is zero or not below the curve order"
        case .invalidSignature: return "signature values r, s must be in 1..<n (the curve order)"
        case .invalidRecoveryId(let v): return "recovery id \(v) is not 0 or 1"
        case .recoveryFailed: return "no public key recovers from this signature"
        case .invalidPublicKey: return "public key is not 33, 64 or 65 bytes encoding a point on the curve"
        case .invalidSignatureLength(let n): return "signature must be 65 bytes (r ‖ s ‖ v), got \(n)"
        }
    }
}

/// A recoverable ECDSA signature: r, s (32 bytes each, big-endian) and the recovery id (0 or 1).
public struct RecoverableSignature: Equatable, Sendable {
    public var r: UInt256
    public var s: UInt256
    public var recoveryId: Int

    public init(r: UInt256, s: UInt256, recoveryId: Int) { self.r = r; self.s = s; self.recoveryId = recoveryId }

    /// From the 65-byte form r ‖ s ‖ v with v the recovery id (0 or 1), as Clique-style
    /// header seals and `eth_sign` results store it. Ranges are checked when the signature is used.
    public init(bytes65 bytes: [UInt8]) throws(Secp256k1Error) {
        guard bytes.count == 65 else { throw .invalidSignatureLength(bytes.count) }
        let (r, s) = bytes.withUnsafeBytes { (readBigEndian256($0.baseAddress!), readBigEndian256($0.baseAddress! + 32)) }
        self.init(r: r, s: s, recoveryId: Int(bytes[64]))
    }

    /// The 65-byte form r ‖ s ‖ v.
    public var bytes65: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 65) { buffer, count in
            let base = UnsafeMutableRawPointer(buffer.baseAddress!)
            r.write(bigEndianInto: base)
            s.write(bigEndianInto: base + 32)
            buffer[64] = UInt8(truncatingIfNeeded: recoveryId)
            count = 65
        }
    }

    /// Whether s is in the lower half of the curve order, the only form EIP-2 admits in transactions.
    public var isLowS: Bool { Secp256k1.isLowS(s) }
}

/// secp256k1 through Debian's libsecp256k1: RFC 6979 deterministic nonces, low-s signatures.
/// The hot paths (recovery, verification) keep every intermediate on the stack.
public enum Secp256k1 {
    /// The curve order n.
    public static let order = UInt256(l0: 0xBFD25E8CD0364141, l1: 0xBAAEDCE6AF48A03B,
                                      l2: 0xFFFFFFFFFFFFFFFE, l3: 0xFFFFFFFFFFFFFFFF)
    /// n / 2 (rounded down): signatures with s above this are malleable twins (EIP-2).
    public static let halfOrder = UInt256(l0: 0xDFE92F46681B20A0, l1: 0x5D576E7357A4501D,
                                          l2: 0xFFFFFFFFFFFFFFFF, l3: 0x7FFFFFFFFFFFFFFF)

    /// One context for the process; libsecp256k1 contexts are safe to share once created.
    nonisolated(unsafe) static let context: OpaquePointer = secp256k1_context_create(
        UInt32(SECP256K1_CONTEXT_NONE))!

    /// Whether `s` is at most n/2 (EIP-2's low-s rule). `sign` only produces such signatures.
    public static func isLowS(_ s: UInt256) -> Bool { !(halfOrder < s) }

    /// Whether `value` is a valid signature scalar: 1 ≤ value < n.
    static func isScalarInRange(_ value: UInt256) -> Bool { !value.isZero && value < order }

    /// Signs a 32-byte message hash with RFC 6979 nonces; the result always has low s.
    public static func sign(hash: Hash32, privateKey: [UInt8]) throws(Secp256k1Error) -> RecoverableSignature {
        guard privateKey.count == 32, secp256k1_ec_seckey_verify(context, privateKey) == 1 else {
            throw .invalidPrivateKey
        }
        var signature = secp256k1_ecdsa_recoverable_signature()
        let signed = withBigEndianBytes(of: hash) { message in
            secp256k1_ecdsa_sign_recoverable(context, &signature, message, privateKey, nil, nil)
        }
        guard signed == 1 else { throw .invalidPrivateKey }
        var compact = Bytes64.zero
        var recid: Int32 = 0
        withUnsafeMutableBytes(of: &compact) { raw in
            _ = secp256k1_ecdsa_recoverable_signature_serialize_compact(
                context, raw.baseAddress!.assumingMemoryBound(to: UInt8.self), &recid, &signature)
        }
        return withUnsafeBytes(of: compact) { raw in
            RecoverableSignature(r: readBigEndian256(raw.baseAddress!), s: readBigEndian256(raw.baseAddress! + 32),
                                 recoveryId: Int(recid))
        }
    }

    /// Recovers the public key into `out` (65 bytes, 0x04 ‖ x ‖ y) without touching the heap.
    static func recover(hash: Hash32, signature: RecoverableSignature, into out: UnsafeMutablePointer<UInt8>) throws(Secp256k1Error) {
        guard signature.recoveryId == 0 || signature.recoveryId == 1 else {
            throw .invalidRecoveryId(signature.recoveryId)
        }
        guard isScalarInRange(signature.r), isScalarInRange(signature.s) else { throw .invalidSignature }
        var compact = Bytes64.zero
        withUnsafeMutableBytes(of: &compact) { raw in
            signature.r.write(bigEndianInto: raw.baseAddress!)
            signature.s.write(bigEndianInto: raw.baseAddress! + 32)
        }
        var parsed = secp256k1_ecdsa_recoverable_signature()
        let parsedOK = withUnsafeBytes(of: compact) { raw in
            secp256k1_ecdsa_recoverable_signature_parse_compact(
                context, &parsed, raw.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(signature.recoveryId))
        }
        guard parsedOK == 1 else { throw .invalidSignature }
        var pubkey = secp256k1_pubkey()
        let recovered = withBigEndianBytes(of: hash) { message in
            secp256k1_ecdsa_recover(context, &pubkey, &parsed, message)
        }
        guard recovered == 1 else { throw .recoveryFailed }
        var length = 65
        _ = secp256k1_ec_pubkey_serialize(context, out, &length, &pubkey, UInt32(SECP256K1_EC_UNCOMPRESSED))
    }

    /// Recovers the 64-byte uncompressed public key (x ‖ y, no 0x04 prefix).
    public static func recoverPublicKey(hash: Hash32, signature: RecoverableSignature) throws(Secp256k1Error) -> [UInt8] {
        var serialized = Bytes65.zero
        try withUnsafeMutableBytes(of: &serialized) { (raw) throws(Secp256k1Error) in
            try recover(hash: hash, signature: signature, into: raw.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        return withUnsafeBytes(of: serialized) { Array($0[1..<65]) }
    }

    /// Recovers the signer's address: the low 20 bytes of Keccak-256 of the public key.
    /// Allocation-free: the key is serialised and hashed on the stack.
    public static func recoverAddress(hash: Hash32, signature: RecoverableSignature) throws(Secp256k1Error) -> Address {
        var serialized = Bytes65.zero
        try withUnsafeMutableBytes(of: &serialized) { (raw) throws(Secp256k1Error) in
            try recover(hash: hash, signature: signature, into: raw.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        let digest = withUnsafeBytes(of: serialized) { raw in
            Keccak256.hash(UnsafeRawBufferPointer(rebasing: raw[1..<65]))
        }
        return Address(low20Of: digest)
    }

    /// Verifies an ECDSA signature (r, s) over `hash` against `publicKey` (64 bytes x ‖ y,
    /// 65 bytes 0x04 ‖ x ‖ y, or 33 bytes compressed). High-s signatures are rejected unless
    /// `allowHighS` is set (EIP-2 forbids them in transactions; ECRECOVER accepts them).
    /// Returns false when the signature does not match; throws when an input is malformed
    /// (key not on the curve, r or s outside 1..<n).
    public static func verify(hash: Hash32, r: UInt256, s: UInt256, publicKey: [UInt8],
                              allowHighS: Bool = false) throws(Secp256k1Error) -> Bool {
        guard isScalarInRange(r), isScalarInRange(s) else { throw .invalidSignature }
        var pubkey = try parsePublicKey(publicKey)
        var compact = Bytes64.zero
        withUnsafeMutableBytes(of: &compact) { raw in
            r.write(bigEndianInto: raw.baseAddress!)
            s.write(bigEndianInto: raw.baseAddress! + 32)
        }
        var parsed = secp256k1_ecdsa_signature()
        let parsedOK = withUnsafeBytes(of: compact) { raw in
            secp256k1_ecdsa_signature_parse_compact(context, &parsed, raw.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        guard parsedOK == 1 else { throw .invalidSignature }
        if !isLowS(s) {
            guard allowHighS else { return false }
            var normalized = secp256k1_ecdsa_signature()
            _ = secp256k1_ecdsa_signature_normalize(context, &normalized, &parsed)
            parsed = normalized
        }
        return withBigEndianBytes(of: hash) { message in
            secp256k1_ecdsa_verify(context, &parsed, message, &pubkey) == 1
        }
    }

    /// Verifies a recoverable signature's (r, s) over `hash` against `publicKey`; the recovery
    /// id plays no part. See `verify(hash:r:s:publicKey:allowHighS:)`.
    public static func verify(hash: Hash32, signature: RecoverableSignature, publicKey: [UInt8],
                              allowHighS: Bool = false) throws(Secp256k1Error) -> Bool {
        try verify(hash: hash, r: signature.r, s: signature.s, publicKey: publicKey, allowHighS: allowHighS)
    }

    /// Parses a 33-, 64- or 65-byte public key; the 64-byte form gets its 0x04 prefix back.
    static func parsePublicKey(_ bytes: [UInt8]) throws(Secp256k1Error) -> secp256k1_pubkey {
        var pubkey = secp256k1_pubkey()
        let parsed: Int32
        switch bytes.count {
        case 64: parsed = secp256k1_ec_pubkey_parse(context, &pubkey, [0x04] + bytes, 65)
        case 33, 65: parsed = secp256k1_ec_pubkey_parse(context, &pubkey, bytes, bytes.count)
        default: throw .invalidPublicKey
        }
        guard parsed == 1 else { throw .invalidPublicKey }
        return pubkey
    }

    /// The 64-byte public key of a private key.
    public static func publicKey(privateKey: [UInt8]) throws(Secp256k1Error) -> [UInt8] {
        guard privateKey.count == 32 else { throw .invalidPrivateKey }
        var pubkey = secp256k1_pubkey()
        guard secp256k1_ec_pubkey_create(context, &pubkey, privateKey) == 1 else { throw .invalidPrivateKey }
        var out = [UInt8](repeating: 0, count: 65)
        var length = 65
        _ = secp256k1_ec_pubkey_serialize(context, &out, &length, &pubkey, UInt32(SECP256K1_EC_UNCOMPRESSED))
        return Array(out[1..<65])
    }

    /// The address of a 64-byte public key (x ‖ y): the low 20 bytes of its Keccak-256.
    public static func address(ofPublicKey publicKey: [UInt8]) -> Address {
        Address(low20Of: Keccak256.hash(publicKey))
    }

    /// The address that signs with `privateKey`.
    public static func address(ofPrivateKey privateKey: [UInt8]) throws(Secp256k1Error) -> Address {
        address(ofPublicKey: try publicKey(privateKey: privateKey))
    }
}

/// 64 and 65 bytes of stack storage for compact signatures and serialised public keys.
enum Bytes64 {
    typealias Storage = (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
    static var zero: Storage { (0, 0, 0, 0, 0, 0, 0, 0) }
}

enum Bytes65 {
    typealias Storage = (Bytes64.Storage, UInt8)
    static var zero: Storage { (Bytes64.zero, 0) }
}

/// Runs `body` over the 32 big-endian bytes of `hash`, kept on the stack.
@inline(__always)
func withBigEndianBytes<R>(of hash: Hash32, _ body: (UnsafePointer<UInt8>) -> R) -> R {
    let words = (hash.w0.bigEndian, hash.w1.bigEndian, hash.w2.bigEndian, hash.w3.bigEndian)
    return withUnsafeBytes(of: words) { body($0.baseAddress!.assumingMemoryBound(to: UInt8.self)) }
}

/// Reads a 256-bit big-endian integer from 32 bytes at `p`.
@inline(__always)
func readBigEndian256(_ p: UnsafeRawPointer) -> UInt256 {
    UInt256(l0: UInt64(bigEndian: p.loadUnaligned(fromByteOffset: 24, as: UInt64.self)),
            l1: UInt64(bigEndian: p.loadUnaligned(fromByteOffset: 16, as: UInt64.self)),
            l2: UInt64(bigEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
            l3: UInt64(bigEndian: p.loadUnaligned(fromByteOffset: 0, as: UInt64.self)))
}
