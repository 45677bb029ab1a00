import Crypto
import Foundation
import JWTKit
import Primitives

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
/// algorithm (MLedger's rules, checked first), the signature (jwt-kit, over swift-crypto), then
/// the claims (MLedger's JSON reader): issuer, audience and times, and finally maps the claims
/// to a `Caller`. Every refusal names its rule.
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
        let digest = VerifiedTokenCache.Digest(Crypto.SHA256.hash(data: Array(token.utf8)))
        if let remembered = cache.entry(for: digest) {
            guard now() <= remembered.caller.expires + policy.clockSkew else { throw .unauthorized("token expired") }
            if let current = try? await keys.currentKeys(), current.algorithms[remembered.kid] != nil { return remembered.caller }
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
        // The header is read here with MLedger's strict reader (canonical base64url, duplicate
        // members refused), so that the alg and kid checked below are the ones jwt-kit reads.
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
        switch header["kid"] {
        case .string(let named)?:
            kid = named
        case nil where keySet.algorithms.count == 1:
            kid = keySet.algorithms.first!.key  // a single-key issuer may leave kid out (jwt-kit then takes its only key)
        case nil:
            throw .unauthorized("token header has no kid")
        case _?:
            throw .unauthorized("malformed token header (kid is not a string)")
        }
        if keySet.algorithms[kid] == nil, let refreshed = await keys.refreshedKeys(forUnknownKid: kid) { keySet = refreshed }
        // jwt-kit would verify a token naming an unknown kid with its first key, and would take
        // the key's alg whatever the header says: both refused here first.
        guard let keyAlgorithm = keySet.algorithms[kid] else { throw .unauthorized("unknown signing key (kid \(kid))") }
        guard keyAlgorithm == algorithm else {
            throw .unauthorized("algorithm \(algorithm) does not match the \(keyAlgorithm) key \(kid)")
        }
        guard Base64URL.decode(Substring(parts[2])) != nil else { throw .unauthorized("signature does not verify") }
        do {
            _ = try await keySet.collection.verify(token, as: ClaimsReadByMLedger.self)
        } catch let error as JWTError where error.errorType == .malformedToken {
            throw .unauthorized("malformed token payload")
        } catch {
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
        VerifiedTokenCache.Digest(Crypto.SHA256.hash(data: Array(token.utf8))).fingerprint
    }
}
