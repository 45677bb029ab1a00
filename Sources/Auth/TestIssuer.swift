import Foundation
import JWTKit
import SwiftCrypto
import _CryptoExtras

/// An in-memory issuer with one RS256, one ES256 and one EdDSA key, for the test suites and the
/// benchmark (package access: not part of the node). Keys are generated fresh on every `make`.
package struct TestIssuer: Sendable {
    package let issuer: String
    package let signing: JWTKeyCollection
    /// kid of each algorithm's key.
    package let kids: [String: String]
    package let jwksJSON: String
    /// The RSA public key as PEM: what an attacker would use as an HMAC secret.
    package let rsaPublicKeyPEM: String
    let rsaKey: _RSA.Signing.PrivateKey
    let p256Key: P256.Signing.PrivateKey

    package static func make(issuer: String, kidPrefix: String = "test") async throws -> TestIssuer {
        let signing = JWTKeyCollection()
        var kids: [String: String] = [:]
        var jwks: [String] = []

        let rsaKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let rsa = try JWTKit.Insecure.RSA.PrivateKey(backing: rsaKey)
        let rsaKid = "\(kidPrefix)-rs256"
        await signing.add(rsa: rsa, digestAlgorithm: .sha256, kid: JWKIdentifier(string: rsaKid))
        let (modulus, exponent) = try rsa.publicKey.getKeyPrimitives()
        jwks.append(#"{"kty":"RSA","kid":"\#(rsaKid)","use":"sig","alg":"RS256","n":"\#(Base64URL.encode(modulus))","e":"\#(Base64URL.encode(exponent))"}"#)
        kids["RS256"] = rsaKid

        let p256Key = P256.Signing.PrivateKey()
        let ec = try ES256PrivateKey(backing: p256Key)
        let ecKid = "\(kidPrefix)-es256"
        await signing.add(ecdsa: ec, kid: JWKIdentifier(string: ecKid))
        guard let point = ec.publicKey.parameters else { throw TestIssuerError("no P-256 public point") }
        jwks.append(#"{"kty":"EC","crv":"P-256","kid":"\#(ecKid)","use":"sig","alg":"ES256","x":"\#(point.x)","y":"\#(point.y)"}"#)
        kids["ES256"] = ecKid

        let ed = try EdDSA.PrivateKey(curve: .ed25519)
        let edKid = "\(kidPrefix)-eddsa"
        await signing.add(eddsa: ed, kid: JWKIdentifier(string: edKid))
        jwks.append(#"{"kty":"OKP","crv":"Ed25519","kid":"\#(edKid)","use":"sig","alg":"EdDSA","x":"\#(Base64URL.encode(ed.publicKey.rawRepresentation))"}"#)
        kids["EdDSA"] = edKid

        return TestIssuer(issuer: issuer, signing: signing, kids: kids,
                          jwksJSON: #"{"keys":[\#(jwks.joined(separator: ","))]}"#, rsaPublicKeyPEM: rsa.publicKey.pemRepresentation,
                          rsaKey: rsaKey, p256Key: p256Key)
    }

    /// A bare signature check with swift-crypto, no JOSE around it (the benchmark's reference):
    /// RS256 (PKCS#1 v1.5, SHA-256) or ES256 over a token-sized message.
    package func rawSignatureCheck(_ algorithm: String) throws -> @Sendable () -> Bool {
        let message = Array(repeating: UInt8(ascii: "a"), count: 400)
        switch algorithm {
        case "RS256":
            let signature = try rsaKey.signature(for: message, padding: .insecurePKCS1v1_5)
            let publicKey = rsaKey.publicKey
            return { publicKey.isValidSignature(signature, for: message, padding: .insecurePKCS1v1_5) }
        default:
            let signature = try p256Key.signature(for: message)
            let publicKey = p256Key.publicKey
            return { publicKey.isValidSignature(signature, for: message) }
        }
    }

    package func verificationKeys() async throws -> VerificationKeys {
        try await VerificationKeys.from(jwksJSON: Data(jwksJSON.utf8))
    }

    /// Standard claims for `developer` of `company` with `roles`, valid around `now`.
    package func claims(company: String, developer: String, roles: [String] = ["mlaas-developer"], audience: String = "mledger",
                        now: Double = Date().timeIntervalSince1970, lifetime: Double = 600) -> [String: ClaimValue] {
        ["iss": .string(issuer), "aud": .string(audience), "sub": .string(developer), "organization": .string(company),
         "realm_access": .object(["roles": .array(roles.map { .string($0) })]),
         "iat": .number(now.rounded(.down)), "nbf": .number(now.rounded(.down)), "exp": .number((now + lifetime).rounded(.down))]
    }

    package func sign(_ claims: [String: ClaimValue], algorithm: String) async throws -> String {
        guard let kid = kids[algorithm] else { throw TestIssuerError("no \(algorithm) key") }
        return try await signing.sign(TokenClaims(claims), kid: JWKIdentifier(string: kid))
    }

    /// header.payload signed with HMAC-SHA256 under `secret` (the key-confusion attack).
    package static func hmacToken(header: String, claims: [String: ClaimValue], secret: [UInt8]) throws -> String {
        let input = try unsignedInput(header: header, claims: claims)
        let mac = SwiftCrypto.HMAC<SwiftCrypto.SHA256>.authenticationCode(for: Array(input.utf8), using: SymmetricKey(data: secret))
        return input + "." + Base64URL.encode(Array(mac))
    }

    package static func unsignedInput(header: String, claims: [String: ClaimValue]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(try encoder.encode(TokenClaims(claims))))
    }
}

package struct TestIssuerError: Error, CustomStringConvertible {
    package let description: String
    init(_ description: String) { self.description = description }
}
