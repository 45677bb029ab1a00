import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import RPC
import Testing
import Primitives

/// The HTTP routes and middleware in memory (no socket): content type, notifications, and
/// the size-limit middleware's 413 with a JSON-RPC error body.
@Suite struct RouterTests {
    static func application(maxRequestBytes: Int = 1_024) throws -> some ApplicationProtocol {
        let node = try RPCTestSupport.memoryNode(configuration: RPCConfiguration(maxRequestBytes: maxRequestBytes))
        return Application(router: RPCServer.makeRouter(dispatcher: node.dispatcher, logger: Logger(label: "test")))
    }

    @Test func postAnswersJSON() async throws {
        try await Self.application().test(.router) { client in
            try await client.execute(uri: "/", method: .post,
                                     body: ByteBuffer(string: #"{"jsonrpc":"2.0","id":1,"method":"net_listening"}"#)) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                #expect(JSONValue.parse(Array(buffer: response.body))?["result"] == .bool(true))
            }
            // A notification: 200 with an empty body.
            try await client.execute(uri: "/", method: .post,
                                     body: ByteBuffer(string: #"{"jsonrpc":"2.0","method":"net_listening"}"#)) { response in
                #expect(response.status == .ok)
                #expect(response.body.readableBytes == 0)
            }
        }
    }

    @Test func declaredOversizeBodyGets413() async throws {
        try await Self.application(maxRequestBytes: 100).test(.router) { client in
            let body = #"{"jsonrpc":"2.0","id":1,"method":"web3_sha3","params":["0x"# + String(repeating: "00", count: 100) + #""]}"#
            try await client.execute(uri: "/", method: .post, headers: [.contentLength: String(body.utf8.count)],
                                     body: ByteBuffer(string: body)) { response in
                #expect(response.status == .contentTooLarge)
                let reply = JSONValue.parse(Array(buffer: response.body))
                #expect(reply?["error"]?["code"] == .integer(-32600))
                #expect(reply?["error"]?["message"]?.stringValue?.contains("exceeds the limit of 100 bytes") == true)
            }
            try await client.execute(uri: "/", method: .post,
                                     body: ByteBuffer(string: #"{"jsonrpc":"2.0","id":2,"method":"eth_chainId"}"#)) { response in
                #expect(JSONValue.parse(Array(buffer: response.body))?["result"] == .string("0x539"))
            }
        }
    }
}
