import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore

/// The JSON-RPC server: POST bodies on `/` over HTTP, and WebSocket connections upgraded on
/// the same port (where `eth_subscribe` works). Limits and logging are middleware.
public enum RPCServer {
    /// The HTTP routes with their middleware (in-memory tests drive this directly).
    public static func makeRouter(dispatcher: RPCDispatcher, logger: Logger) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        let limit = dispatcher.configuration.maxRequestBytes
        router.middlewares.add(RPCLoggingMiddleware(logger: logger))
        router.middlewares.add(RequestSizeLimitMiddleware(limit: limit))
        if let authorize = dispatcher.configuration.authorize { router.middlewares.add(RPCBearerMiddleware(authorize: authorize)) }
        router.post("/") { request, _ -> Response in
            var request = request
            let buffer: ByteBuffer
            do {
                buffer = try await request.collectBody(upTo: limit)
            } catch {
                return jsonResponse(RPCDispatcher.errorResponse(
                    .invalidRequest("request body exceeds the limit of \(limit) bytes")), status: .contentTooLarge)
            }
            guard let reply = dispatcher.handle(body: Array(buffer: buffer)) else {
                return Response(status: .ok, headers: [.contentType: "application/json"])
            }
            return jsonResponse(reply)
        }
        return router
    }

    /// The whole application: HTTP and WebSocket on `host:port` (port 0 picks a free one);
    /// `onListening` gets the bound port once the server accepts connections.
    public static func makeApplication(dispatcher: RPCDispatcher, host: String, port: Int, logger: Logger,
                                       onListening: @escaping @Sendable (Int) async -> Void = { _ in })
        -> some ApplicationProtocol {
        let router = makeRouter(dispatcher: dispatcher, logger: logger)
        let limit = dispatcher.configuration.maxRequestBytes
        let webSocket = HTTP1WebSocketUpgradeChannel.Configuration(ws: WebSocketServerConfiguration(maxFrameSize: limit))
        return Application(
            router: router,
            server: .http1WebSocketUpgrade(configuration: webSocket) { head, _, logger in
                // A WebSocket needs the same bearer token as HTTP calls (checked at the upgrade).
                // Hummingbird answers every refused upgrade with a bodiless 400 and closes the
                // connection; the reason goes to the log (never the token itself).
                if let authorize = dispatcher.configuration.authorize, let reason = await authorize(head.headerFields[.authorization]) {
                    logger.notice("JSON-RPC WebSocket upgrade refused: \(reason)")
                    return .dontUpgrade
                }
                return .upgrade([:]) { inbound, outbound, _ in
                    try await serveWebSocket(inbound: inbound, outbound: outbound, dispatcher: dispatcher)
                }
            },
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "MLedger"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    /// One WebSocket connection: each text or binary message is a request (single or batch);
    /// replies and subscription notifications share one ordered outbound queue.
    static func serveWebSocket(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter,
                               dispatcher: RPCDispatcher) async throws {
        // A slow reader loses the oldest notifications rather than growing memory without bound.
        let (queue, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(65_536))
        let session = SubscriptionSession(hub: dispatcher.hub,
                                          limit: dispatcher.configuration.maxSubscriptionsPerConnection) { text in
            continuation.yield(text)
        }
        defer { session.close(); continuation.finish() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await text in queue { try await outbound.write(.text(text)) }
            }
            do {
                for try await message in inbound.messages(maxSize: dispatcher.configuration.maxRequestBytes) {
                    let body: [UInt8]
                    switch message {
                    case .text(let text): body = Array(text.utf8)
                    case .binary(let buffer): body = Array(buffer: buffer)
                    }
                    if let reply = dispatcher.handle(body: body, session: session) { continuation.yield(reply) }
                }
            } catch {
                // An over-limit or broken message ends this connection only.
            }
            session.close()
            continuation.finish()
            try await group.waitForAll()
        }
    }

    static func jsonResponse(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}

/// Refuses a request whose declared body is over the limit before reading it (413 with a
/// JSON-RPC error body); bodies without a length are cut off by the route's bounded read.
public struct RequestSizeLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    public let limit: Int

    public init(limit: Int) { self.limit = limit }

    public func handle(_ request: Request, context: Context,
                       next: (Request, Context) async throws -> Response) async throws -> Response {
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            return RPCServer.jsonResponse(RPCDispatcher.errorResponse(
                .invalidRequest("request body of \(declared) bytes exceeds the limit of \(limit) bytes")),
                status: .contentTooLarge)
        }
        return try await next(request, context)
    }
}

/// One log line per HTTP request: method, path, status and time taken. Bodies are never
/// logged (they may carry signed transactions; passphrases and keys never reach the RPC).
public struct RPCLoggingMiddleware<Context: RequestContext>: RouterMiddleware {
    public let logger: Logger

    public init(logger: Logger) { self.logger = logger }

    public func handle(_ request: Request, context: Context,
                       next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        logger.debug("\(request.method) \(request.uri.path) \(response.status.code) \(elapsed)")
        return response
    }
}
