import Foundation
import Primitives
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
///
/// A token that passed is remembered (`VerifiedTokenCache`, by its SHA-256) until it expires:
/// clients send the same token with every request, and a repeat costs a hash and a lookup
/// instead of a signature check and two JSON parses. A repeat still fails once the token
/// expires or its `kid` leaves the issuer's key set.
public struct TokenVerifier: Sendable {
    public let policy: TokenPolicy
    public let keys: any VerificationKeySource
    let now: @Sendable () -> Double
    let cache: VerifiedTokenCache

    /// `cacheCapacity` 0 turns the cache off (every request pays the full verification).
    public init(policy: TokenPolicy, keys: any VerificationKeySource, cacheCapacity: Int = 10_000,
                now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.policy = policy
        self.keys = keys
        self.now = now
        self.cache = VerifiedTokenCache(capacity: cacheCapacity)
    }

    public func verify(_ token: String) async throws(AccessDenied) -> Caller {
        let digest = VerifiedTokenCache.Digest(SwiftCrypto.SHA256.hash(data: Array(token.utf8)))
        if let remembered = cache.entry(for: digest) {
            guard now() <= remembered.caller.expires + policy.clockSkew else { throw .unauthorized("token expired") }
            if let current = try? await keys.currentKeys(), current.keys[remembered.kid] != nil { return remembered.caller }
            cache.forget(digest)  // the key left the issuer's set: verify from scratch (and fail)
        }
        let (caller, kid) = try await verifyFully(token, fingerprint: digest.fingerprint)
        cache.remember(digest, caller: caller, kid: kid, now: now())
        return caller
    }

    private func verifyFully(_ token: String, fingerprint: String) async throws(AccessDenied) -> (Caller, String) {
        let parts = token.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw .unauthorized("malformed token (expected header.payload.signature)")
        }
        guard let headerBytes = Base64URL.decode(Substring(parts[0])),
              case .object(let header)? = JSONValue.parse(headerBytes) else {
            throw .unauthorized("malformed token header")
        }
        guard let algorithm = header["alg"]?.stringValue else { throw .unauthorized("token header has no alg") }
        guard TokenPolicy.acceptedAlgorithms.contains(algorithm) else {
            throw .unauthorized("algorithm \(algorithm) refused (accepted: RS256, ES256, EdDSA)")
        }
        guard !parts[2].isEmpty else { throw .unauthorized("token has no signature") }
        var keySet: VerificationKeys
        do { keySet = try await keys.currentKeys() } catch {
            throw AccessDenied(status: 503, reason: "issuer keys unavailable: \(error)")
        }
        let kid: String
        if let named = header["kid"]?.stringValue {
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
        guard let signature = Base64URL.decode(Substring(parts[2])),
              key.isValidSignature(signature, for: Array(token.utf8[..<parts[1].endIndex])) else {
            throw .unauthorized("signature does not verify")
        }
        guard let payload = Base64URL.decode(Substring(parts[1])), let claims = TokenClaims(json: payload) else {
            throw .unauthorized("malformed token payload")
        }
        return (try check(claims, fingerprint: fingerprint), kid)
    }

    func check(_ claims: TokenClaims, fingerprint: String) throws(AccessDenied) -> Caller {
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
        return try policy.mapping.caller(from: claims, fingerprint: fingerprint, expires: expires)
    }

    /// First 16 bytes of the token's SHA-256, hex: identifies a token in memory without keeping it.
    public static func fingerprint(_ token: String) -> String {
        VerifiedTokenCache.Digest(SwiftCrypto.SHA256.hash(data: Array(token.utf8))).fingerprint
    }
}

/// Base64url without padding (RFC 7515 §2).
public enum Base64URL {
    public static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Decodes unpadded base64url; nil for padding, a character outside the alphabet, a length
    /// that no byte string has (4k + 1), or non-zero bits left over in the last character (so
    /// every byte string has exactly one accepted spelling). Runs over the UTF-8 bytes directly:
    /// it is on the path of every authenticated request.
    public static func decode<Text: StringProtocol>(_ text: Text) -> [UInt8]? {
        let utf8 = text.utf8
        let count = utf8.count
        guard count % 4 != 1 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for character in utf8 {
            let value = alphabetValue[Int(character)]
            guard value != 0xFF else { return nil }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                accumulator &= (1 << UInt32(bits)) - 1
            }
        }
        guard accumulator == 0 else { return nil }
        return out
    }

    /// 6-bit value of each byte of the base64url alphabet; 0xFF for every other byte.
    private static let alphabetValue: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, character) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8.enumerated() {
            table[Int(character)] = UInt8(index)
        }
        return table
    }()
}
