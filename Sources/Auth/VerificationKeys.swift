import Foundation
import JWTKit

/// An issuer's signing keys: jwt-kit's `JWTKeyCollection` does the signature checks, and beside
/// it MLedger keeps its own record of the one algorithm each `kid` is bound to (RS256 for RSA,
/// ES256 for P-256, EdDSA for Ed25519), which `TokenVerifier` checks before jwt-kit sees a token.
///
/// That record is policy jwt-kit does not apply: it verifies with the key's own `alg` whatever
/// the token's header says, and it falls back to its first key when a token names a `kid` it
/// does not hold. MLedger refuses such tokens instead, naming the rule.
public struct VerificationKeys: Sendable {
    /// kid → "RS256", "ES256" or "EdDSA".
    public let algorithms: [String: String]
    /// The same keys in jwt-kit; each JWK carries its `alg`, so jwt-kit never takes the
    /// algorithm from a token.
    let collection: JWTKeyCollection
    /// The accepted keys as published, to derive a smaller set (`removing(kids:)`).
    let published: [JWK]

    /// The signing keys of a JWK set document, each read on its own: a key jwt-kit cannot read, a
    /// key of another type or curve, an `alg` other than the one its type allows, an encryption
    /// key (`"use": "enc"`, which Keycloak also publishes), a key without `kid` or an RSA key under
    /// 2048 bits is skipped instead of failing the whole set (jwt-kit's `add(jwks:)` stops at the
    /// first key it cannot use).
    public static func from(jwksJSON data: Data) async throws -> VerificationKeys {
        let document: PublishedKeySet
        do { document = try JSONDecoder().decode(PublishedKeySet.self, from: data) } catch {
            throw OIDCDiscoveryError("not a JWK set (no \"keys\" array)")
        }
        return await make(document.keys.compactMap { entry in entry.jwk.flatMap { acceptedSigningKey($0, use: entry.use) } })
    }

    /// The same set without `kids` (an issuer's rotation, in the suites).
    package func removing(kids: Set<String>) async -> VerificationKeys {
        await Self.make(published.filter { !kids.contains($0.keyIdentifier?.string ?? "") })
    }

    /// jwt-kit's collection of `keys`, each added on its own so that one it refuses (an RSA
    /// modulus under 2048 bits, a point off the curve) is left out alone.
    private static func make(_ keys: [JWK]) async -> VerificationKeys {
        let collection = JWTKeyCollection()
        var algorithms: [String: String] = [:]
        var published: [JWK] = []
        for jwk in keys {
            guard let kid = jwk.keyIdentifier?.string, let algorithm = jwk.algorithm?.rawValue,
                  (try? await collection.add(jwk: jwk)) != nil else { continue }
            algorithms[kid] = algorithm
            published.append(jwk)
        }
        return VerificationKeys(algorithms: algorithms, collection: collection, published: published)
    }

    /// `jwk` with its `alg` set to the one algorithm its type allows, or nil when MLedger does not
    /// verify with it.
    static func acceptedSigningKey(_ jwk: JWK, use: String?) -> JWK? {
        guard use == nil || use == "sig", let kid = jwk.keyIdentifier?.string, !kid.isEmpty else { return nil }
        let algorithm: JWK.Algorithm
        switch (jwk.keyType, jwk.curve?.rawValue) {
        case (.rsa, _): algorithm = .rs256
        case (.ecdsa, "P-256"?): algorithm = .es256
        case (.octetKeyPair, "Ed25519"?): algorithm = .eddsa
        default: return nil
        }
        if let declared = jwk.algorithm, declared != algorithm { return nil }
        var fixed = jwk
        fixed.algorithm = algorithm
        return fixed
    }
}

/// A JWK set document as published, each entry read leniently: jwt-kit's `JWK` where it can
/// read one (nil otherwise), and the `use` member, which `JWK` does not keep.
private struct PublishedKeySet: Decodable {
    struct Entry: Decodable {
        let jwk: JWK?
        let use: String?

        init(from decoder: any Decoder) throws {
            jwk = try? JWK(from: decoder)
            use = try? decoder.container(keyedBy: UseKey.self).decodeIfPresent(String.self, forKey: .use)
        }

        enum UseKey: String, CodingKey { case use }
    }

    let keys: [Entry]
}
