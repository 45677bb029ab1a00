import Chain
import Primitives
import RPC
import Testing

/// Block, transaction, pool, log and filter methods over an in-memory dev chain.
@Suite struct ChainMethodTests {
    @Test func genesisBlockByNumberAndHash() throws {
        let node = try RPCTestSupport.memoryNode()
        let d = node.dispatcher
        let hash = node.genesisBlock.hash.description
        let byNumber = RPCTestSupport.call(d, "eth_getBlockByNumber", #"["0x0",false]"#)?["result"]
        #expect(byNumber?["hash"] == .string(hash))
        #expect(byNumber?["number"] == .string("0x0"))
        #expect(byNumber?["baseFeePerGas"] == .string("0x0"))
        #expect(byNumber?["transactions"] == .array([]))
        let byHash = RPCTestSupport.call(d, "eth_getBlockByHash", #"["\#(hash)",true]"#)?["result"]
        #expect(byHash == byNumber)
        #expect(RPCTestSupport.call(d, "eth_getBlockByNumber", #"["0x5",false]"#)?["result"] == .null)
        #expect(RPCTestSupport.call(d, "eth_getBlockTransactionCountByHash", #"["\#(hash)"]"#)?["result"] == .string("0x0"))
        #expect(RPCTestSupport.call(d, "eth_getTransactionByBlockNumberAndIndex", #"["latest","0x0"]"#)?["result"] == .null)
    }

    @Test func sendRawTransactionLandsInThePool() throws {
        let node = try RPCTestSupport.memoryNode()
        let d = node.dispatcher
        let transaction = try RPCTestSupport.signedTransfer(chainId: node.genesis.config.chainId, nonce: 0)
        let filter = RPCTestSupport.call(d, "eth_newPendingTransactionFilter")?["result"]?.stringValue ?? ""
        let sent = RPCTestSupport.call(d, "eth_sendRawTransaction", #"["\#(Hex.encode(transaction.encoded))"]"#)
        #expect(sent?["result"] == .string(transaction.hash.description))
        let sender = try DevelopmentAccounts.accountAddresses[0].description
        let content = RPCTestSupport.call(d, "txpool_content")?["result"]
        #expect(content?["pending"]?[sender]?["0"]?["hash"] == .string(transaction.hash.description))
        #expect(RPCTestSupport.call(d, "txpool_status")?["result"]?["pending"] == .string("0x1"))
        let lookup = RPCTestSupport.call(d, "eth_getTransactionByHash", #"["\#(transaction.hash)"]"#)?["result"]
        #expect(lookup?["from"] == .string(sender))
        #expect(lookup?["blockHash"] == .null)
        #expect(RPCTestSupport.call(d, "eth_getTransactionReceipt", #"["\#(transaction.hash)"]"#)?["result"] == .null)
        #expect(RPCTestSupport.call(d, "eth_getFilterChanges", #"["\#(filter)"]"#)?["result"]
                == .array([.string(transaction.hash.description)]))
        #expect(RPCTestSupport.call(d, "eth_getFilterChanges", #"["\#(filter)"]"#)?["result"] == .array([]))
        // The same bytes again, and a stale nonce after a replacement: geth's messages.
        let again = RPCTestSupport.call(d, "eth_sendRawTransaction", #"["\#(Hex.encode(transaction.encoded))"]"#)
        #expect(RPCTestSupport.errorCode(again) == -32000)
        #expect(RPCTestSupport.errorMessage(again) == "already known")
    }

    @Test func rejectedTransactionsGetGethMessages() throws {
        let node = try RPCTestSupport.memoryNode()
        let d = node.dispatcher
        let garbage = RPCTestSupport.call(d, "eth_sendRawTransaction", #"["0xdeadbeef"]"#)
        #expect(RPCTestSupport.errorCode(garbage) == -32000)
        #expect(RPCTestSupport.errorMessage(garbage)?.hasPrefix("invalid transaction encoding") == true)
        let wrongChain = try RPCTestSupport.signedTransfer(chainId: 1, nonce: 0)
        let chainReply = RPCTestSupport.call(d, "eth_sendRawTransaction", #"["\#(Hex.encode(wrongChain.encoded))"]"#)
        #expect(RPCTestSupport.errorMessage(chainReply) == "invalid chain id")
        let lowGas = try RPCTestSupport.signedTransfer(chainId: node.genesis.config.chainId, nonce: 0, gasLimit: 20_000)
        let gasReply = RPCTestSupport.call(d, "eth_sendRawTransaction", #"["\#(Hex.encode(lowGas.encoded))"]"#)
        #expect(RPCTestSupport.errorMessage(gasReply) == "intrinsic gas too low")
        let notHex = RPCTestSupport.call(d, "eth_sendRawTransaction", #"["deadbeef"]"#)
        #expect(RPCTestSupport.errorCode(notHex) == -32602)
    }

    @Test func logsAndFilters() throws {
        let node = try RPCTestSupport.memoryNode(configuration: RPCConfiguration(maxLogBlockRange: 2))
        let d = node.dispatcher
        #expect(RPCTestSupport.call(d, "eth_getLogs", #"[{"fromBlock":"0x0","toBlock":"latest"}]"#)?["result"] == .array([]))
        let id = RPCTestSupport.call(d, "eth_newFilter", #"[{"fromBlock":"0x0"}]"#)?["result"]?.stringValue ?? ""
        #expect(RPCTestSupport.call(d, "eth_getFilterLogs", #"["\#(id)"]"#)?["result"] == .array([]))
        #expect(RPCTestSupport.call(d, "eth_uninstallFilter", #"["\#(id)"]"#)?["result"] == .bool(true))
        #expect(RPCTestSupport.call(d, "eth_uninstallFilter", #"["\#(id)"]"#)?["result"] == .bool(false))
        let gone = RPCTestSupport.call(d, "eth_getFilterChanges", #"["\#(id)"]"#)
        #expect(RPCTestSupport.errorMessage(gone) == "filter not found")
        let inverted = RPCTestSupport.call(d, "eth_getLogs", #"[{"fromBlock":"0x5","toBlock":"0x1"}]"#)
        #expect(RPCTestSupport.errorCode(inverted) == -32000)
    }

    @Test func filtersExpireWhenNotPolled() throws {
        let hub = RPCEventHub()
        let clock = ManualClock()
        let store = FilterStore(hub: hub, timeoutSeconds: 10, now: { clock.now })
        let id = store.install(.blocks)
        clock.advance(5)
        #expect(store.takeChanges(id) == [])
        clock.advance(9)
        #expect(store.takeChanges(id) == [])  // polled at 5 s: deadline moved
        clock.advance(11)
        #expect(store.takeChanges(id) == nil)
        #expect(store.count == 0)
    }

    @Test func subscriptionsNeedAWebSocket() throws {
        let node = try RPCTestSupport.memoryNode()
        let reply = RPCTestSupport.call(node.dispatcher, "eth_subscribe", #"["newHeads"]"#)
        #expect(RPCTestSupport.errorCode(reply) == -32001)
    }
}

final class ManualClock: @unchecked Sendable {
    private var current = Date(timeIntervalSince1970: 1_000_000)
    var now: Date { current }
    func advance(_ seconds: Double) { current = current.addingTimeInterval(seconds) }
}

import Foundation
