import Foundation
import SwiftCrypto

/// What a token must satisfy besides its signature.
public struct TokenPolicy: Sendable, Equatable {
    public var issuer: String
    /// Nil: the audience is not checked (said at start-up by the caller).
    public var audience: String?
    public var mapping: ClaimMapping
    /// Allowed clock difference for `exp`, `nbf` and `iat`, in seconds.
    public var clockSkew: Double = 60
    /// Asymmetric algorithms only: `none` and every HMAC algorithm are refused, so a public key
    /// can never be used as a shared secret.
    public static let acceptedAlgorithms: Set<String> = ["RS256", "ES256", "EdDSA"]

    public init(issuer: String, audience: String?, mapping: ClaimMapping = ClaimMapping()) {
        self.issuer = issuer
        self.audience = audience
        self.mapping = mapping
    }
}

/// Verification keys by `kid`, each bound to the one algorithm its type allows.
public struct VerificationKeys: Sendable {
    public let keys: [String: VerificationKey]

    public init(keys: [String: VerificationKey]) { self.keys = keys }

    public var algorithms: [String: String] { keys.mapValues(\.algorithm) }

    /// The signing keys of a JWK set document (RS256, ES256 on P-256, EdDSA on Ed25519), each
    /// read on its own: a key of another type, an encryption key (`"use": "enc"`, which Keycloak
    /// also publishes) or a malformed one is skipped instead of failing the whole set.
    public static func from(jwksJSON data: Data) throws -> VerificationKeys {
        guard let document = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let entries = document["keys"] as? [Any] else {
            throw OIDCDiscoveryError("not a JWK set (no \"keys\" array)")
        }
        var keys: [String: VerificationKey] = [:]
        for case let fields as [String: Any] in entries {
            if let entry = VerificationKey.fromJWK(fields) { keys[entry.kid] = entry.key }
        }
        return VerificationKeys(keys: keys)
    }
}

/// Where verification keys come from: a fixed set (the dev issuer, tests) or an OIDC issuer's
/// JWKS (`OIDCKeySource`), which may refresh when a token names a `kid` it does not know.
public protocol VerificationKeySource: Sendable {
    func currentKeys() async throws -> VerificationKeys
    /// Keys after a refresh for the unknown `kid` (rate-limited by the source); nil when the
    /// source cannot or may not refresh now.
    func refreshedKeys(forUnknownKid kid: String) async -> VerificationKeys?
}

public struct FixedKeySource: VerificationKeySource {
    let keys: VerificationKeys
    public init(_ keys: VerificationKeys) { self.keys = keys }
    public func currentKeys() async throws -> VerificationKeys { keys }
    public func refreshedKeys(forUnknownKid kid: String) async -> VerificationKeys? { nil }
}

/// Verifies bearer tokens: structure, accepted algorithm, known `kid` whose key fits the
/// algorithm, signature (swift-crypto), then issuer, audience and times, and finally maps the
/// claims to a `Caller`. Every refusal names its rule.
public struct TokenVerifier: Sendable {
    public let policy: TokenPolicy
    public let keys: any VerificationKeySource
    let now: @Sendable () -> Double

    public init(policy: TokenPolicy, keys: any VerificationKeySource,
                now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.policy = policy
        self.keys = keys
        self.now = now
    }

    public func verify(_ token: String) async throws(AccessDenied) -> Caller {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw .unauthorized("malformed token (expected header.payload.signature)")
        }
        guard let headerBytes = Base64URL.decode(parts[0]),
              let header = try? JSONSerialization.jsonObject(with: Data(headerBytes)) as? [String: Any] else {
            throw .unauthorized("malformed token header")
        }
        guard let algorithm = header["alg"] as? String else { throw .unauthorized("token header has no alg") }
        guard TokenPolicy.acceptedAlgorithms.contains(algorithm) else {
            throw .unauthorized("algorithm \(algorithm) refused (accepted: RS256, ES256, EdDSA)")
        }
        guard !parts[2].isEmpty else { throw .unauthorized("token has no signature") }
        var keySet: VerificationKeys
        do { keySet = try await keys.currentKeys() } catch {
            throw AccessDenied(status: 503, reason: "issuer keys unavailable: \(error)")
        }
        let kid: String
        if let named = header["kid"] as? String {
            kid = named
        } else if keySet.keys.count == 1, let only = keySet.keys.first {
            kid = only.key  // a single-key issuer may leave kid out
        } else {
            throw .unauthorized("token header has no kid")
        }
        if keySet.keys[kid] == nil, let refreshed = await keys.refreshedKeys(forUnknownKid: kid) { keySet = refreshed }
        guard let key = keySet.keys[kid] else { throw .unauthorized("unknown signing key (kid \(kid))") }
        guard key.algorithm == algorithm else {
            throw .unauthorized("algorithm \(algorithm) does not match the \(key.algorithm) key \(kid)")
        }
        guard let signature = Base64URL.decode(parts[2]),
              key.isValidSignature(signature, for: Array(token.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count))) else {
            throw .unauthorized("signature does not verify")
        }
        guard let payload = Base64URL.decode(parts[1]), let claims = try? JSONDecoder().decode(TokenClaims.self, from: Data(payload)) else {
            throw .unauthorized("malformed token payload")
        }
        return try check(claims, token: token)
    }

    func check(_ claims: TokenClaims, token: String) throws(AccessDenied) -> Caller {
        let now = now()
        let skew = policy.clockSkew
        guard claims["iss"]?.stringValue == policy.issuer else {
            throw .unauthorized("wrong issuer (expected \(policy.issuer))")
        }
        if let audience = policy.audience {
            guard claims["aud"]?.strings.contains(audience) == true else {
                throw .unauthorized("wrong audience (expected \(audience))")
            }
        }
        guard let expires = claims["exp"]?.numberValue else { throw .unauthorized("token has no expiry (exp)") }
        guard now <= expires + skew else { throw .unauthorized("token expired") }
        if let notBefore = claims["nbf"]?.numberValue, now < notBefore - skew {
            throw .unauthorized("token not yet valid (nbf)")
        }
        if let issuedAt = claims["iat"]?.numberValue, issuedAt > now + skew {
            throw .unauthorized("token issued in the future (iat)")
        }
        return try policy.mapping.caller(from: claims, fingerprint: Self.fingerprint(token), expires: expires)
    }

    /// First 16 bytes of the token's SHA-256, hex: identifies a token in memory without keeping it.
    public static func fingerprint(_ token: String) -> String {
        SwiftCrypto.SHA256.hash(data: Array(token.utf8)).prefix(16).map { String(format: "%02x", $0) }.joined()
    }
}

/// Base64url without padding (RFC 7515 §2).
public enum Base64URL {
    public static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    public static func decode<Text: StringProtocol>(_ text: Text) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        guard !base64.contains("=") else { return nil }
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).map(Array.init)
    }
}
