import Primitives
import Hummingbird
import NIOCore
import RPC

/// Who is calling: the company whose records and objects a request may touch, and the
/// developer acting for it. Handlers read it from the request context, never from the body:
/// "auth none" fills it from the request's own fields, the bearer middleware from a verified
/// token (AccessMiddleware.swift).
public struct RequestIdentity: Sendable, Equatable {
    public var company: String
    public var developer: String?
    /// The token's MLedger roles (`mlaas-developer`, `mlaas-auditor`, `mlaas-admin`); empty
    /// under "auth none", where the request's own fields are trusted.
    public var roles: [String]
    /// A fingerprint of the bearer token (never the token): the rate limiter's key.
    public var credential: String?

    /// The developer a verified bearer token names (its `sub`); nil under "auth none". Records
    /// take their developer from here when it is set: a body's `developer_id` is then ignored, as
    /// a body cannot speak for anyone but the token's holder.
    public var tokenDeveloper: String? { credential != nil ? developer : nil }

    public init(company: String, developer: String?, roles: [String] = [], credential: String? = nil) {
        self.company = company
        self.developer = developer
        self.roles = roles
        self.credential = credential
    }

    /// The identity named by `organization_id` and `developer_id`, at the top of a JSON object or
    /// inside its `model_params` (the shapes of the MLaaS bodies); nil without an organization.
    static func fromFields(_ document: JSONValue?) -> RequestIdentity? {
        guard case .object(let top)? = document else { return nil }
        var scopes = [top]
        if case .object(let params)? = top["model_params"] { scopes.append(params) }
        func string(_ key: String) -> String? {
            for scope in scopes { if case .string(let value)? = scope[key], !value.isEmpty { return value } }
            return nil
        }
        guard let company = string("organization_id") else { return nil }
        return RequestIdentity(company: company, developer: string("developer_id"))
    }
}

/// A request context that carries the caller's identity.
public protocol IdentityRequestContext: RequestContext {
    var identity: RequestIdentity? { get set }
    /// True when the identity comes from the request's own fields ("auth none"): a multipart
    /// handler may then complete it from its `metadata` part, which no middleware can read
    /// without holding the upload in memory.
    var identityFromRequestFields: Bool { get set }
}

/// The REST API's context: Hummingbird's core storage plus the identity.
public struct SharingRequestContext: IdentityRequestContext {
    public var coreContext: CoreRequestContextStorage
    public var identity: RequestIdentity?
    public var identityFromRequestFields = false

    public init(source: Source) {
        coreContext = .init(source: source)
    }
}

/// "Auth none": the identity is what the request says. For a JSON body (at most `maxBodyBytes`,
/// buffered and handed on unchanged) it is the body's `organization_id`/`developer_id`; for other
/// requests the query parameters of the same names. Multipart uploads are not read here.
public struct RequestFieldsIdentityMiddleware<Context: IdentityRequestContext>: RouterMiddleware {
    let maxBodyBytes: Int

    public init(maxBodyBytes: Int = 1 << 20) { self.maxBodyBytes = maxBodyBytes }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var request = request
        var context = context
        context.identityFromRequestFields = true
        let query = request.uri.queryParameters
        if let company = query.get("organization_id"), !company.isEmpty {
            context.identity = RequestIdentity(company: company, developer: query.get("developer_id"))
        }
        if request.headers[.contentType]?.lowercased().hasPrefix("application/json") == true {
            let buffer: ByteBuffer
            do { buffer = try await request.collectBody(upTo: maxBodyBytes) } catch {
                return SharingError.payloadTooLarge("JSON body larger than \(maxBodyBytes) bytes").response
            }
            request.body = RequestBody(buffer: buffer)
            if let identity = RequestIdentity.fromFields(JSONValue.parse(Array(buffer: buffer))) { context.identity = identity }
        }
        return try await next(request, context)
    }
}
