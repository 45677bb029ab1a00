import Chain
import Foundation
import Primitives
import RPC
import Testing

/// Reads of a mined block: a block with one transaction and one log is committed the way
/// the sealer commits (roots filled in, one batch) and announced on the event hub.
@Suite struct MinedBlockTests {
    static let topic = Hash32(w0: 0xfeed, w1: 0, w2: 0, w3: 1)
    static let emitter = Address(hi: 0, mid: 0, lo: 0xe17)

    /// Commits block 1 holding `transaction` with a receipt carrying one log.
    static func commitBlock(_ node: RPCTestSupport.Node, _ transaction: Transaction) throws -> Block {
        let receipt = Receipt(type: transaction.type, succeeded: true, cumulativeGasUsed: 21_000,
                              logs: [Log(address: emitter, topics: [topic], data: [1, 2, 3])])
        let parent = node.genesisBlock.header
        let header = BlockHeader(parentHash: parent.hash, coinbase: parent.coinbase, stateRoot: parent.stateRoot,
                                 transactionsRoot: Block.transactionsRoot([transaction]),
                                 receiptsRoot: Block.receiptsRoot([receipt]), logsBloom: Block.logsBloom([receipt]),
                                 number: 1, gasLimit: parent.gasLimit, gasUsed: 21_000, timestamp: parent.timestamp + 1,
                                 baseFeePerGas: 0, withdrawalsRoot: BlockHeader.emptyTrieRoot, blobGasUsed: 0,
                                 excessBlobGas: 0, parentBeaconBlockRoot: .zero)
        let block = Block(header: header, body: BlockBody(transactions: [transaction]))
        try node.backend.database.commit(block, receipts: [receipt], stateNodes: [])
        node.backend.pool.removeIncluded([transaction])
        node.hub.publishBlock(block, receipts: [receipt])
        return block
    }

    @Test func minedTransactionReceiptLogsAndFilters() throws {
        let node = try RPCTestSupport.memoryNode()
        let d = node.dispatcher
        let transaction = try RPCTestSupport.signedTransfer(chainId: node.genesis.config.chainId, nonce: 0)
        _ = RPCTestSupport.call(d, "eth_sendRawTransaction", #"["\#(Hex.encode(transaction.encoded))"]"#)
        let logFilter = RPCTestSupport.call(d, "eth_newFilter", #"[{"topics":["\#(Self.topic)"]}]"#)?["result"]?.stringValue ?? ""
        let otherFilter = RPCTestSupport.call(d, "eth_newFilter", #"[{"address":"0x\#(String(repeating: "11", count: 20))"}]"#)?["result"]?.stringValue ?? ""
        let blockFilter = RPCTestSupport.call(d, "eth_newBlockFilter")?["result"]?.stringValue ?? ""

        let block = try Self.commitBlock(node, transaction)
        #expect(RPCTestSupport.call(d, "eth_blockNumber")?["result"] == .string("0x1"))
        #expect(RPCTestSupport.call(d, "txpool_status")?["result"]?["pending"] == .string("0x0"))

        let receipt = RPCTestSupport.call(d, "eth_getTransactionReceipt", #"["\#(transaction.hash)"]"#)?["result"]
        #expect(receipt?["blockHash"] == .string(block.hash.description))
        #expect(receipt?["status"] == .string("0x1"))
        #expect(receipt?["gasUsed"] == .string("0x5208"))
        #expect(receipt?["logs"]?.arrayValue?.first?["topics"] == .array([.string(Self.topic.description)]))

        let mined = RPCTestSupport.call(d, "eth_getTransactionByHash", #"["\#(transaction.hash)"]"#)?["result"]
        #expect(mined?["blockNumber"] == .string("0x1"))
        #expect(mined?["transactionIndex"] == .string("0x0"))
        #expect(RPCTestSupport.call(d, "eth_getTransactionByBlockNumberAndIndex", #"["0x1","0x0"]"#)?["result"] == mined)
        #expect(RPCTestSupport.call(d, "eth_getTransactionByBlockHashAndIndex", #"["\#(block.hash)","0x1"]"#)?["result"] == .null)
        let full = RPCTestSupport.call(d, "eth_getBlockByNumber", #"["latest",true]"#)?["result"]
        #expect(full?["transactions"]?.arrayValue?.first == mined)
        #expect(RPCTestSupport.call(d, "eth_getBlockTransactionCountByNumber", #"["0x1"]"#)?["result"] == .string("0x1"))

        let logs = RPCTestSupport.call(d, "eth_getLogs", #"[{"fromBlock":"0x0","toBlock":"latest","address":"\#(Self.emitter)"}]"#)?["result"]
        #expect(logs?.arrayValue?.count == 1)
        #expect(logs?.arrayValue?.first?["data"] == .string("0x010203"))
        let byHash = RPCTestSupport.call(d, "eth_getLogs", #"[{"blockHash":"\#(block.hash)","topics":[["\#(Hash32.zero)"]]}]"#)?["result"]
        #expect(byHash == .array([]))

        #expect(RPCTestSupport.call(d, "eth_getFilterChanges", #"["\#(logFilter)"]"#)?["result"]?.arrayValue?.count == 1)
        #expect(RPCTestSupport.call(d, "eth_getFilterChanges", #"["\#(otherFilter)"]"#)?["result"] == .array([]))
        #expect(RPCTestSupport.call(d, "eth_getFilterChanges", #"["\#(blockFilter)"]"#)?["result"]
                == .array([.string(block.hash.description)]))
        #expect(RPCTestSupport.call(d, "eth_getFilterLogs", #"["\#(logFilter)"]"#)?["result"]?.arrayValue?.count == 1)
    }

    @Test func logRangeLimitIsEnforced() throws {
        let node = try RPCTestSupport.memoryNode(configuration: RPCConfiguration(maxLogBlockRange: 1))
        let transaction = try RPCTestSupport.signedTransfer(chainId: node.genesis.config.chainId, nonce: 0)
        _ = try Self.commitBlock(node, transaction)
        let reply = RPCTestSupport.call(node.dispatcher, "eth_getLogs", #"[{"fromBlock":"0x0","toBlock":"0x1"}]"#)
        #expect(RPCTestSupport.errorCode(reply) == -32000)
        #expect(RPCTestSupport.errorMessage(reply)?.contains("exceeds the limit of 1") == true)
    }

    @Test func newHeadsAndLogsSubscriptions() throws {
        let node = try RPCTestSupport.memoryNode()
        let sent = ReceivedMessages()
        let session = SubscriptionSession(hub: node.hub, limit: 2) { sent.append($0) }
        let heads = node.dispatcher.handle(body: Array(#"{"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["newHeads"]}"#.utf8), session: session)
        let logs = node.dispatcher.handle(body: Array(#"{"jsonrpc":"2.0","id":2,"method":"eth_subscribe","params":["logs",{"topics":["\#(Self.topic)"]}]}"#.utf8), session: session)
        let third = node.dispatcher.handle(body: Array(#"{"jsonrpc":"2.0","id":3,"method":"eth_subscribe","params":["newHeads"]}"#.utf8), session: session)
        #expect(third?.contains("too many subscriptions") == true)
        let transaction = try RPCTestSupport.signedTransfer(chainId: node.genesis.config.chainId, nonce: 0)
        let block = try Self.commitBlock(node, transaction)
        let notifications = sent.all.compactMap { JSONValue.parse(Array($0.utf8)) }
        #expect(notifications.count == 2)
        let headId = heads.flatMap { JSONValue.parse(Array($0.utf8)) }?["result"]
        let logId = logs.flatMap { JSONValue.parse(Array($0.utf8)) }?["result"]
        #expect(notifications.first { $0["params"]?["subscription"] == headId }?["params"]?["result"]?["hash"]
                == .string(block.hash.description))
        #expect(notifications.first { $0["params"]?["subscription"] == logId }?["params"]?["result"]?["address"]
                == .string(Self.emitter.description))
        session.close()
        #expect(session.subscriptionCount == 0)
    }
}
