import Hummingbird
import NIOCore

extension RPCConfiguration {
    /// The disabled prefix `method` starts with, if any.
    func disabledPrefix(of method: String) -> String? {
        disabledMethodPrefixes.first { method.hasPrefix($0) }
    }
}

extension RPCError {
    /// `debug_*`/`txpool_*` switched off: the same code as an unknown method, saying why.
    static func methodDisabled(_ method: String, prefix: String) -> RPCError {
        RPCError(code: methodNotFoundCode,
                 message: "the method \(method) is disabled: \(prefix)* is off on a non-loopback RPC address (start with --rpc-debug)")
    }
}

/// Bearer authentication of JSON-RPC over HTTP: a refused request gets 401 with a JSON-RPC
/// error body naming the reason (never the token).
struct RPCBearerMiddleware<Context: RequestContext>: RouterMiddleware {
    let authorize: @Sendable (String?) async -> String?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let reason = await authorize(request.headers[.authorization]) {
            var response = RPCServer.jsonResponse(RPCDispatcher.errorResponse(RPCError(code: -32001, message: "unauthorized: \(reason)")),
                                                  status: .unauthorized)
            response.headers[.wwwAuthenticate] = "Bearer error=\"invalid_token\""
            return response
        }
        return try await next(request, context)
    }
}
