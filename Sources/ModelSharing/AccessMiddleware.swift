import Auth
import Foundation
import Hummingbird
import NIOCore
import Primitives
import Registry

/// How the REST API learns who calls.
public enum RESTAuthentication: Sendable {
    /// "auth none": the request's own `organization_id`/`developer_id` (loopback only; the CLI checks).
    case requestFields
    /// "auth oidc" and "auth dev": a verified bearer token.
    case bearer(TokenVerifier)
}

/// Access rules of the REST API: who the caller is, how often a token may call, how much a
/// company may store, and where audit lines go.
public struct AccessConfiguration: Sendable {
    public var authentication: RESTAuthentication
    public var rateLimiter: RateLimiter?
    public var companyQuotaBytes: Int64?
    public var auditLog: AuditLog?
    /// The dev issuer's JWK set, served at `/.well-known/jwks.json` (`--auth dev`).
    public var jwksJSON: String?

    public init(authentication: RESTAuthentication = .requestFields, rateLimiter: RateLimiter? = nil,
                companyQuotaBytes: Int64? = nil, auditLog: AuditLog? = nil, jwksJSON: String? = nil) {
        self.authentication = authentication
        self.rateLimiter = rateLimiter
        self.companyQuotaBytes = companyQuotaBytes
        self.auditLog = auditLog
        self.jwksJSON = jwksJSON
    }
}

/// Which requests change something, and which paths anyone may read.
enum AccessRules {
    /// Documentation, metrics and the dev issuer's keys carry no company data.
    static func isPublic(_ request: Request) -> Bool {
        guard request.method == .get || request.method == .head else { return false }
        let path = request.uri.path
        return path == "/openapi.json" || path == "/docs" || path == "/metrics" || path.hasPrefix("/.well-known/")
    }

    /// Every method but GET/HEAD/OPTIONS writes, except `POST /contract/{address}/verify`,
    /// which only compares a hash with the chain.
    static func isWrite(_ request: Request) -> Bool {
        switch request.method {
        case .get, .head, .options: return false
        case .post:
            let segments = request.uri.path.split(separator: "/")
            return !(segments.count == 3 && segments[0] == "contract" && segments[2] == "verify")
        default: return true
        }
    }

    static func refusal(_ status: Int, _ reason: String, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        let body: JSONValue = .object(["error": .string(reason)])
        return Response(status: Self.status(status), headers: fields,
                        body: ResponseBody(byteBuffer: ByteBuffer(string: body.serialized)))
    }

    /// The status with its standard reason phrase.
    static func status(_ code: Int) -> HTTPResponse.Status {
        switch code {
        case 401: return .unauthorized
        case 403: return .forbidden
        case 413: return .contentTooLarge
        case 429: return .tooManyRequests
        case 503: return .serviceUnavailable
        case 507: return HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage")
        default: return HTTPResponse.Status(code: code)
        }
    }

    static func audit(_ log: AuditLog?, _ request: Request, identity: RequestIdentity?, route: String?, status: Int, reason: String?) {
        log?.record(AuditEvent(developer: identity?.developer, company: identity?.company, method: request.method.rawValue,
                               route: route ?? request.uri.path, resource: request.uri.path, status: status, reason: reason))
    }
}

/// "auth oidc" / "auth dev": the caller is the verified bearer token. No token or a bad one is
/// a 401 naming the rule; an auditor's write, or a body or query naming another organization,
/// a 403. The identity's company then scopes every route (another company's ids read as absent).
public struct BearerIdentityMiddleware<Context: IdentityRequestContext>: RouterMiddleware {
    let verifier: TokenVerifier
    let auditLog: AuditLog?
    let maxBodyBytes: Int

    public init(verifier: TokenVerifier, auditLog: AuditLog?, maxBodyBytes: Int) {
        self.verifier = verifier
        self.auditLog = auditLog
        self.maxBodyBytes = maxBodyBytes
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if AccessRules.isPublic(request) { return try await next(request, context) }
        var request = request
        var context = context
        var verified: RequestIdentity?
        func refuse(_ status: Int, _ reason: String) -> Response {
            AccessRules.audit(auditLog, request, identity: verified, route: context.endpointPath, status: status, reason: reason)
            let challenge: HTTPFields = status == 401 ? [.wwwAuthenticate: "Bearer error=\"invalid_token\""] : [:]
            return AccessRules.refusal(status, reason, headers: challenge)
        }
        guard let header = request.headers[.authorization], header.count > 7, header.prefix(7).lowercased() == "bearer " else {
            return refuse(401, "a bearer token is required (Authorization: Bearer <token>)")
        }
        let caller: Caller
        do { caller = try await verifier.verify(String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)) } catch {
            return refuse(error.status, error.reason)
        }
        let identity = RequestIdentity(company: caller.company, developer: caller.developer,
                                       roles: caller.roles.map(\.rawValue), credential: caller.tokenFingerprint)
        verified = identity
        if AccessRules.isWrite(request), !caller.canWrite {
            return refuse(403, "role \(caller.roles.map(\.rawValue).joined(separator: ",")) may only read")
        }
        if let named = request.uri.queryParameters.get("organization_id"), !named.isEmpty, named != caller.company {
            return refuse(403, "organization_id \"\(named)\" is not the token's organization")
        }
        if request.headers[.contentType]?.lowercased().hasPrefix("application/json") == true {
            let buffer: ByteBuffer
            do { buffer = try await request.collectBody(upTo: maxBodyBytes) } catch {
                return refuse(413, "JSON body larger than \(maxBodyBytes) bytes")
            }
            request.body = RequestBody(buffer: buffer)
            if let named = RequestIdentity.fromFields(JSONValue.parse(Array(buffer: buffer))), named.company != caller.company {
                return refuse(403, "organization_id \"\(named.company)\" is not the token's organization")
            }
        }
        context.identity = identity
        context.identityFromRequestFields = false
        return try await next(request, context)
    }
}

/// Per-token request rate (429 with Retry-After) and per-company storage quota (413 when the
/// announced upload would pass it, 507 when the company has used it up), after the identity.
public struct AccessLimitsMiddleware<Context: IdentityRequestContext>: RouterMiddleware {
    let rateLimiter: RateLimiter?
    let companyQuotaBytes: Int64?
    let registry: Registry
    let auditLog: AuditLog?

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if AccessRules.isPublic(request) { return try await next(request, context) }
        let identity = context.identity
        func refuse(_ status: Int, _ reason: String, headers: HTTPFields = [:]) -> Response {
            AccessRules.audit(auditLog, request, identity: identity, route: context.endpointPath, status: status, reason: reason)
            return AccessRules.refusal(status, reason, headers: headers)
        }
        if let rateLimiter {
            let key = identity?.credential ?? identity.map { "company:\($0.company)" } ?? "anonymous"
            if let wait = rateLimiter.admit(key) {
                let seconds = max(1, Int(wait.rounded(.up)))
                return refuse(429, "rate limit of \(Self.rateText(rateLimiter.ratePerSecond)) per token exceeded; retry in \(seconds) s",
                              headers: [.retryAfter: String(seconds)])
            }
        }
        if let quota = companyQuotaBytes, let company = identity?.company, request.method == .post || request.method == .put {
            let used = try await registry.storedBytes(company: company)
            if let length = request.headers[.contentLength].flatMap({ Int64($0) }), used + length > quota {
                return refuse(413, "company quota of \(quota) bytes: \(used) stored, this request of \(length) bytes would exceed it")
            }
            if used >= quota {
                return refuse(507, "company quota of \(quota) bytes used up (\(used) bytes stored)")
            }
            if request.headers[.contentLength] == nil {
                // A chunked body announces no size: count it as it streams in, and stop it (413;
                // the upload is aborted, nothing stored) once it passes what the quota leaves.
                var capped = request
                capped.body = RequestBody(asyncSequence: QuotaCappedBody(
                    base: request.body, limit: quota - used,
                    reason: "company quota of \(quota) bytes: \(used) stored, this chunked body passed the remaining \(quota - used) bytes"))
                return try await next(capped, context)
            }
        }
        return try await next(request, context)
    }

    static func rateText(_ rate: Double) -> String {
        rate == rate.rounded() ? "\(Int(rate))/s" : "\(rate)/s"
    }
}

/// A request body that fails with 413 (`SharingError.payloadTooLarge`) once more than `limit`
/// bytes have streamed through it.
struct QuotaCappedBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let base: RequestBody
    let limit: Int64
    let reason: String

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: RequestBody.AsyncIterator
        let limit: Int64
        let reason: String
        var seen: Int64 = 0

        mutating func next() async throws -> ByteBuffer? {
            guard let buffer = try await base.next() else { return nil }
            seen += Int64(buffer.readableBytes)
            guard seen <= limit else { throw SharingError.payloadTooLarge(reason) }
            return buffer
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator(), limit: limit, reason: reason) }
}

/// One audit line per write (whatever its outcome) and per refused read, with the caller the
/// identity middleware found. Refusals made before this point are audited where they are made.
public struct AuditMiddleware<Context: IdentityRequestContext>: RouterMiddleware {
    let auditLog: AuditLog

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if AccessRules.isPublic(request) { return try await next(request, context) }
        let response: Response
        do { response = try await next(request, context) } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            AccessRules.audit(auditLog, request, identity: context.identity, route: context.endpointPath, status: status,
                              reason: "request failed (\(type(of: error)))")
            throw error
        }
        let status = response.status.code
        if AccessRules.isWrite(request) || status >= 400 {
            AccessRules.audit(auditLog, request, identity: context.identity, route: context.endpointPath, status: status,
                              reason: status >= 400 ? response.status.reasonPhrase : nil)
        }
        return response
    }
}

extension ModelSharingService {
    /// The identity, limits and audit middleware, in that order, for every route added after them.
    func addAccessMiddleware(to router: Router<SharingRequestContext>) {
        switch access.authentication {
        case .requestFields:
            router.middlewares.add(RequestFieldsIdentityMiddleware<SharingRequestContext>(maxBodyBytes: configuration.maxJSONBytes))
        case .bearer(let verifier):
            router.middlewares.add(BearerIdentityMiddleware<SharingRequestContext>(
                verifier: verifier, auditLog: access.auditLog, maxBodyBytes: configuration.maxJSONBytes))
        }
        if access.rateLimiter != nil || access.companyQuotaBytes != nil {
            router.middlewares.add(AccessLimitsMiddleware<SharingRequestContext>(
                rateLimiter: access.rateLimiter, companyQuotaBytes: access.companyQuotaBytes, registry: registry, auditLog: access.auditLog))
        }
        if let auditLog = access.auditLog { router.middlewares.add(AuditMiddleware<SharingRequestContext>(auditLog: auditLog)) }
    }

    /// `GET /.well-known/jwks.json` and a minimal discovery document for the dev issuer.
    func addIssuerRoutes(to router: Router<SharingRequestContext>) {
        guard let jwks = access.jwksJSON else { return }
        router.get("/.well-known/jwks.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: jwks)))
        }
    }
}
