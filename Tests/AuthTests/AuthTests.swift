import Auth
import Foundation
import Testing

/// Token verification matrix: keys generated here, every forgery refused with its rule named,
/// the three accepted algorithms mapped to the caller.
@Suite struct AuthTests {
    static let issuerURL = "https://issuer.test/realms/mlaas"

    struct Fixture {
        let issuer: TestIssuer
        let verifier: TokenVerifier
        let now: Double

        /// The refusal of a token signed with `claims` by the issuer's `algorithm` key; nil if accepted.
        func refusal(_ claims: [String: ClaimValue], _ algorithm: String) async throws -> AccessDenied? {
            let token = try await issuer.sign(claims, algorithm: algorithm)
            return await AuthTests.refusal(verifier, token)
        }
    }

    static func fixture(audience: String? = "mledger", now: Double = Date().timeIntervalSince1970) async throws -> Fixture {
        let issuer = try TestIssuer.make(issuer: issuerURL)
        let keys = FixedKeySource(try await issuer.verificationKeys())
        let verifier = TokenVerifier(policy: TokenPolicy(issuer: issuerURL, audience: audience), keys: keys, now: { now })
        return Fixture(issuer: issuer, verifier: verifier, now: now)
    }

    static func refusal(_ verifier: TokenVerifier, _ token: String) async -> AccessDenied? {
        do { _ = try await verifier.verify(token); return nil } catch { return error }
    }

    @Test(arguments: ["RS256", "ES256", "EdDSA"])
    func acceptedAlgorithms(_ algorithm: String) async throws {
        let f = try await Self.fixture()
        let token = try await f.issuer.sign(f.issuer.claims(company: "acme", developer: "alice", now: f.now), algorithm: algorithm)
        let caller = try await f.verifier.verify(token)
        #expect(caller.company == "acme")
        #expect(caller.developer == "alice")
        #expect(caller.roles == [.developer])
        #expect(caller.canWrite)
        #expect(caller.tokenFingerprint.count == 32 && !token.contains(caller.tokenFingerprint))
    }

    @Test func expiredAndNotYetValidRespectTheSkew() async throws {
        let f = try await Self.fixture()
        var claims = f.issuer.claims(company: "acme", developer: "alice", now: f.now)
        claims["exp"] = .number(f.now - 61)
        #expect(try await f.refusal(claims, "ES256")?.reason == "token expired")
        claims["exp"] = .number(f.now - 59)  // within the 60 s skew
        #expect(try await f.refusal(claims, "ES256") == nil)

        claims = f.issuer.claims(company: "acme", developer: "alice", now: f.now)
        claims["nbf"] = .number(f.now + 3_600)
        #expect(try await f.refusal(claims, "RS256")?.reason == "token not yet valid (nbf)")
        claims["nbf"] = .number(f.now + 30)
        #expect(try await f.refusal(claims, "RS256") == nil)

        claims = f.issuer.claims(company: "acme", developer: "alice", now: f.now)
        claims["iat"] = .number(f.now + 3_600)
        #expect(try await f.refusal(claims, "EdDSA")?.reason == "token issued in the future (iat)")
        claims = f.issuer.claims(company: "acme", developer: "alice", now: f.now)
        claims["exp"] = nil
        #expect(try await f.refusal(claims, "EdDSA")?.reason == "token has no expiry (exp)")
    }

    @Test(arguments: ["RS256", "ES256", "EdDSA"])
    func forgedSignatureUnderTheSameKid(_ algorithm: String) async throws {
        let f = try await Self.fixture()
        // Another issuer's key with the same kid names: right shape, wrong key.
        let forger = try TestIssuer.make(issuer: Self.issuerURL)
        let token = try await forger.sign(f.issuer.claims(company: "acme", developer: "mallory", now: f.now), algorithm: algorithm)
        #expect(await Self.refusal(f.verifier, token) == .unauthorized("signature does not verify"))
    }

    @Test func algNoneRefused() async throws {
        let f = try await Self.fixture()
        let claims = f.issuer.claims(company: "acme", developer: "mallory", now: f.now)
        for header in [#"{"alg":"none","typ":"JWT"}"#, #"{"alg":"none","kid":"test-rs256"}"#, #"{"alg":"None","kid":"test-rs256"}"#] {
            let unsigned = try TestIssuer.unsignedInput(header: header, claims: claims)
            let denied = await Self.refusal(f.verifier, unsigned + ".")
            #expect(denied?.status == 401)
            #expect(denied?.reason.contains("refused") == true, "\(String(describing: denied))")
        }
    }

    @Test func hs256WithThePublicKeyAsSecretRefused() async throws {
        let f = try await Self.fixture()
        let claims = f.issuer.claims(company: "acme", developer: "mallory", now: f.now)
        for alg in ["HS256", "HS384", "HS512"] {
            let token = try TestIssuer.hmacToken(header: #"{"alg":"\#(alg)","kid":"test-rs256","typ":"JWT"}"#, claims: claims,
                                                 secret: Array(f.issuer.rsaPublicKeyPEM.utf8))
            #expect(await Self.refusal(f.verifier, token) == .unauthorized("algorithm \(alg) refused (accepted: RS256, ES256, EdDSA)"))
        }
    }

    @Test func algorithmMustMatchTheKeysType() async throws {
        let f = try await Self.fixture()
        // An ES256 signature presented as the RSA key's: refused before any signature check.
        let token = try await f.issuer.sign(f.issuer.claims(company: "acme", developer: "alice", now: f.now), algorithm: "ES256")
        let parts = token.split(separator: ".")
        let header = Base64URL.encode(Array(#"{"alg":"ES256","kid":"test-rs256"}"#.utf8))
        #expect(await Self.refusal(f.verifier, "\(header).\(parts[1]).\(parts[2])") == .unauthorized("algorithm ES256 does not match the RS256 key test-rs256"))
    }

    @Test func wrongIssuerAndWrongAudience() async throws {
        let f = try await Self.fixture()
        var claims = f.issuer.claims(company: "acme", developer: "alice", now: f.now)
        claims["iss"] = .string("https://evil.test/realms/mlaas")
        #expect(try await f.refusal(claims, "RS256")?.reason.hasPrefix("wrong issuer") == true)
        claims = f.issuer.claims(company: "acme", developer: "alice", audience: "someone-else", now: f.now)
        #expect(try await f.refusal(claims, "RS256")?.reason.hasPrefix("wrong audience") == true)
        claims["aud"] = .array([.string("account"), .string("mledger")])  // Keycloak's audience lists
        #expect(try await f.refusal(claims, "RS256") == nil)
    }

    @Test(arguments: ["RS256", "ES256", "EdDSA"])
    func payloadEditedAfterSigning(_ algorithm: String) async throws {
        let f = try await Self.fixture()
        let token = try await f.issuer.sign(f.issuer.claims(company: "acme", developer: "alice", now: f.now), algorithm: algorithm)
        let parts = token.split(separator: ".")
        let edited = try TestIssuer.unsignedInput(header: "{}", claims: f.issuer.claims(company: "globex", developer: "alice", now: f.now))
            .split(separator: ".")[1]
        #expect(await Self.refusal(f.verifier, "\(parts[0]).\(edited).\(parts[2])") == .unauthorized("signature does not verify"))
    }

    @Test func unknownKidRefused() async throws {
        let f = try await Self.fixture()
        let stranger = try TestIssuer.make(issuer: Self.issuerURL, kidPrefix: "stranger")
        let token = try await stranger.sign(f.issuer.claims(company: "acme", developer: "alice", now: f.now), algorithm: "ES256")
        #expect(await Self.refusal(f.verifier, token) == .unauthorized("unknown signing key (kid stranger-es256)"))
    }

    @Test func malformedTokens() async throws {
        let f = try await Self.fixture()
        for token in ["", "abc", "a.b", "a.b.c.d", "!!!.???.***", "e30.e30."] {
            #expect(await Self.refusal(f.verifier, token)?.status == 401, "\(token)")
        }
    }

    @Test func keycloakClaims() async throws {
        let f = try await Self.fixture()
        var claims = f.issuer.claims(company: "acme", developer: "alice", roles: ["offline_access", "mlaas-auditor"], now: f.now)
        var caller = try await f.verifier.verify(try await f.issuer.sign(claims, algorithm: "RS256"))
        #expect(caller.roles == [.auditor] && !caller.canWrite)

        claims["organization"] = nil
        claims["groups"] = .array([.string("/staff"), .string("/companies/acme")])
        caller = try await f.verifier.verify(try await f.issuer.sign(claims, algorithm: "RS256"))
        #expect(caller.company == "acme")

        claims["groups"] = .array([.string("/companies/acme"), .string("/companies/globex")])
        #expect(try await f.refusal(claims, "RS256") == .forbidden("token names 2 companies; one is required"))

        claims["groups"] = nil
        #expect(try await f.refusal(claims, "RS256")?.status == 403)

        claims["organization"] = .object(["acme": .object(["id": .string("42")])])  // Keycloak 26 organization claim
        claims["realm_access"] = .object(["roles": .array([.string("offline_access")])])
        #expect(try await f.refusal(claims, "RS256")?.reason.hasPrefix("token carries no MLedger role") == true)
        claims["realm_access"] = .object(["roles": .array([.string("mlaas-admin")])])
        caller = try await f.verifier.verify(try await f.issuer.sign(claims, algorithm: "RS256"))
        #expect(caller.company == "acme" && caller.roles == [.admin] && caller.canWrite)

        // A configured claim.
        let tenantVerifier = TokenVerifier(policy: TokenPolicy(issuer: Self.issuerURL, audience: "mledger", mapping: ClaimMapping(companyClaim: "tenant")),
                                           keys: FixedKeySource(try await f.issuer.verificationKeys()), now: { f.now })
        claims["tenant"] = .string("initech")
        caller = try await tenantVerifier.verify(try await f.issuer.sign(claims, algorithm: "RS256"))
        #expect(caller.company == "initech")
    }

    @Test func devIssuerRoundTrip() async throws {
        let (issuer, raw) = DevIssuer.generate()
        let reopened = try DevIssuer(rawPrivateKey: raw)
        #expect(reopened.kid == issuer.kid)
        let verifier = TokenVerifier(policy: reopened.policy(), keys: FixedKeySource(try await reopened.verificationKeys()))
        let token = try await issuer.issue(company: "acme", developer: "bob", roles: [.auditor], ttl: 3_600)
        let caller = try await verifier.verify(token)
        #expect(caller.company == "acme" && caller.developer == "bob" && caller.roles == [.auditor])
        #expect(issuer.jwksJSON.contains(#""kid":"\#(issuer.kid)""#) && !issuer.jwksJSON.contains(#""d":"#))
        let expired = try await issuer.issue(company: "acme", developer: "bob", roles: [.developer], ttl: 1,
                                             now: Date().timeIntervalSince1970 - 3_600)
        #expect(await Self.refusal(verifier, expired)?.reason == "token expired")
    }
}

@Suite struct AccessSupportTests {
    @Test func rateLimiterRefillsAndNamesTheWait() {
        let clock = Clock()
        let limiter = RateLimiter(ratePerSecond: 5, now: { clock.now })
        for _ in 0..<5 { #expect(limiter.admit("token-a") == nil) }
        let wait = limiter.admit("token-a")
        #expect(wait != nil && wait! > 0 && wait! <= 0.2 + 1e-9)
        #expect(limiter.admit("token-b") == nil)  // per token
        clock.now += 0.2
        #expect(limiter.admit("token-a") == nil)
        #expect(limiter.admit("token-a") != nil)
        #expect(RateLimiter.parseRate("50/s") == 50 && RateLimiter.parseRate("120/m") == 2 && RateLimiter.parseRate("7") == 7)
        #expect(RateLimiter.parseRate("0/s") == nil && RateLimiter.parseRate("5/h") == nil && RateLimiter.parseRate("x") == nil)
    }

    final class Clock: @unchecked Sendable { var now: Double = 1_000 }

    @Test func auditLineIsOneJSONObjectWithTheFields() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let log = try AuditLog(logger: .init(label: "audit-test"), filePath: path)
        log.record(AuditEvent(developer: "alice", company: "acme", method: "POST", route: "/model", resource: "/model", status: 201, reason: nil))
        log.record(AuditEvent(developer: nil, company: nil, method: "GET", route: "/models", resource: "/models", status: 401, reason: "token expired"))
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        let second = try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any]
        #expect(second?["outcome"] as? String == "refused" && second?["reason"] as? String == "token expired")
        let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any]
        #expect(first?["outcome"] as? String == "ok" && first?["company"] as? String == "acme" && first?["time"] != nil)
        var info = stat()
        let found = stat(path, &info) == 0
        let mode = info.st_mode
        #expect(found && mode & 0o077 == 0)
    }

    @Test func worldReadableSecretsAreNamed() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("secrets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let privateFile = directory.appendingPathComponent("key.json").path
        let exposedFile = directory.appendingPathComponent("other.json").path
        FileManager.default.createFile(atPath: privateFile, contents: Data("{}".utf8), attributes: [.posixPermissions: 0o600])
        FileManager.default.createFile(atPath: exposedFile, contents: Data("{}".utf8), attributes: [.posixPermissions: 0o644])
        #expect(SecretFiles.worldReadable([directory.path]) == [exposedFile])
        #expect(SecretFiles.worldReadable([privateFile, "/nonexistent/file"]).isEmpty)
        chmod(exposedFile, 0o600)
        #expect(SecretFiles.worldReadable([directory.path]).isEmpty)
    }
}
