import Chain
import Foundation
import Primitives
import RPC
import Testing

/// JSON-RPC 2.0 framing: single calls, batches, notifications and the standard error codes.
@Suite struct RPCFramingTests {
    @Test func parseErrorForMalformedJSON() throws {
        let node = try RPCTestSupport.memoryNode()
        let reply = RPCTestSupport.send(node.dispatcher, #"{"jsonrpc":"2.0","id":1,"method":"#)
        #expect(RPCTestSupport.errorCode(reply) == -32700)
        #expect(reply?["id"] == .null)
    }

    @Test func invalidRequestShapes() throws {
        let node = try RPCTestSupport.memoryNode()
        // Not an object, wrong version, method not a string, bad id type.
        for body in [#"42"#, #"{"jsonrpc":"1.0","id":1,"method":"eth_chainId"}"#,
                     #"{"jsonrpc":"2.0","id":1,"method":7}"#, #"{"jsonrpc":"2.0","id":{},"method":"eth_chainId"}"#] {
            #expect(RPCTestSupport.errorCode(RPCTestSupport.send(node.dispatcher, body)) == -32600, "\(body)")
        }
        #expect(RPCTestSupport.errorCode(RPCTestSupport.send(node.dispatcher, "[]")) == -32600)
    }

    @Test func methodNotFoundAndIdEcho() throws {
        let node = try RPCTestSupport.memoryNode()
        let reply = RPCTestSupport.send(node.dispatcher, #"{"jsonrpc":"2.0","id":"abc","method":"eth_nope"}"#)
        #expect(RPCTestSupport.errorCode(reply) == -32601)
        #expect(reply?["id"] == .string("abc"))
        let ok = RPCTestSupport.send(node.dispatcher, #"{"jsonrpc":"2.0","id":7,"method":"eth_chainId"}"#)
        #expect(ok?["id"] == .integer(7))
        #expect(ok?["result"] == .string("0x539"))
    }

    @Test func notificationsGetNoReply() throws {
        let node = try RPCTestSupport.memoryNode()
        #expect(node.dispatcher.handle(body: Array(#"{"jsonrpc":"2.0","method":"eth_chainId"}"#.utf8)) == nil)
        // A batch of notifications only: nothing to send back.
        let batch = #"[{"jsonrpc":"2.0","method":"eth_chainId"},{"jsonrpc":"2.0","method":"net_version"}]"#
        #expect(node.dispatcher.handle(body: Array(batch.utf8)) == nil)
    }

    @Test func batchAnswersEachCallInOrderSkippingNotifications() throws {
        let node = try RPCTestSupport.memoryNode()
        let body = #"[{"jsonrpc":"2.0","id":1,"method":"eth_chainId"},{"jsonrpc":"2.0","method":"eth_chainId"},"#
            + #"{"jsonrpc":"2.0","id":2,"method":"nope"},5,{"jsonrpc":"2.0","id":3,"method":"net_version"}]"#
        let reply = try #require(RPCTestSupport.send(node.dispatcher, body)?.arrayValue)
        #expect(reply.count == 4)
        #expect(reply[0]["result"] == .string("0x539"))
        #expect(RPCTestSupport.errorCode(reply[1]) == -32601)
        #expect(RPCTestSupport.errorCode(reply[2]) == -32600)
        #expect(reply[3]["result"] == .string("1337"))
    }

    @Test func batchOverTheLimitIsRefusedAndServingContinues() throws {
        let node = try RPCTestSupport.memoryNode(configuration: RPCConfiguration(maxBatchSize: 3))
        let call = #"{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"#
        let reply = RPCTestSupport.send(node.dispatcher, "[" + Array(repeating: call, count: 4).joined(separator: ",") + "]")
        #expect(RPCTestSupport.errorCode(reply) == -32000)
        #expect(RPCTestSupport.errorMessage(reply)?.contains("batch limit of 3") == true)
        let allowed = RPCTestSupport.send(node.dispatcher, "[" + Array(repeating: call, count: 3).joined(separator: ",") + "]")
        #expect(allowed?.arrayValue?.count == 3)
    }

    @Test func oversizedBodyIsRefusedByTheDispatcher() throws {
        let node = try RPCTestSupport.memoryNode(configuration: RPCConfiguration(maxRequestBytes: 64))
        let reply = RPCTestSupport.send(node.dispatcher, #"{"jsonrpc":"2.0","id":1,"method":"web3_sha3","params":["0x"# + String(repeating: "00", count: 64) + #""]}"#)
        #expect(RPCTestSupport.errorCode(reply) == -32600)
        #expect(RPCTestSupport.errorMessage(reply)?.contains("exceeds the limit of 64 bytes") == true)
    }

    @Test func stateMethodsExistButReportUnavailable() throws {
        let node = try RPCTestSupport.memoryNode()
        let address = try DevelopmentAccounts.accountAddresses[0].description
        let reply = RPCTestSupport.call(node.dispatcher, "eth_getBalance", #"["\#(address)","latest"]"#)
        #expect(RPCTestSupport.errorCode(reply) == -32601)
        #expect(RPCTestSupport.errorMessage(reply) == "eth_getBalance not available: this server has no state backend")
        // Parameters are still checked first, with the field named.
        let bad = RPCTestSupport.call(node.dispatcher, "eth_getBalance", #"["0x12","latest"]"#)
        #expect(RPCTestSupport.errorCode(bad) == -32602)
        #expect(RPCTestSupport.errorMessage(bad)?.contains("address") == true)
    }

    @Test func nodeInfoMethods() throws {
        let node = try RPCTestSupport.memoryNode()
        let d = node.dispatcher
        #expect(RPCTestSupport.call(d, "web3_sha3", #"["0x68656c6c6f20776f726c64"]"#)?["result"]
                == .string("0x47173285a8d7341e5e972fc677286384f802f8ef42a5ec5f03bbfa254cb01fad"))
        #expect(RPCTestSupport.call(d, "eth_gasPrice")?["result"] == .string("0x0"))
        #expect(RPCTestSupport.call(d, "eth_maxPriorityFeePerGas")?["result"] == .string("0x0"))
        #expect(RPCTestSupport.call(d, "eth_accounts")?["result"] == .array([]))
        #expect(RPCTestSupport.call(d, "eth_syncing")?["result"] == .bool(false))
        #expect(RPCTestSupport.call(d, "eth_blockNumber")?["result"] == .string("0x0"))
        #expect(RPCTestSupport.call(d, "eth_coinbase")?["result"] == .string(try node.genesis.sealer.description))
        let history = RPCTestSupport.call(d, "eth_feeHistory", #"["0x4","latest",[10,90]]"#)?["result"]
        #expect(history?["oldestBlock"] == .string("0x0"))
        #expect(history?["baseFeePerGas"]?.arrayValue?.count == 2)
        #expect(history?["reward"]?.arrayValue?.count == 1)
    }

    /// Request ids echo back exactly as written, however large; a body that is not strict JSON
    /// is one -32700 answer naming the byte, even inside a batch.
    @Test func exactIdsAndParseErrorsThatSayWhere() throws {
        let node = try RPCTestSupport.memoryNode()
        let big = "123456789012345678901234567890.50"
        let reply = RPCTestSupport.send(node.dispatcher, #"{"jsonrpc":"2.0","id":\#(big),"method":"eth_chainId"}"#)
        #expect(reply?["id"]?.numberValue?.text == big)
        #expect(reply?["result"] == .string("0x539"))
        let batch = RPCTestSupport.send(node.dispatcher, #"[{"jsonrpc":"2.0","id":1,"method":"eth_chainId"},{"id":01}]"#)
        #expect(RPCTestSupport.errorCode(batch) == -32700)
        #expect(RPCTestSupport.errorMessage(batch) == "parse error: request body is not valid JSON (number with a leading zero at byte 55)")
        let doubled = RPCTestSupport.send(node.dispatcher, #"{"jsonrpc":"2.0","id":1,"id":2,"method":"eth_chainId"}"#)
        #expect(RPCTestSupport.errorMessage(doubled) == #"parse error: request body is not valid JSON (duplicate key "id" at byte 24)"#)
        #expect(doubled?["id"] == .null)
    }
}
