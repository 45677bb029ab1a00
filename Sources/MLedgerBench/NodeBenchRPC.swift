import RPC
import Primitives

/// A connection that carries one JSON-RPC request body (single call or batch) and returns
/// the reply: HTTP POST or a WebSocket text message.
protocol NodeBenchBatchTransport: AnyObject {
    func exchange(_ body: [UInt8]) throws -> [UInt8]
}

/// Request bodies and reply parsing shared by both transports.
enum NodeBenchRPC {
    /// `{"jsonrpc":"2.0","id":ID,"method":METHOD,"params":PARAMS}` with PARAMS already JSON.
    static func callJSON(id: Int, method: String, params: String) -> String {
        "{\"jsonrpc\":\"2.0\",\"id\":\(id),\"method\":\"\(method)\",\"params\":\(params)}"
    }

    /// A batch body of calls.
    static func batch(_ calls: [String]) -> [UInt8] { Array(("[" + calls.joined(separator: ",") + "]").utf8) }

    /// One call over `transport`; throws the JSON-RPC error message if the node answered one.
    static func single(_ transport: any NodeBenchBatchTransport, _ method: String, _ params: String) throws -> JSONValue {
        let reply = try transport.exchange(Array(callJSON(id: 1, method: method, params: params).utf8))
        guard let document = JSONValue.parse(reply) else {
            throw NodeBenchError.rpc("\(method): reply is not JSON: \(String(decoding: reply.prefix(200), as: UTF8.self))")
        }
        if let error = document["error"] { throw NodeBenchError.rpc("\(method): \(error.serialized)") }
        guard let result = document["result"] else { throw NodeBenchError.rpc("\(method): reply has no result") }
        return result
    }

    /// Counts the results and errors in a batch reply; `firstError` keeps one error text.
    static func tally(_ reply: [UInt8], expected: Int) throws -> (ok: Int, failed: Int, firstError: String?) {
        guard let document = JSONValue.parse(reply) else {
            throw NodeBenchError.rpc("batch reply is not JSON: \(String(decoding: reply.prefix(200), as: UTF8.self))")
        }
        guard let items = document.arrayValue else {
            // A whole-batch failure (over a limit) comes back as one error object.
            throw NodeBenchError.rpc("batch refused: \(document.serialized.prefix(300))")
        }
        var ok = 0, failed = 0
        var firstError: String?
        for item in items {
            if let error = item["error"] {
                failed += 1
                if firstError == nil { firstError = error.serialized }
            } else if item["result"] != nil {
                ok += 1
            }
        }
        if items.count != expected {
            failed += max(0, expected - items.count)
            firstError = firstError ?? "batch of \(expected) calls got \(items.count) replies"
        }
        return (ok, failed, firstError)
    }

    /// A hex quantity ("0x1a") as an integer.
    static func quantity(_ value: JSONValue?) throws -> UInt64 {
        guard let text = value?.stringValue, text.hasPrefix("0x"), let number = UInt64(text.dropFirst(2), radix: 16) else {
            throw NodeBenchError.rpc("expected a hex quantity, got \(value?.serialized ?? "nothing")")
        }
        return number
    }
}
