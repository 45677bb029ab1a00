import Chain
import Foundation
import Node
import Primitives
import RPC
import Testing

/// debug_traceTransaction and debug_traceCall through the node's state backend: a mined
/// transaction is replayed on its parent's state, after the transactions before it.
@Suite struct TracingTests {
    typealias Support = NodeTestSupport

    @Test func minedTransactionsAndCallsAreTraced() throws {
        let directory = try Support.makeDevDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let node = try LedgerNode(dataDirectory: directory)
        defer { node.close() }
        let key = Support.keys[0]
        let deploy = try Support.dynamicFee(key, nonce: 0, to: nil, data: Support.storeAndLogInitCode, gas: 200_000)
        try node.pool.add(deploy)
        _ = try #require(try node.sealer?.sealNext())
        let contract = try #require(try node.database.receiptDetails(transactionHash: deploy.hash)?.contractAddress)
        // Two calls in one block: the second is traced after the first ran.
        let first = try Support.dynamicFee(key, nonce: 1, to: contract, data: Support.word(5))
        let second = try Support.dynamicFee(key, nonce: 2, to: contract, data: Support.word(0))
        try node.pool.add(first)
        try node.pool.add(second)
        _ = try #require(try node.sealer?.sealNext())
        let firstReceipt = try #require(try node.database.receiptDetails(transactionHash: first.hash))

        let logs = try node.state.traceTransaction(hash: first.hash, options: nil)
        #expect(logs["failed"] == .bool(false))
        #expect(logs["gas"] == .integer(Int64(firstReceipt.gasUsed)))
        let steps = try #require(logs["structLogs"]?.arrayValue)
        #expect(steps.first?["op"] == .string("PUSH1") && steps.first?["pc"] == .integer(0))
        #expect(steps.contains { $0["op"] == .string("SSTORE") } && steps.last?["op"] == .string("STOP"))

        let calls = try node.state.traceTransaction(hash: second.hash, options: ["tracer": "callTracer"])
        #expect(calls["type"] == .string("CALL") && calls["to"] == .string(contract.description))
        #expect(calls["error"] == .string("execution reverted"))
        #expect(calls["output"] == .string("0xdeadbeef"))

        var request = CallRequest()
        request.to = contract
        request.input = Support.word(9)
        let traced = try node.state.traceCall(request, at: .latest, options: ["disableStack": true])
        #expect(traced["failed"] == .bool(false))
        #expect(traced["structLogs"]?.arrayValue?.allSatisfy { $0["stack"] == nil } == true)

        #expect(throws: RPCError.self) { try node.state.traceCall(request, at: .latest, options: ["tracer": "prestateTracer"]) }
        #expect(throws: (any Error).self) { try node.state.traceTransaction(hash: UInt256(1).hash32, options: nil) }
    }
}
