import Foundation
import Primitives

/// `mledger-bench json`: the JSON-RPC framing cost alone, robust to a busy machine where the
/// node figures are not. A typical `eth_sendRawTransaction` batch (250 calls, type-2 transfers
/// of 116 bytes) parsed by `JSONValue` beside the path it replaced, Foundation's `JSONDecoder`
/// decoding the same Decodable tree the dispatcher used to build; then the 250 replies written.
func runJSONBenchmarks() {
    print("== json (JSON-RPC framing) ==")
    let calls = 250
    let body = Array(sendRawTransactionBatch(calls: calls).utf8)
    let megabytes = Double(body.count) / 1_048_576
    var sink = 0

    let newSeconds = measure(seconds: 1.0) {
        if case .array(let items)? = try? JSONValue(parsing: body) { sink &+= items.count }
    }
    let oldSeconds = measure(seconds: 1.0) {
        if case .array(let items)? = try? JSONDecoder().decode(DecodedJSON.self, from: Data(body)) { sink &+= items.count }
    }
    let ratio = String(format: "%.1f", oldSeconds / newSeconds)
    report("parse sendRawTransaction batch (\(calls) calls)", Double(calls) / newSeconds / 1000, "k calls/s",
           reference: String(format: "JSONDecoder path %.1f k calls/s: %@x", Double(calls) / oldSeconds / 1000, ratio))
    report("parse sendRawTransaction batch, bytes", megabytes / newSeconds, "MB/s",
           reference: String(format: "JSONDecoder path %.1f MB/s", megabytes / oldSeconds))

    let replies = JSONValue.array((0..<calls).map { index in
        ["jsonrpc": "2.0", "id": .int(index), "result": .string("0x" + String(repeating: "ab", count: 32))]
    })
    let writeSeconds = measure(seconds: 0.5) { sink &+= replies.serialized.utf8.count }
    report("write \(calls) replies", Double(calls) / writeSeconds / 1000, "k calls/s")
    if sink == 42 { print("") }  // keeps the measured work observable
}

/// The request body the node bench sends: ids, the method name and one hex payload per call.
func sendRawTransactionBatch(calls: Int) -> String {
    var state: UInt64 = 0x5EED
    func byte() -> UInt8 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return UInt8(truncatingIfNeeded: state >> 56)
    }
    let items = (0..<calls).map { index in
        let raw = [UInt8(2)] + (0..<115).map { _ in byte() }
        return #"{"jsonrpc":"2.0","id":\#(index),"method":"eth_sendRawTransaction","params":["\#(Hex.encode(raw))"]}"#
    }
    return "[" + items.joined(separator: ",") + "]"
}

/// The reference: how RPC's JSON type was decoded before it had its own parser (each value
/// tried as null, Bool, Int64, Double, String, array, then object, through JSONDecoder).
private indirect enum DecodedJSON: Decodable {
    case null, bool(Bool), integer(Int64), double(Double), string(String), array([DecodedJSON]), object([String: DecodedJSON])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null; return }
        if let value = try? container.decode(Bool.self) { self = .bool(value); return }
        if let value = try? container.decode(Int64.self) { self = .integer(value); return }
        if let value = try? container.decode(Double.self) { self = .double(value); return }
        if let value = try? container.decode(String.self) { self = .string(value); return }
        if let value = try? container.decode([DecodedJSON].self) { self = .array(value); return }
        self = .object(try container.decode([String: DecodedJSON].self))
    }
}
