import Chain
import Foundation
import MLedgerTesting
import HummingbirdTesting
import HummingbirdWSClient
import Logging
import NIOCore
import Node
import Primitives
import RPC
import Testing
import Trie

/// The real server on an ephemeral loopback port, over a data directory initialised from
/// genesis/dev.json exactly as `mledger init` does.
@Suite struct LiveServerTests {
    /// A fresh data directory with the dev chain, and the node opened on it.
    static func openDevNode(configuration: RPCConfiguration = RPCConfiguration()) throws -> (LedgerNode, String) {
        let directory = NSTemporaryDirectory() + "mledger-rpc-test-\(UUID().uuidString)"
        let (database, _, _) = try ChainDatabase.initialize(dataDirectory: directory, genesisPath: RPCTestSupport.devGenesisPath)
        database.store.close()
        return (try LedgerNode(dataDirectory: directory, rpc: configuration), directory)
    }

    static func post(_ client: some TestClientProtocol, _ body: String) async throws -> (status: Int, reply: JSONValue?) {
        try await client.execute(uri: "/", method: .post, headers: [.contentType: "application/json"],
                                 body: ByteBuffer(string: body)) { response in
            (response.status.code, JSONValue.parse(Array(buffer: response.body)))
        }
    }

    static func call(_ client: some TestClientProtocol, _ method: String, _ params: String = "[]") async throws -> JSONValue? {
        try await post(client, #"{"jsonrpc":"2.0","id":1,"method":"\#(method)","params":\#(params)}"#).reply
    }

    @Test func devChainOverHTTP() async throws {
        let (node, directory) = try Self.openDevNode(configuration: RPCConfiguration(maxRequestBytes: 4_096))
        defer { node.close(); try? FileManager.default.removeItem(atPath: directory) }
        let genesisHash = try #require(try node.database.genesisHash)
        let app = RPCServer.makeApplication(dispatcher: node.dispatcher, host: "127.0.0.1", port: 0,
                                            logger: Logger(label: "test"))
        try await app.test(.live) { client in
            #expect(try await Self.call(client, "eth_chainId")?["result"] == .string("0x539"))
            let block = try await Self.call(client, "eth_getBlockByNumber", #"["0x0",false]"#)
            #expect(block?["result"]?["hash"] == .string(genesisHash.description))

            let transaction = try RPCTestSupport.signedTransfer(chainId: node.genesis.config.chainId, nonce: 0)
            let sent = try await Self.call(client, "eth_sendRawTransaction", #"["\#(Hex.encode(transaction.encoded))"]"#)
            #expect(sent?["result"] == .string(transaction.hash.description))
            let sender = try DevelopmentAccounts.accountAddresses[0].description
            let content = try await Self.call(client, "txpool_content")
            #expect(content?["result"]?["pending"]?[sender]?["0"]?["hash"] == .string(transaction.hash.description))

            // State reads from the committed trie; "pending" counts the pool.
            let balance = try await Self.call(client, "eth_getBalance", #"["\#(sender)","latest"]"#)?["result"]
            let expected = try #require(node.genesis.alloc[try DevelopmentAccounts.accountAddresses[0]]).balance
            #expect(balance == .string(expected.quantityHex))
            #expect(try await Self.call(client, "eth_getTransactionCount", #"["\#(sender)","latest"]"#)?["result"] == .string("0x0"))
            #expect(try await Self.call(client, "eth_getTransactionCount", #"["\#(sender)","pending"]"#)?["result"] == .string("0x1"))
            let proof = try #require(try await Self.call(client, "eth_getProof", #"["\#(sender)",[],"latest"]"#)?["result"])
            let accountProof = try (proof["accountProof"]?.arrayValue ?? []).map { try Hex.decode($0.stringValue ?? "") }
            let stateRoot = try #require(node.database.head).stateRoot
            let proven = try SecureTrie.verifyProof(root: stateRoot, key: try DevelopmentAccounts.accountAddresses[0].bytes,
                                                    proof: accountProof)
            #expect(proven != nil)
            let call = try await Self.call(client, "eth_call", #"[{"to":"\#(sender)"},"latest"]"#)
            // A call to an account without code runs and returns nothing.
            #expect(call?["result"] == .string("0x"))

            let garbage = try await Self.call(client, "eth_sendRawTransaction", #"["0xc0ffee"]"#)
            #expect(garbage?["error"]?["code"] == .integer(-32000))
            #expect(garbage?["error"]?["message"]?.stringValue?.hasPrefix("invalid transaction encoding") == true)

            // Over the body limit: HTTP 413 with a JSON-RPC error, and the server goes on.
            let big = #"{"jsonrpc":"2.0","id":1,"method":"web3_sha3","params":["0x"# + String(repeating: "ab", count: 4_096) + #""]}"#
            let (status, reply) = try await Self.post(client, big)
            #expect(status == 413)
            #expect(reply?["error"]?["code"] == .integer(-32600))
            #expect(try await Self.call(client, "net_version")?["result"] == .string("1337"))
        }
        // The pool journal keeps the pending transaction across a clean restart.
        node.close()
        let reopened = try LedgerNode(dataDirectory: directory)
        defer { reopened.close() }
        #expect(reopened.pool.count == 1)
    }

    @Test func seededFuzzKeepsTheServerUp() async throws {
        let (node, directory) = try Self.openDevNode(configuration: RPCConfiguration(maxRequestBytes: 2_048, maxBatchSize: 8))
        defer { node.close(); try? FileManager.default.removeItem(atPath: directory) }
        let app = RPCServer.makeApplication(dispatcher: node.dispatcher, host: "127.0.0.1", port: 0,
                                            logger: Logger(label: "test"))
        var generator = SplitMix64(seed: 0x4D4C_6564_6765_72)
        let bodies = (0..<300).map { _ in FuzzBodies.next(&generator) }
        try await app.test(.live) { client in
            var answered = 0
            for body in bodies {
                let (status, reply) = try await Self.post(client, body)
                #expect(status == 200 || status == 413, "status \(status) for \(body.prefix(80))")
                // Every reply is JSON (or empty for notifications).
                if let reply { answered += 1; #expect(reply["jsonrpc"] == .string("2.0") || reply.arrayValue != nil) }
            }
            #expect(answered > 200)
            #expect(try await Self.call(client, "eth_chainId")?["result"] == .string("0x539"))
            #expect(try await Self.call(client, "eth_blockNumber")?["result"] == .string("0x0"))
        }
    }

    @Test func pendingTransactionSubscriptionOverWebSocket() async throws {
        let (node, directory) = try Self.openDevNode()
        defer { node.close(); try? FileManager.default.removeItem(atPath: directory) }
        let app = RPCServer.makeApplication(dispatcher: node.dispatcher, host: "127.0.0.1", port: 0,
                                            logger: Logger(label: "test"))
        let transaction = try RPCTestSupport.signedTransfer(chainId: node.genesis.config.chainId, nonce: 0)
        let backend = node.backend
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let received = ReceivedMessages()
            try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/", logger: Logger(label: "ws")) { inbound, outbound, _ in
                try await outbound.write(.text(#"{"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["newPendingTransactions"]}"#))
                var messages = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
                guard case .text(let first)? = try await messages.next() else { return }
                received.append(first)
                _ = try backend.submit(raw: transaction.encoded)
                guard case .text(let second)? = try await messages.next() else { return }
                received.append(second)
                try await outbound.write(.text(#"{"jsonrpc":"2.0","id":2,"method":"eth_chainId"}"#))
                guard case .text(let third)? = try await messages.next() else { return }
                received.append(third)
            }
            let all = received.all.compactMap { JSONValue.parse(Array($0.utf8)) }
            #expect(all.count == 3)
            let subscription = all.first?["result"]?.stringValue
            #expect(subscription != nil)
            #expect(all.dropFirst().first?["params"]?["subscription"]?.stringValue == subscription)
            #expect(all.dropFirst().first?["params"]?["result"] == .string(transaction.hash.description))
            #expect(all.last?["result"] == .string("0x539"))
        }
    }
}

final class ReceivedMessages: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []
    func append(_ text: String) { lock.withLock { messages.append(text) } }
    var all: [String] { lock.withLock { messages } }
}

/// Random request bodies: raw bytes, truncated and mutated calls, wrong types, huge
/// numbers, unknown tags, deep nesting and oversized batches.
enum FuzzBodies {
    static let methods = ["eth_chainId", "eth_getBlockByNumber", "eth_getLogs", "eth_sendRawTransaction",
                          "eth_getBalance", "eth_feeHistory", "eth_newFilter", "eth_getFilterChanges", "txpool_content",
                          "eth_getTransactionByHash", "web3_sha3", "eth_subscribe", "nope"]
    static let params = [#"[]"#, #"["0x0",true]"#, #"["latest"]"#, #"["0x"]"#, #"["0xzz"]"#, #"[{"fromBlock":"0x1","toBlock":"0x0"}]"#,
                         #"["0x\#(String(repeating: "f", count: 80))"]"#, #"[null,null,null,null]"#, #"[{"topics":[[[]]]}]"#,
                         #"["pending",false]"#, #"[1e400]"#, #"[-1]"#, #"{"a":1}"#, #"["0xc0"]"#, #"[[[[[[[[]]]]]]]]"#]

    static func next(_ generator: inout SplitMix64) -> String {
        switch generator.next() % 6 {
        case 0:
            let count = Int(generator.next() % 200)
            let bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next() % 95 + 32) }
            return String(decoding: bytes, as: UTF8.self)
        case 1:
            let call = validCall(&generator)
            return String(call.prefix(Int(generator.next() % UInt64(call.count + 1))))
        case 2:
            var bytes = Array(validCall(&generator).utf8)
            for _ in 0..<3 { bytes[Int(generator.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: generator.next() % 95 + 32) }
            return String(decoding: bytes, as: UTF8.self)
        case 3:
            let count = Int(generator.next() % 12)
            return "[" + (0..<count).map { _ in validCall(&generator) }.joined(separator: ",") + "]"
        case 4:
            return String(repeating: "[", count: Int(generator.next() % 600)) + "1"
        default:
            return validCall(&generator)
        }
    }

    static func validCall(_ generator: inout SplitMix64) -> String {
        let method = methods[Int(generator.next() % UInt64(methods.count))]
        let param = params[Int(generator.next() % UInt64(params.count))]
        let id = generator.next() % 3 == 0 ? "" : #""id":\#(generator.next() % 1000),"#
        return #"{"jsonrpc":"2.0",\#(id)"method":"\#(method)","params":\#(param)}"#
    }
}
