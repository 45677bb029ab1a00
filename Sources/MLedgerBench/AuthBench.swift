import Auth
import Foundation

/// `auth`: bearer-token verifications per second on one core with the keys cached. "first use":
/// the whole verification (MLedger's structure, algorithm and kid checks, jwt-kit's signature
/// check, MLedger's claims reading and rules, caller mapping; the verified-token cache off), beside
/// a bare swift-crypto signature check of the same algorithm measured in the same run. "per request": the same
/// token again, as clients send it (SHA-256 of the token, cache hit, expiry and kid re-checked).
func runAuthBenchmarks() {
    print("== auth (one core, keys cached)")
    let done = DispatchSemaphore(value: 0)
    Task {
        do { try await authBenchmarks() } catch { print("auth benchmark failed: \(error)") }
        done.signal()
    }
    done.wait()
}

private func authBenchmarks() async throws {
    let issuer = try TestIssuer.make(issuer: "https://issuer.bench")
    let policy = TokenPolicy(issuer: "https://issuer.bench", audience: "mledger")
    let verifier = TokenVerifier(policy: policy, keys: FixedKeySource(try await issuer.verificationKeys()), cacheCapacity: 0)
    let caching = TokenVerifier(policy: policy, keys: FixedKeySource(try await issuer.verificationKeys()))
    for algorithm in ["RS256", "ES256", "EdDSA"] {
        let token = try await issuer.sign(issuer.claims(company: "acme", developer: "alice", lifetime: 3_600), algorithm: algorithm)
        _ = try await verifier.verify(token)
        let perVerification = try await measureAsync { _ = try await verifier.verify(token) }
        let check = try issuer.rawSignatureCheck(algorithm)
        let raw = measure { precondition(check()) }
        let reference = "swift-crypto \(algorithm) signature check alone: " + String(format: "%.0f/s (a token verification costs %.2fx)",
                                                                                       1 / raw, perVerification / raw)
        report("auth: \(algorithm) token, first use", 1 / perVerification, "/s", reference: reference)
        _ = try await caching.verify(token)
        let perRequest = try await measureAsync { _ = try await caching.verify(token) }
        report("auth: \(algorithm) token, per request", 1 / perRequest, "/s",
               reference: String(format: "%.1f µs per request (target < 50 µs)", perRequest * 1e6))
    }
}

/// `measure` for an async body: median seconds per call over 5 rounds of about 0.2 s each.
private func measureAsync(rounds: Int = 5, seconds: Double = 1.0, _ body: () async throws -> Void) async throws -> Double {
    try await body()
    var perCall: [Double] = []
    for _ in 0..<rounds {
        var iterations = 0
        let start = DispatchTime.now().uptimeNanoseconds
        var elapsed: UInt64 = 0
        repeat {
            try await body()
            iterations += 1
            elapsed = DispatchTime.now().uptimeNanoseconds - start
        } while Double(elapsed) / 1e9 < seconds / Double(rounds)
        perCall.append(Double(elapsed) / 1e9 / Double(iterations))
    }
    perCall.sort()
    return perCall[perCall.count / 2]
}
