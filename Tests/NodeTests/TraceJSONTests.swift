import EVM
import Node
import Primitives
import RPC
import Testing

/// TraceOptions parsing and TraceJSON's geth shapes, over a transaction run on a memory backend.
@Suite struct TraceJSONTests {
    static let sender = Address(hi: 0, mid: 0, lo: 0x5e4d)
    static let contract = Address(hi: 0, mid: 0, lo: 0xc0de)

    /// Runs `code` as the callee of a transaction with `tracer` attached.
    static func run(_ code: [UInt8], _ tracer: any ExecutionTracer) throws -> TransactionResult {
        let backend = MemoryBackend()
        backend.set(sender, balance: UInt256(UInt64(1) << 60))
        backend.set(contract, code: code)
        let block = BlockEnvironment(coinbase: Address(hi: 0, mid: 0, lo: 0xc0b), number: 1, timestamp: 1, gasLimit: 30_000_000,
                                     baseFee: 0)
        let evm = EVM(state: JournaledState(backend: backend), block: block, fork: .cancun)
        evm.tracer = tracer
        return try evm.execute(transaction: TransactionEnvironment(sender: sender, to: contract, gasLimit: 100_000, nonce: 0))
    }

    static func parse(_ text: String) throws(RPCError) -> TraceOptions {
        try TraceOptions(json: JSONValue.parse(Array(text.utf8)))
    }

    @Test func optionsParse() throws {
        #expect(try TraceOptions(json: nil).format == .structLogger(.init()))
        #expect(try Self.parse("null").format == .structLogger(.init()))
        #expect(try Self.parse(#"{"disableStack":true,"enableMemory":true,"limit":5,"timeout":"5s"}"#).format
                == .structLogger(.init(disableStack: true, enableMemory: true, limit: 5)))
        #expect(try Self.parse(#"{"tracer":"callTracer","tracerConfig":{"onlyTopCall":true}}"#).format
                == .callTracer(.init(onlyTopCall: true)))
        #expect(try Self.parse(#"{"tracer":"callTracer"}"#).format == .callTracer(.init()))
        for bad in [#"{"tracer":"prestateTracer"}"#, #"{"tracer":5}"#, #"{"disableStack":"yes"}"#, #"{"limit":-1}"#,
                    #"[1]"#, #"{"tracer":"callTracer","tracerConfig":{"withLog":true}}"#] {
            do {
                _ = try Self.parse(bad)
                Issue.record("accepted \(bad)")
            } catch {
                #expect(error.code == RPCError.invalidParamsCode, "\(bad)")
            }
        }
        do {
            _ = try Self.parse(#"{"tracer":"prestateTracer"}"#)
            Issue.record("accepted an unknown tracer")
        } catch {
            #expect(error.message.contains("tracer"))
        }
    }

    @Test func structLoggerJSON() throws {
        // PUSH1 5, PUSH0, SSTORE, PUSH1 1, PUSH0, RETURN (one zero byte).
        let options = try Self.parse(#"{"enableMemory":true}"#)
        let tracer = options.makeTracer()
        let r = try Self.run([0x60, 0x05, 0x5f, 0x55, 0x60, 0x01, 0x5f, 0xf3], tracer)
        let json = try TraceJSON.result(of: tracer)
        #expect(json["gas"] == .integer(Int64(r.gasUsed)))
        #expect(json["failed"] == .bool(false))
        #expect(json["returnValue"] == .string("00"))
        let logs = try #require(json["structLogs"]?.arrayValue)
        #expect(logs.count == 6)
        #expect(logs[0] == ["pc": .integer(0), "op": "PUSH1", "gas": .integer(79000), "gasCost": .integer(3),
                            "depth": .integer(1), "stack": [], "memory": []])
        #expect(logs[2]["stack"] == ["0x5", "0x0"])
        #expect(logs[2]["storage"] == .object([String(repeating: "0", count: 64): .string(String(repeating: "0", count: 63) + "5")]))
        #expect(logs[2]["gasCost"] == .integer(22100))
        #expect(logs[3]["storage"] == nil)
    }

    @Test func callTracerJSON() throws {
        let tracer = try Self.parse(#"{"tracer":"callTracer"}"#).makeTracer()
        let r = try Self.run([0x60, 0x01, 0x5f, 0xfd], tracer)  // REVERT with one zero byte
        let json = try TraceJSON.result(of: tracer)
        #expect(json == [
            "type": "CALL", "from": .string(Self.sender.description), "to": .string(Self.contract.description),
            "value": "0x0", "gas": "0x186a0", "gasUsed": .string("0x" + String(r.gasUsed, radix: 16)), "input": "0x",
            "output": "0x00", "error": "execution reverted",
        ])
        #expect(throws: RPCError.self) { _ = try TraceJSON.result(of: CallTracer()) }
    }
}
