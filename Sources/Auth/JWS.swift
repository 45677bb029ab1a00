import CryptoExtras
import Foundation
import SwiftCrypto

/// A public key that verifies exactly one of the accepted JWS algorithms (RFC 7518):
/// RS256 (RSASSA-PKCS1-v1_5 with SHA-256), ES256 (ECDSA P-256, SHA-256, r‖s signature) and
/// EdDSA (Ed25519). The signature checks themselves are swift-crypto's (BoringSSL).
public enum VerificationKey: Sendable {
    case rs256(_RSA.Signing.PublicKey)
    case es256(P256.Signing.PublicKey)
    case edDSA(Curve25519.Signing.PublicKey)

    public var algorithm: String {
        switch self {
        case .rs256: return "RS256"
        case .es256: return "ES256"
        case .edDSA: return "EdDSA"
        }
    }

    public func isValidSignature(_ signature: [UInt8], for input: [UInt8]) -> Bool {
        switch self {
        case .rs256(let key):
            return key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: input, padding: .insecurePKCS1v1_5)
        case .es256(let key):
            guard signature.count == 64, let parsed = try? P256.Signing.ECDSASignature(rawRepresentation: signature) else { return false }
            return key.isValidSignature(parsed, for: input)
        case .edDSA(let key):
            return key.isValidSignature(signature, for: input)
        }
    }

    /// The key of one JWK (RFC 7517) object, with its kid; nil for encryption keys, keys
    /// without kid, other types or curves, an `alg` other than the one the type allows, or
    /// malformed parameters.
    static func fromJWK(_ fields: [String: Any]) -> (kid: String, key: VerificationKey)? {
        guard let kid = fields["kid"] as? String, !kid.isEmpty, (fields["use"] as? String ?? "sig") == "sig" else { return nil }
        let declared = fields["alg"] as? String
        func bytes(_ name: String) -> [UInt8]? { (fields[name] as? String).flatMap { Base64URL.decode($0) } }
        let key: VerificationKey
        switch fields["kty"] as? String {
        case "RSA":
            guard let n = bytes("n"), let e = bytes("e"), let parsed = try? _RSA.Signing.PublicKey(n: n, e: e) else { return nil }
            key = .rs256(parsed)
        case "EC":
            guard fields["crv"] as? String == "P-256", let x = bytes("x"), let y = bytes("y"), x.count == 32, y.count == 32,
                  let parsed = try? P256.Signing.PublicKey(rawRepresentation: x + y) else { return nil }
            key = .es256(parsed)
        case "OKP":
            guard fields["crv"] as? String == "Ed25519", let x = bytes("x"), x.count == 32,
                  let parsed = try? Curve25519.Signing.PublicKey(rawRepresentation: x) else { return nil }
            key = .edDSA(parsed)
        default:
            return nil
        }
        if let declared, declared != key.algorithm { return nil }
        return (kid, key)
    }
}

/// A private key that signs one accepted algorithm (the dev issuer, the test issuers).
package enum SigningKey: Sendable {
    case rs256(_RSA.Signing.PrivateKey)
    case es256(P256.Signing.PrivateKey)
    case edDSA(Curve25519.Signing.PrivateKey)

    package var algorithm: String {
        switch self {
        case .rs256: return "RS256"
        case .es256: return "ES256"
        case .edDSA: return "EdDSA"
        }
    }

    package func signature(for input: [UInt8]) throws -> [UInt8] {
        switch self {
        case .rs256(let key): return Array(try key.signature(for: input, padding: .insecurePKCS1v1_5).rawRepresentation)
        case .es256(let key): return Array(try key.signature(for: input).rawRepresentation)
        case .edDSA(let key): return Array(try key.signature(for: input))
        }
    }

    /// The public half as a JWK object's JSON text.
    package func jwkJSON(kid: String) throws -> String {
        switch self {
        case .rs256(let key):
            let primitives = try key.publicKey.getKeyPrimitives()
            return #"{"kty":"RSA","kid":"\#(kid)","use":"sig","alg":"RS256","n":"\#(Base64URL.encode(primitives.modulus))","e":"\#(Base64URL.encode(primitives.publicExponent))"}"#
        case .es256(let key):
            let raw = Array(key.publicKey.rawRepresentation)
            return #"{"kty":"EC","crv":"P-256","kid":"\#(kid)","use":"sig","alg":"ES256","x":"\#(Base64URL.encode(raw[0..<32]))","y":"\#(Base64URL.encode(raw[32..<64]))"}"#
        case .edDSA(let key):
            return #"{"kty":"OKP","crv":"Ed25519","kid":"\#(kid)","use":"sig","alg":"EdDSA","x":"\#(Base64URL.encode(key.publicKey.rawRepresentation))"}"#
        }
    }
}

/// JWS compact serialization of JWTs (RFC 7515 §7.1, RFC 7519).
public enum JWS {
    /// `header.payload.signature` for `claims`, signed by `key` under `kid`.
    package static func sign(_ claims: TokenClaims, key: SigningKey, kid: String?) throws -> String {
        var header: [String: String] = ["alg": key.algorithm, "typ": "JWT"]
        if let kid { header["kid"] = kid }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let input = Base64URL.encode(try encoder.encode(header)) + "." + Base64URL.encode(try encoder.encode(claims))
        return input + "." + Base64URL.encode(try key.signature(for: Array(input.utf8)))
    }
}
