import Crypto
import Foundation

/// `--auth dev`: the node is its own token issuer, with one ES256 (P-256) key. It signs tokens
/// (through jwt-kit) for `mledger token issue` and publishes the public half as a JWK set, so
/// verification takes exactly the path an external OIDC issuer's tokens take. Where the key is kept (encrypted in
/// the data directory) is the caller's business; this type only holds it in memory.
public struct DevIssuer: Sendable {
    /// The `iss` of dev tokens; also their audience.
    public static let issuer = "mledger-dev"
    public static let audience = "mledger"

    public let privateKey: P256.Signing.PrivateKey
    public let kid: String

    public init(rawPrivateKey: [UInt8]) throws {
        privateKey = try P256.Signing.PrivateKey(rawRepresentation: rawPrivateKey)
        kid = Self.thumbprintKid(privateKey.publicKey)
    }

    public static func generate() -> (issuer: DevIssuer, rawPrivateKey: [UInt8]) {
        let raw = Array(P256.Signing.PrivateKey().rawRepresentation)
        // The raw representation of a fresh key always parses back.
        return (try! DevIssuer(rawPrivateKey: raw), raw)
    }

    /// The public key as `{"keys": [ ... ]}` (RFC 7517), written by jwt-kit.
    public var jwksJSON: String {
        // Encoding a valid P-256 public key as a JWK cannot fail.
        try! SigningKey.jwksJSON([(kid, .es256(privateKey))])
    }

    public func verificationKeys() async throws -> VerificationKeys {
        try await VerificationKeys.from(jwksJSON: Data(jwksJSON.utf8))
    }

    public func policy(mapping: ClaimMapping = ClaimMapping()) -> TokenPolicy {
        TokenPolicy(issuer: Self.issuer, audience: Self.audience, mapping: mapping)
    }

    /// A signed token for `developer` of `company` with `roles`, valid from now for `ttl` seconds.
    public func issue(company: String, developer: String, roles: [AccessRole], ttl: Double,
                      now: Double = Date().timeIntervalSince1970) async throws -> String {
        let issuedAt = now.rounded(.down)
        let claims = TokenClaims([
            "iss": .string(Self.issuer), "aud": .string(Self.audience), "sub": .string(developer),
            "organization": .string(company),
            "realm_access": .object(["roles": .array(roles.map { .string($0.rawValue) })]),
            "iat": .number(issuedAt), "nbf": .number(issuedAt), "exp": .number(issuedAt + ttl.rounded(.down)),
            "jti": .string(UUID().uuidString.lowercased()),
        ])
        return try await SigningKey.es256(privateKey).sign(claims, kid: kid)
    }

    /// RFC 7638 thumbprint of the public key, base64url: a kid that changes with the key.
    static func thumbprintKid(_ key: P256.Signing.PublicKey) -> String {
        let raw = Array(key.rawRepresentation)
        let canonical = #"{"crv":"P-256","kty":"EC","x":"\#(Base64URL.encode(raw[0..<32]))","y":"\#(Base64URL.encode(raw[32..<64]))"}"#
        return Base64URL.encode(Crypto.SHA256.hash(data: Array(canonical.utf8)))
    }
}
