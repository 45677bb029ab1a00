import Foundation
import Hummingbird
import Logging
import Node
import RPC
import Primitives

/// A Hummingbird application served on 127.0.0.1 with an ephemeral port for the length of a
/// test: started in a task, stopped by cancelling it.
final class LoopbackServer: @unchecked Sendable {
    let port: Int
    private let task: Task<Void, any Error>

    var url: URL { URL(string: "http://127.0.0.1:\(port)")! }

    private init(port: Int, task: Task<Void, any Error>) {
        self.port = port
        self.task = task
    }

    /// Starts the server that `make` builds around the port announcement callback.
    static func start<App: ApplicationProtocol & Sendable>(
        _ make: (@escaping @Sendable (Int) async -> Void) -> App
    ) async throws -> LoopbackServer {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let application = make { port in continuation.yield(port) }
        let task = Task { try await application.runService(gracefulShutdownSignals: []) }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        return LoopbackServer(port: port, task: task)
    }

    /// Test servers log only what would make a test fail to start (shutdown notes are noise here).
    static var quietLogger: Logger {
        var logger = Logger(label: "audit-tests")
        logger.logLevel = .critical
        return logger
    }

    /// The node's JSON-RPC server (the same application `mledger run` serves).
    static func rpc(_ node: LedgerNode) async throws -> LoopbackServer {
        try await start { announce in
            RPCServer.makeApplication(dispatcher: node.dispatcher, host: "127.0.0.1", port: 0,
                                      logger: quietLogger, onListening: announce)
        }
    }

    /// A JSON-RPC endpoint that answers through `dispatcher` and lets `tamper` rewrite each
    /// reply: a node that lies, for checking that the client and the auditor notice.
    static func lying(_ dispatcher: RPCDispatcher,
                      tamper: @escaping @Sendable (_ request: JSONValue, _ reply: JSONValue) -> JSONValue) async throws -> LoopbackServer {
        try await start { announce in
            let router = Router()
            router.post("/") { request, _ -> Response in
                let body = try await request.body.collect(upTo: 1 << 24)
                let bytes = Array(buffer: body)
                let call = JSONValue.parse(bytes) ?? .null
                var text = dispatcher.handle(body: bytes) ?? ""
                if let reply = JSONValue.parse(Array(text.utf8)) { text = tamper(call, reply).serialized }
                return Response(status: .ok, headers: [.contentType: "application/json"],
                                body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
            }
            return Application(router: router,
                               configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
                               onServerRunning: { channel in await announce(channel.localAddress?.port ?? 0) },
                               logger: quietLogger)
        }
    }

    /// Stops the server and waits for it to finish.
    func stop() async {
        task.cancel()
        _ = try? await task.value
    }
}
