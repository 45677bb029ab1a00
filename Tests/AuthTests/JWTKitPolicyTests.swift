import Auth
import Crypto
import CryptoExtras
import Foundation
import JWTKit
import Testing

/// Where jwt-kit decides differently from MLedger's policy, and what MLedger does about it: a
/// JWK set is read key by key (what cannot be used is skipped), each key bound to the one
/// algorithm its type allows; jwt-kit alone refuses `alg: none`, but accepts a re-spelled
/// signature and verifies an unknown kid with its first key, which `TokenVerifier` refuses.
@Suite struct JWTKitPolicyTests {
    static let issuerURL = "https://issuer.test/realms/mlaas"

    static func b64(_ bytes: some Sequence<UInt8>) -> String { Base64URL.encode(Array(bytes)) }

    /// The test issuer's three keys among keys MLedger must not use.
    static func crowdedKeySet(_ issuer: TestIssuer) throws -> String {
        let weakRSA = try _RSA.Signing.PrivateKey(unsafeKeySize: .init(bitCount: 1024)).publicKey.getKeyPrimitives()
        let strongRSA = try _RSA.Signing.PrivateKey(keySize: .bits2048).publicKey.getKeyPrimitives()
        let p384 = Array(P384.Signing.PrivateKey().publicKey.rawRepresentation)
        let x25519 = Curve25519.KeyAgreement.PrivateKey().publicKey.rawRepresentation
        let published = try JSONSerialization.jsonObject(with: Data(issuer.jwksJSON.utf8)) as! [String: Any]
        let others: [Any] = [
            ["kty": "RSA", "kid": "enc-rsa", "use": "enc", "alg": "RSA-OAEP", "n": b64(strongRSA.modulus), "e": b64(strongRSA.publicExponent)],
            ["kty": "RSA", "kid": "weak-rsa", "alg": "RS256", "n": b64(weakRSA.modulus), "e": b64(weakRSA.publicExponent)],
            ["kty": "RSA", "kid": "pss-rsa", "alg": "PS256", "n": b64(strongRSA.modulus), "e": b64(strongRSA.publicExponent)],
            ["kty": "RSA", "alg": "RS256", "n": b64(strongRSA.modulus), "e": b64(strongRSA.publicExponent)],  // no kid
            ["kty": "EC", "kid": "p384", "crv": "P-384", "x": b64(p384[0..<48]), "y": b64(p384[48...])],
            ["kty": "EC", "kid": "off-curve", "crv": "P-256", "x": b64([UInt8](repeating: 1, count: 32)), "y": b64([UInt8](repeating: 2, count: 32))],
            ["kty": "OKP", "kid": "x25519", "crv": "X25519", "x": b64(x25519)],
            ["kty": "oct", "kid": "shared", "k": b64(Array(issuer.rsaPublicKeyPEM.utf8))],
            "not a key",
        ]
        let document = ["keys": others + (published["keys"] as! [Any])]
        return String(decoding: try JSONSerialization.data(withJSONObject: document), as: UTF8.self)
    }

    @Test func aKeySetSkipsEveryKeyItCannotUse() async throws {
        let issuer = try TestIssuer.make(issuer: Self.issuerURL)
        let keys = try await VerificationKeys.from(jwksJSON: Data(try Self.crowdedKeySet(issuer).utf8))
        #expect(keys.algorithms == ["test-rs256": "RS256", "test-es256": "ES256", "test-eddsa": "EdDSA"])
        let verifier = TokenVerifier(policy: TokenPolicy(issuer: Self.issuerURL, audience: "mledger"), keys: FixedKeySource(keys))
        for algorithm in ["RS256", "ES256", "EdDSA"] {
            let token = try await issuer.sign(issuer.claims(company: "acme", developer: "alice"), algorithm: algorithm)
            #expect(try await verifier.verify(token).developer == "alice")
        }
        for document in ["{}", "[]", #"{"keys": 3}"#, "not json"] {
            await #expect(throws: OIDCDiscoveryError.self) { try await VerificationKeys.from(jwksJSON: Data(document.utf8)) }
        }
    }

    /// Issuers may leave `alg` out of a JWK: the key's type then decides, so an RSA key verifies
    /// RS256 only and a token calling itself PS256 or HS256 under it is refused by name.
    @Test func aKeyWithoutAlgIsBoundToItsTypesAlgorithm() async throws {
        let issuer = try TestIssuer.make(issuer: Self.issuerURL)
        let stripped = issuer.jwksJSON.replacingOccurrences(of: #""alg":"RS256","#, with: "")
            .replacingOccurrences(of: #""alg":"ES256","#, with: "").replacingOccurrences(of: #""alg":"EdDSA","#, with: "")
        #expect(!stripped.contains(#""alg""#), "\(stripped)")
        let keys = try await VerificationKeys.from(jwksJSON: Data(stripped.utf8))
        #expect(keys.algorithms == ["test-rs256": "RS256", "test-es256": "ES256", "test-eddsa": "EdDSA"])
        let verifier = TokenVerifier(policy: TokenPolicy(issuer: Self.issuerURL, audience: "mledger"), keys: FixedKeySource(keys))
        let claims = issuer.claims(company: "acme", developer: "alice")
        for algorithm in ["RS256", "ES256", "EdDSA"] {
            #expect(try await verifier.verify(try await issuer.sign(claims, algorithm: algorithm)).company == "acme")
        }
        let token = try await issuer.sign(claims, algorithm: "RS256").split(separator: ".")
        let pss = Self.b64(Array(#"{"alg":"PS256","kid":"test-rs256"}"#.utf8))
        #expect(await AuthTests.refusal(verifier, "\(pss).\(token[1]).\(token[2])") == .unauthorized("algorithm PS256 refused (accepted: RS256, ES256, EdDSA)"))
    }

    /// EdDSA (Ed25519) through jwt-kit both ways: the published JWK is an OKP key, a token signed
    /// by jwt-kit verifies, and one signed by another Ed25519 key under the same kid does not.
    @Test func eddsaRoundTrip() async throws {
        let issuer = try TestIssuer.make(issuer: Self.issuerURL)
        let document = try JSONSerialization.jsonObject(with: Data(issuer.jwksJSON.utf8)) as! [String: [[String: String]]]
        let jwk = try #require(document["keys"]?.first { $0["kid"] == "test-eddsa" })
        #expect(jwk["kty"] == "OKP" && jwk["crv"] == "Ed25519" && jwk["alg"] == "EdDSA" && jwk["d"] == nil)
        #expect(Base64URL.decode(jwk["x"] ?? "")?.count == 32)
        let verifier = TokenVerifier(policy: TokenPolicy(issuer: Self.issuerURL, audience: "mledger"),
                                     keys: FixedKeySource(try await issuer.verificationKeys()))
        let token = try await issuer.sign(issuer.claims(company: "acme", developer: "erin"), algorithm: "EdDSA")
        let header = try JSONSerialization.jsonObject(with: Data(Base64URL.decode(token.split(separator: ".")[0])!)) as! [String: String]
        #expect(header == ["alg": "EdDSA", "kid": "test-eddsa", "typ": "JWT"])
        #expect(Base64URL.decode(token.split(separator: ".")[2])?.count == 64)
        #expect(try await verifier.verify(token).developer == "erin")
        let other = try TestIssuer.make(issuer: Self.issuerURL)
        let forged = try await other.sign(issuer.claims(company: "acme", developer: "erin"), algorithm: "EdDSA")
        #expect(await AuthTests.refusal(verifier, forged) == .unauthorized("signature does not verify"))
    }

    /// jwt-kit by itself (a key collection of the same JWK set, no MLedger rule in front):
    /// `alg: none` is refused, with or without a kid, since no "none" signer is ever added.
    @Test func jwtKitAloneRefusesAlgNone() async throws {
        let issuer = try TestIssuer.make(issuer: Self.issuerURL)
        let collection = try await JWTKeyCollection().add(jwksJSON: issuer.jwksJSON)
        let claims = issuer.claims(company: "acme", developer: "mallory")
        for header in [#"{"alg":"none","typ":"JWT"}"#, #"{"alg":"none","kid":"test-rs256"}"#, #"{"alg":"none","kid":"test-eddsa"}"#] {
            let unsigned = try TestIssuer.unsignedInput(header: header, claims: claims)
            await #expect(throws: (any Error).self) { _ = try await collection.verify(unsigned + ".", as: TokenClaims.self) }
        }
        let genuine = try await issuer.sign(claims, algorithm: "ES256")
        #expect(try await collection.verify(genuine, as: TokenClaims.self)["sub"] == .string("mallory"))
    }

    /// jwt-kit by itself accepts a signature re-spelled with a spare base64url bit and verifies a
    /// token naming an unknown kid with its first key; `TokenVerifier` refuses both.
    @Test func whatJWTKitAloneAcceptsMLedgerRefuses() async throws {
        let issuer = try TestIssuer.make(issuer: Self.issuerURL)
        let collection = try await JWTKeyCollection().add(jwksJSON: issuer.jwksJSON)
        let verifier = TokenVerifier(policy: TokenPolicy(issuer: Self.issuerURL, audience: "mledger"),
                                     keys: FixedKeySource(try await issuer.verificationKeys()))
        let claims = issuer.claims(company: "acme", developer: "alice")

        let token = try await issuer.sign(claims, algorithm: "EdDSA")
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        let value = try #require(alphabet.firstIndex(of: token.last!))
        let respelled = String(token.dropLast()) + String(alphabet[value | 0b01])
        #expect(respelled != token)
        #expect(try await collection.verify(respelled, as: TokenClaims.self)["sub"] == .string("alice"))
        #expect(await AuthTests.refusal(verifier, respelled) == .unauthorized("signature does not verify"))

        // The first key of the published set is test-eddsa (kids sorted); sign with it under a made-up kid.
        let unknown = try await issuer.signingKeys["EdDSA"]!.key.sign(TokenClaims(claims), kid: "made-up")
        #expect(try await collection.verify(unknown, as: TokenClaims.self)["sub"] == .string("alice"))
        #expect(await AuthTests.refusal(verifier, unknown) == .unauthorized("unknown signing key (kid made-up)"))
    }
}
