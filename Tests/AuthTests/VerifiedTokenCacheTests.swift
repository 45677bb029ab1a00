import Auth
import Foundation
import NIOConcurrencyHelpers
import Testing

/// The verified-token cache never answers differently from a full verification: expiry and the
/// key set are re-checked on every hit, refusals are never remembered, and a token re-spelled
/// with spare base64url bits is not the same token.
@Suite struct VerifiedTokenCacheTests {
    static let issuerURL = "https://issuer.test/realms/mlaas"

    /// A key set that can lose keys mid-test, as an OIDC issuer's does when it rotates.
    final class RotatingKeys: VerificationKeySource {
        let keys: NIOLockedValueBox<VerificationKeys>
        init(_ keys: VerificationKeys) { self.keys = NIOLockedValueBox(keys) }
        func currentKeys() async throws -> VerificationKeys { keys.withLockedValue { $0 } }
        func refreshedKeys(forUnknownKid kid: String) async -> VerificationKeys? { nil }
        func drop(algorithm: String) async {
            let current = keys.withLockedValue { $0 }
            let reduced = await current.removing(kids: Set(current.algorithms.filter { $0.value == algorithm }.keys))
            keys.withLockedValue { $0 = reduced }
        }
    }

    @Test(arguments: ["RS256", "ES256", "EdDSA"])
    func aRememberedTokenStillExpires(_ algorithm: String) async throws {
        let issuer = try TestIssuer.make(issuer: Self.issuerURL)
        let start = Date().timeIntervalSince1970
        let clock = NIOLockedValueBox(start)
        let verifier = TokenVerifier(policy: TokenPolicy(issuer: Self.issuerURL, audience: "mledger"),
                                     keys: FixedKeySource(try await issuer.verificationKeys()), now: { clock.withLockedValue { $0 } })
        var claims = issuer.claims(company: "acme", developer: "alice", now: start)
        claims["exp"] = .number(start + 100)
        let token = try await issuer.sign(claims, algorithm: algorithm)
        #expect(try await verifier.verify(token).company == "acme")
        #expect(try await verifier.verify(token).company == "acme")  // from the cache
        clock.withLockedValue { $0 = start + 159 }  // within the 60 s skew
        #expect(try await verifier.verify(token).developer == "alice")
        clock.withLockedValue { $0 = start + 161 }
        #expect(await AuthTests.refusal(verifier, token)?.reason == "token expired")
    }

    @Test func aRememberedTokenFailsOnceItsKeyLeavesTheSet() async throws {
        let issuer = try TestIssuer.make(issuer: Self.issuerURL)
        let keys = RotatingKeys(try await issuer.verificationKeys())
        let verifier = TokenVerifier(policy: TokenPolicy(issuer: Self.issuerURL, audience: "mledger"), keys: keys)
        let token = try await issuer.sign(issuer.claims(company: "acme", developer: "alice"), algorithm: "ES256")
        let other = try await issuer.sign(issuer.claims(company: "acme", developer: "bob"), algorithm: "RS256")
        #expect(try await verifier.verify(token).developer == "alice")
        #expect(try await verifier.verify(other).developer == "bob")
        await keys.drop(algorithm: "ES256")
        let refusal = await AuthTests.refusal(verifier, token)
        #expect(refusal?.status == 401)
        #expect(refusal?.reason.hasPrefix("unknown signing key") == true)
        #expect(try await verifier.verify(other).developer == "bob")
    }

    @Test func refusalsAreNeverRemembered() async throws {
        let issuer = try TestIssuer.make(issuer: Self.issuerURL)
        let verifier = TokenVerifier(policy: TokenPolicy(issuer: Self.issuerURL, audience: "mledger"),
                                     keys: FixedKeySource(try await issuer.verificationKeys()))
        let token = try await issuer.sign(issuer.claims(company: "acme", developer: "alice"), algorithm: "RS256")
        let parts = token.split(separator: ".")
        let edited = parts[0] + "." + Base64URL.encode(Array(#"{"iss":"\#(Self.issuerURL)","sub":"mallory"}"#.utf8)) + "." + parts[2]
        for _ in 0..<3 {
            #expect(await AuthTests.refusal(verifier, String(edited))?.reason == "signature does not verify")
        }
        #expect(try await verifier.verify(token).developer == "alice")
        #expect(await AuthTests.refusal(verifier, String(edited))?.reason == "signature does not verify")
    }

    /// An Ed25519 signature is 64 bytes: 86 characters whose last carries 2 spare bits. Setting
    /// one gives another spelling of the same bytes, which a lenient decoder would accept.
    @Test func aSignatureSpelledWithSpareBitsIsRefused() async throws {
        let issuer = try TestIssuer.make(issuer: Self.issuerURL)
        let verifier = TokenVerifier(policy: TokenPolicy(issuer: Self.issuerURL, audience: "mledger"),
                                     keys: FixedKeySource(try await issuer.verificationKeys()))
        let token = try await issuer.sign(issuer.claims(company: "acme", developer: "alice"), algorithm: "EdDSA")
        #expect(try await verifier.verify(token).developer == "alice")
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        let last = token.last!
        let value = alphabet.firstIndex(of: last)!
        #expect(value & 0b11 == 0)
        let respelled = String(token.dropLast()) + String(alphabet[value | 0b01])
        #expect(await AuthTests.refusal(verifier, respelled)?.reason == "signature does not verify")
    }

    @Test func aFullTableStillAnswersEveryToken() async throws {
        let issuer = try TestIssuer.make(issuer: Self.issuerURL)
        let verifier = TokenVerifier(policy: TokenPolicy(issuer: Self.issuerURL, audience: "mledger"),
                                     keys: FixedKeySource(try await issuer.verificationKeys()), cacheCapacity: 2)
        let developers = (0..<7).map { "dev-\($0)" }
        var tokens: [String] = []
        for developer in developers { tokens.append(try await issuer.sign(issuer.claims(company: "acme", developer: developer), algorithm: "ES256")) }
        for _ in 0..<2 {
            for (token, developer) in zip(tokens, developers) {
                #expect(try await verifier.verify(token).developer == developer)
            }
        }
    }

    @Test func base64URLDecodingIsCanonical() {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<70 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let text = Base64URL.encode(bytes)
            #expect(Base64URL.decode(text) == bytes)
            #expect(Base64URL.decode(text + "=") == nil)
        }
        #expect(Base64URL.decode("A") == nil)  // 4k + 1 characters spell no byte string
        #expect(Base64URL.decode("AB") == nil)  // spare bits set
        #expect(Base64URL.decode("AA") == [0])
        #expect(Base64URL.decode("a+b/") == nil)  // base64, not base64url
        #expect(Base64URL.decode("ab c") == nil)
    }
}
