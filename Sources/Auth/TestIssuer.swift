import Crypto
import CryptoExtras
import Foundation

/// An in-memory issuer with one RS256, one ES256 and one EdDSA key, for the test suites and the
/// benchmark (package access: not part of the node). Keys are generated fresh on every `make`.
package struct TestIssuer: Sendable {
    package let issuer: String
    /// The signing key of each algorithm, with its kid.
    package let signingKeys: [String: (kid: String, key: SigningKey)]
    package let jwksJSON: String
    /// The RSA public key as PEM: what an attacker would use as an HMAC secret.
    package let rsaPublicKeyPEM: String

    package var kids: [String: String] { signingKeys.mapValues(\.kid) }

    package static func make(issuer: String, kidPrefix: String = "test") throws -> TestIssuer {
        let rsa = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let keys: [String: (kid: String, key: SigningKey)] = [
            "RS256": ("\(kidPrefix)-rs256", .rs256(rsa)),
            "ES256": ("\(kidPrefix)-es256", .es256(P256.Signing.PrivateKey())),
            "EdDSA": ("\(kidPrefix)-eddsa", .edDSA(Curve25519.Signing.PrivateKey())),
        ]
        return TestIssuer(issuer: issuer, signingKeys: keys, jwksJSON: try SigningKey.jwksJSON(keys.values.sorted { $0.kid < $1.kid }),
                          rsaPublicKeyPEM: rsa.publicKey.pemRepresentation)
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
        guard let signer = signingKeys[algorithm] else { throw TestIssuerError("no \(algorithm) key") }
        return try await signer.key.sign(TokenClaims(claims), kid: signer.kid)
    }

    /// A bare swift-crypto signature check over a token-sized message, no JOSE around it (the
    /// benchmark's reference).
    package func rawSignatureCheck(_ algorithm: String) throws -> @Sendable () -> Bool {
        guard let signer = signingKeys[algorithm] else { throw TestIssuerError("no \(algorithm) key") }
        let message = Array(repeating: UInt8(ascii: "a"), count: 400)
        switch signer.key {
        case .rs256(let key):
            let signature = try key.signature(for: message, padding: .insecurePKCS1v1_5)
            let publicKey = key.publicKey
            return { publicKey.isValidSignature(signature, for: message, padding: .insecurePKCS1v1_5) }
        case .es256(let key):
            let signature = try key.signature(for: message)
            let publicKey = key.publicKey
            return { publicKey.isValidSignature(signature, for: message) }
        case .edDSA(let key):
            let signature = try key.signature(for: message)
            let publicKey = key.publicKey
            return { publicKey.isValidSignature(signature, for: message) }
        }
    }

    /// header.payload signed with HMAC-SHA256 under `secret` (the key-confusion attack).
    package static func hmacToken(header: String, claims: [String: ClaimValue], secret: [UInt8]) throws -> String {
        let input = try unsignedInput(header: header, claims: claims)
        let mac = HMAC<SHA256>.authenticationCode(for: Array(input.utf8), using: SymmetricKey(data: secret))
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
