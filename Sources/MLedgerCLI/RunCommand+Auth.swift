import ArgumentParser
import Auth
import Foundation
import LedgerClient
import Logging
import ModelSharing
import RPC

/// `mledger run`'s access options: how REST and JSON-RPC callers authenticate, limits, audit.
struct AuthOptions: ParsableArguments {
    @Option(help: "REST authentication: none (identity from the body; loopback only; default), oidc or dev.")
    var auth: String = "none"

    @Option(name: .customLong("oidc-issuer"), help: "OIDC issuer URL for --auth oidc (keys found via /.well-known/openid-configuration).")
    var oidcIssuer: String?

    @Option(name: .customLong("oidc-audience"), help: "Required token audience for --auth oidc (unchecked when not given).")
    var oidcAudience: String?

    @Option(name: .customLong("company-claim"), help: "Claim naming the company (a name, or a /companies/<name> group path).")
    var companyClaim: String = "organization"

    @Option(name: .customLong("rpc-auth"), help: "JSON-RPC authentication: none (default), dev or oidc (same issuer as --auth).")
    var rpcAuth: String = "none"

    @Flag(name: .customLong("rpc-debug"), help: "Keep debug_* and txpool_* on when the RPC port binds to a non-loopback address.")
    var rpcDebug = false

    @Option(name: .customLong("audit-log"), help: "Append one JSON line per write and per refused request to FILE (also logged).")
    var auditLog: String?

    @Option(name: .customLong("rate-limit"), help: "Requests per token, e.g. 50/s or 600/m (429 with Retry-After beyond).")
    var rateLimit: String?

    @Option(name: .customLong("company-quota-bytes"), help: "Most bytes of stored files per company (413/507 beyond).")
    var companyQuotaBytes: Int64?

    func validate() throws {
        guard ["none", "oidc", "dev"].contains(auth) else { throw ValidationError("--auth must be none, oidc or dev") }
        guard ["none", "oidc", "dev"].contains(rpcAuth) else { throw ValidationError("--rpc-auth must be none, oidc or dev") }
        if auth == "oidc" || rpcAuth == "oidc" {
            guard let issuer = oidcIssuer, issuer.hasPrefix("https://") || issuer.hasPrefix("http://") else {
                throw ValidationError("--auth oidc needs --oidc-issuer URL (http:// or https://)")
            }
        }
        if let rateLimit, RateLimiter.parseRate(rateLimit) == nil {
            throw ValidationError("--rate-limit must be N/s, N/m or N (per second), got \(rateLimit)")
        }
        if let companyQuotaBytes, companyQuotaBytes <= 0 { throw ValidationError("--company-quota-bytes must be positive") }
        guard !companyClaim.isEmpty else { throw ValidationError("--company-claim must not be empty") }
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }

    /// The verifier for `mode` (oidc or dev); nil for none.
    func verifier(mode: String, dataDirectory: String, passphrase: String?, dev: Bool) async throws -> (TokenVerifier, DevIssuer?)? {
        let mapping = ClaimMapping(companyClaim: companyClaim)
        switch mode {
        case "oidc":
            let issuer = oidcIssuer ?? ""
            let policy = TokenPolicy(issuer: issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer,
                                     audience: oidcAudience, mapping: mapping)
            return (TokenVerifier(policy: policy, keys: OIDCKeySource(issuer: issuer)), nil)
        case "dev":
            guard let passphrase else { throw CommandFailure("--auth dev keeps its key encrypted under the node passphrase; set MLEDGER_PASSPHRASE") }
            let issuer = try DevIssuerKeyFile.load(dataDirectory: dataDirectory, passphrase: passphrase, create: true,
                                                   cost: dev ? .light : .standard)
            return (TokenVerifier(policy: issuer.policy(mapping: mapping), keys: FixedKeySource(try await issuer.verificationKeys())), issuer)
        default:
            return nil
        }
    }

    /// Refuses to start with secrets others can read.
    static func checkSecretFiles(dataDirectory: String) throws {
        var paths = [CompanyKeyring.keystoreDirectory(dataDirectory: URL(fileURLWithPath: dataDirectory)).path,
                     DevIssuerKeyFile.path(dataDirectory: dataDirectory)]
        if let file = ProcessInfo.processInfo.environment["MLEDGER_PASSPHRASE_FILE"] { paths.append(file) }
        let exposed = SecretFiles.worldReadable(paths)
        guard exposed.isEmpty else {
            throw CommandFailure("refusing to start: secret file(s) readable by every user: \(exposed.joined(separator: ", ")) (chmod 600)")
        }
    }

    /// The REST API's access configuration, after checking that `none` stays on loopback.
    func restAccess(apiHost: String, dataDirectory: String, passphrase: String?, dev: Bool, logger: Logger) async throws -> AccessConfiguration {
        var access = AccessConfiguration()
        if auth == "none" {
            guard Self.isLoopback(apiHost) else {
                throw CommandFailure("--auth none trusts the organization named in each request: allowed only on a loopback --api-addr, not \(apiHost); use --auth oidc or --auth dev")
            }
            logger.warning("REST API: --auth none: callers are who their requests say they are (loopback only); use --auth oidc or dev for tokens")
        } else if let found = try await verifier(mode: auth, dataDirectory: dataDirectory, passphrase: passphrase, dev: dev) {
            let (verifier, issuer) = found
            access.authentication = .bearer(verifier)
            access.jwksJSON = issuer?.jwksJSON
            if auth == "oidc", oidcAudience == nil { logger.warning("REST API: --oidc-audience not given: token audiences are not checked") }
            logger.info("REST API: bearer tokens of \(verifier.policy.issuer) (\(auth)); company from claim \(companyClaim)")
        }
        if let rateLimit, let rate = RateLimiter.parseRate(rateLimit) { access.rateLimiter = RateLimiter(ratePerSecond: rate) }
        access.companyQuotaBytes = companyQuotaBytes
        if auditLog != nil || auth != "none" {
            do { access.auditLog = try AuditLog(logger: Logger(label: "mledger.audit"), filePath: auditLog) } catch {
                throw CommandFailure("\(error)")
            }
        }
        return access
    }

    /// JSON-RPC limits on top of `base`: bearer auth when asked, debug_/txpool_ off on a
    /// non-loopback address unless --rpc-debug.
    func rpcConfiguration(rpcHost: String, dataDirectory: String, passphrase: String?, dev: Bool, logger: Logger) async throws -> RPCConfiguration {
        var configuration = RPCConfiguration()
        if !Self.isLoopback(rpcHost), !rpcDebug {
            configuration.disabledMethodPrefixes = ["debug_", "txpool_"]
            logger.info("JSON-RPC on non-loopback \(rpcHost): debug_* and txpool_* are off (--rpc-debug keeps them)")
        }
        if let verifier = try await verifier(mode: rpcAuth, dataDirectory: dataDirectory, passphrase: passphrase, dev: dev)?.0 {
            configuration.authorize = { header in
                guard let header, header.count > 7, header.prefix(7).lowercased() == "bearer " else {
                    return "a bearer token is required (Authorization: Bearer <token>)"
                }
                do { _ = try await verifier.verify(String(header.dropFirst(7))) } catch let denied as AccessDenied {
                    return denied.reason
                } catch {
                    return "token refused"
                }
                return nil
            }
            logger.info("JSON-RPC: bearer tokens of \(verifier.policy.issuer) required (\(rpcAuth))")
        } else if !Self.isLoopback(rpcHost) {
            logger.warning("JSON-RPC on non-loopback \(rpcHost) without --rpc-auth: anyone who reaches the port may call it")
        }
        return configuration
    }
}
