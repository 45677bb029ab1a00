import Crypto
import CryptoExtras
import Foundation
import JWTKit

/// A private key that signs one accepted algorithm (the dev issuer, the test issuers). Kept as
/// swift-crypto's key, which the dev issuer stores raw; jwt-kit signs with a wrapper of it.
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

    /// A JWT of `claims` (JWS compact serialization) signed by jwt-kit, `kid` in its header.
    package func sign(_ claims: TokenClaims, kid: String) async throws -> String {
        let keys = JWTKeyCollection()
        let identifier = JWKIdentifier(string: kid)
        switch self {
        case .rs256(let key): await keys.add(rsa: try JWTKit.Insecure.RSA.PrivateKey(backing: key), digestAlgorithm: .sha256, kid: identifier)
        case .es256(let key): await keys.add(ecdsa: try ES256PrivateKey(backing: key), kid: identifier)
        case .edDSA(let key): await keys.add(eddsa: EdDSA.PrivateKey(backing: key), kid: identifier)
        }
        return try await keys.sign(claims, kid: identifier)
    }

    /// The public half as jwt-kit's JWK, with its kid and algorithm.
    package func publicJWK(kid: String) throws -> JWK {
        let identifier = JWKIdentifier(string: kid)
        switch self {
        case .rs256(let key):
            let primitives = try key.publicKey.getKeyPrimitives()
            return .rsa(.rs256, identifier: identifier, modulus: Base64URL.encode(primitives.modulus),
                        exponent: Base64URL.encode(primitives.publicExponent))
        case .es256(let key):
            let point = try ES256PrivateKey(backing: key).publicKey.parameters
            return .ecdsa(.es256, identifier: identifier, x: point?.x, y: point?.y, curve: .p256)
        case .edDSA(let key):
            return .octetKeyPair(.eddsa, identifier: identifier, x: Base64URL.encode(key.publicKey.rawRepresentation), y: nil,
                                 curve: .ed25519)
        }
    }

    /// A JWK set document (RFC 7517) of the public halves, as jwt-kit encodes it.
    package static func jwksJSON(_ keys: [(kid: String, key: SigningKey)]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let document = JWKS(keys: try keys.map { try $0.key.publicJWK(kid: $0.kid) })
        return String(decoding: try encoder.encode(document), as: UTF8.self)
    }
}

/// Claims as jwt-kit signs them (the dev and test issuers). jwt-kit checks no claim of
/// MLedger's tokens: `TokenVerifier` applies the issuer, audience and time rules itself, with the
/// configured skew and a reason for each refusal.
extension TokenClaims: JWTPayload {
    public func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// What `TokenVerifier` asks jwt-kit to decode after the signature check: nothing. The claims are
/// read by MLedger's own JSON reader (`TokenClaims(json:)`), several times faster than Codable
/// into `ClaimValue` (whose every failed type probe builds an error), with exact numbers.
struct ClaimsReadByMLedger: JWTPayload {
    init(from decoder: any Decoder) throws {}
    func encode(to encoder: any Encoder) throws {}
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
