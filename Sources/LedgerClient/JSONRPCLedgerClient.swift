import Chain
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Primitives
import RPC

/// The out-of-process `LedgerClient`: JSON-RPC 2.0 over HTTP POST to one node URL.
///
/// It trusts nothing it is told: every quantity, hash, address and byte string is checked for
/// form and length before use, headers are rebuilt from `eth_getBlockByNumber`'s fields and must
/// hash to the reported block hash, receipts must carry a bloom that matches their logs, and
/// proofs come back as raw trie nodes for the caller to verify against a state root. This is
/// what `mledger audit` uses, so an auditor depends only on what the answers prove.
public struct JSONRPCLedgerClient: LedgerClient {
    /// The node's JSON-RPC endpoint, for example `http://127.0.0.1:8545`.
    public let url: URL
    /// Seconds one HTTP request may take; past it the request fails with `.timeout`, whatever
    /// the node or the transport does.
    public let timeoutSeconds: Double
    private let session: URLSession

    /// A client for the node at `url` (http or https).
    public init(url: URL, timeoutSeconds: Double = 30) throws(LedgerClientError) {
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host != nil else {
            throw .transport("\(url.absoluteString) is not an http(s) URL")
        }
        self.url = url
        self.timeoutSeconds = timeoutSeconds
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeoutSeconds + 5  // the deadline in `post` comes first
        configuration.httpMaximumConnectionsPerHost = 4
        session = URLSession(configuration: configuration)
    }

    // MARK: LedgerClient

    public func chainId() async throws -> UInt64 {
        try JSONRPCDecoding.uint64(try await request("eth_chainId", []), "eth_chainId")
    }

    public func blockNumber() async throws -> UInt64 {
        try JSONRPCDecoding.uint64(try await request("eth_blockNumber", []), "eth_blockNumber")
    }

    public func header(number: UInt64) async throws -> BlockHeader? {
        let result = try await request("eth_getBlockByNumber", [JSONRPCEncoding.quantity(number), .bool(false)])
        if result.isNull { return nil }
        let header = try JSONRPCDecoding.header(result)
        guard header.number == number else {
            throw LedgerClientError.malformed("eth_getBlockByNumber(\(number)) answered block \(header.number)")
        }
        return header
    }

    /// Headers `range` through JSON-RPC batches of `batchSize` calls (one HTTP request each),
    /// each rebuilt and hash-checked like `header(number:)`. Stops at the first number past the
    /// head, so the result may be shorter than the range.
    public func headers(_ range: ClosedRange<UInt64>, batchSize: Int = 200,
                        concurrentBatches: Int = 4) async throws -> [BlockHeader] {
        let step = UInt64(max(1, batchSize))
        var chunks: [ClosedRange<UInt64>] = []
        var start = range.lowerBound
        while true {
            let end = range.upperBound - start < step ? range.upperBound : start + step - 1
            chunks.append(start...end)
            if end == range.upperBound { break }
            start = end + 1
        }
        // Several batches in flight, so the node encodes one while this side checks another;
        // the answers are put back in order.
        var fetched = [Int: [JSONValue]]()
        var headers: [BlockHeader] = []
        headers.reserveCapacity(range.count)
        var nextToRequest = 0, nextToUse = 0
        try await withThrowingTaskGroup(of: (Int, [JSONValue]).self) { group in
            func request(_ index: Int) {
                let chunk = chunks[index]
                group.addTask {
                    (index, try await self.batch("eth_getBlockByNumber", chunk.map { [JSONRPCEncoding.quantity($0), .bool(false)] }))
                }
            }
            while nextToRequest < min(chunks.count, max(1, concurrentBatches)) { request(nextToRequest); nextToRequest += 1 }
            while let (index, results) = try await group.next() {
                fetched[index] = results
                while let results = fetched.removeValue(forKey: nextToUse) {
                    let chunk = chunks[nextToUse]
                    for (offset, result) in results.enumerated() {
                        if result.isNull {
                            group.cancelAll()
                            return
                        }
                        let header = try JSONRPCDecoding.header(result)
                        guard header.number == chunk.lowerBound + UInt64(offset) else {
                            throw LedgerClientError.malformed("eth_getBlockByNumber(\(chunk.lowerBound + UInt64(offset))) answered block \(header.number)")
                        }
                        headers.append(header)
                    }
                    nextToUse += 1
                    if nextToRequest < chunks.count { request(nextToRequest); nextToRequest += 1 }
                }
            }
        }
        return headers
    }

    public func balance(of address: Address, at block: BlockSelector) async throws -> UInt256 {
        let result = try await request("eth_getBalance", [JSONRPCEncoding.address(address), JSONRPCEncoding.block(block)])
        return try JSONRPCDecoding.uint256(result, "eth_getBalance")
    }

    public func transactionCount(of address: Address, at block: BlockSelector) async throws -> UInt64 {
        let result = try await request("eth_getTransactionCount",
                                       [JSONRPCEncoding.address(address), JSONRPCEncoding.block(block)])
        return try JSONRPCDecoding.uint64(result, "eth_getTransactionCount")
    }

    public func code(of address: Address, at block: BlockSelector) async throws -> [UInt8] {
        let result = try await request("eth_getCode", [JSONRPCEncoding.address(address), JSONRPCEncoding.block(block)])
        return try JSONRPCDecoding.data(result, "eth_getCode")
    }

    public func storage(of address: Address, slot: Hash32, at block: BlockSelector) async throws -> Hash32 {
        let result = try await request("eth_getStorageAt", [JSONRPCEncoding.address(address),
                                                             .string(UInt256(slot).quantityHex), JSONRPCEncoding.block(block)])
        return try JSONRPCDecoding.hash(result, "eth_getStorageAt")
    }

    public func call(_ request: CallRequest, at block: BlockSelector) async throws -> [UInt8] {
        let result = try await self.request("eth_call", [JSONRPCEncoding.call(request), JSONRPCEncoding.block(block)])
        return try JSONRPCDecoding.data(result, "eth_call")
    }

    public func estimateGas(_ request: CallRequest, at block: BlockSelector) async throws -> UInt64 {
        let result = try await self.request("eth_estimateGas", [JSONRPCEncoding.call(request), JSONRPCEncoding.block(block)])
        return try JSONRPCDecoding.uint64(result, "eth_estimateGas")
    }

    public func sendRawTransaction(_ raw: [UInt8]) async throws -> Hash32 {
        do {
            let result = try await request("eth_sendRawTransaction", [.string(Hex.encode(raw))])
            return try JSONRPCDecoding.hash(result, "eth_sendRawTransaction")
        } catch LedgerClientError.node(let code, let message) where code == JSONRPCLedgerClient.rejectedCode {
            // Pool admission failures ("nonce too low", "invalid transaction encoding", ...).
            throw LedgerClientError.rejected(message)
        }
    }

    public func receipt(transactionHash: Hash32) async throws -> ReceiptDetails? {
        let result = try await request("eth_getTransactionReceipt", [.string(transactionHash.description)])
        if result.isNull { return nil }
        let details = try JSONRPCDecoding.receipt(result)
        guard details.transactionHash == transactionHash else {
            throw LedgerClientError.malformed("receipt of \(transactionHash) names transaction \(details.transactionHash)")
        }
        return details
    }

    public func logs(matching filter: LogFilter, from: UInt64, to: UInt64) async throws -> [LocatedLog] {
        let result = try await request("eth_getLogs", [JSONRPCEncoding.filter(filter, from: from, to: to)])
        guard let items = result.arrayValue else { throw LedgerClientError.malformed("eth_getLogs: expected an array") }
        var logs: [LocatedLog] = []
        logs.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            let log = try JSONRPCDecoding.located(item, "eth_getLogs[\(index)]")
            guard log.blockNumber >= from, log.blockNumber <= to, filter.matches(log.log) else {
                throw LedgerClientError.malformed("eth_getLogs[\(index)] is outside the requested range or filter")
            }
            logs.append(log)
        }
        return logs
    }

    public func proof(of address: Address, slots: [Hash32], at block: BlockSelector) async throws -> AccountProof {
        let result = try await request("eth_getProof", [JSONRPCEncoding.address(address),
                                                        // Keys as quantities: accepted by strict servers
                                                        // (ours) and by those that also take 32-byte words.
                                                        .array(slots.map { .string(UInt256($0).quantityHex) }),
                                                        JSONRPCEncoding.block(block)])
        let proof = try AccountProof(json: result)
        guard proof.address == address else {
            throw LedgerClientError.malformed("eth_getProof for \(address) answered for \(proof.address)")
        }
        guard proof.storageProof.map(\.slot) == slots else {
            throw LedgerClientError.malformed("eth_getProof: storage proofs do not answer the requested slots in order")
        }
        return proof
    }

    // MARK: Transport

    /// JSON-RPC error code of a refused transaction (pool admission).
    static let rejectedCode = -32000
    /// JSON-RPC error code of a reverted call.
    static let revertedCode = 3
    /// Replies larger than this are refused rather than parsed.
    static let maxReplyBytes = 64 << 20

    /// Sends one request and returns its `result`, mapping JSON-RPC errors to `LedgerClientError`.
    func request(_ method: String, _ params: [JSONValue]) async throws -> JSONValue {
        let reply = try await post(Self.call(method, params, id: 1), what: method)
        guard case .object = reply else { throw LedgerClientError.malformed("\(method): reply is not a JSON-RPC object") }
        return try Self.result(of: reply, id: 1, method: method)
    }

    /// Sends `calls` as one JSON-RPC batch (one HTTP request) and returns each call's result in
    /// order; the first error in the batch is thrown.
    func batch(_ method: String, _ calls: [[JSONValue]]) async throws -> [JSONValue] {
        guard !calls.isEmpty else { return [] }
        let body = JSONValue.array(calls.enumerated().map { Self.call(method, $1, id: Int64($0)) })
        guard let replies = try await post(body, what: method).arrayValue, replies.count == calls.count else {
            throw LedgerClientError.malformed("\(method): batch reply is not an array of \(calls.count) replies")
        }
        // Replies may come in any order; each id must appear exactly once.
        var results = [JSONValue?](repeating: nil, count: calls.count)
        for reply in replies {
            guard let id = reply["id"]?.integerValue, id >= 0, id < calls.count, results[Int(id)] == nil else {
                throw LedgerClientError.malformed("\(method): batch reply with a missing, unknown or repeated id")
            }
            results[Int(id)] = try Self.result(of: reply, id: id, method: method)
        }
        return results.compactMap { $0 }
    }

    static func call(_ method: String, _ params: [JSONValue], id: Int64) -> JSONValue {
        ["jsonrpc": "2.0", "id": .integer(id), "method": .string(method), "params": .array(params)]
    }

    /// The `result` of one reply object, or its error as `LedgerClientError`.
    static func result(of reply: JSONValue, id: Int64, method: String) throws -> JSONValue {
        guard reply["jsonrpc"] == .string("2.0"), reply["id"] == .integer(id) else {
            throw LedgerClientError.malformed("\(method): reply is not JSON-RPC 2.0 for request id \(id)")
        }
        if let error = reply["error"], !error.isNull {
            throw mapError(error, method: method)
        }
        guard let result = reply["result"] else { throw LedgerClientError.malformed("\(method): reply has no result") }
        return result
    }

    /// POSTs `body` and parses the reply as JSON.
    func post(_ body: JSONValue, what method: String) async throws -> JSONValue {
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(body.serialized.utf8)
        let data: Data
        let response: URLResponse
        switch await HTTPDeadline.send(request, session: session, seconds: timeoutSeconds) {
        case let .answered(body, answer): (data, response) = (body, answer)
        case let .failed(error):
            throw LedgerClientError.transport("\(url.absoluteString): \(error.localizedDescription)")
        case .timedOut:
            // A node that accepted the connection but stopped answering: a finding, not a hang.
            throw LedgerClientError.timeout("\(method): no answer from \(url.absoluteString) within \(timeoutSeconds) s")
        }
        guard data.count <= Self.maxReplyBytes else {
            throw LedgerClientError.malformed("\(method): reply of \(data.count) bytes is over the limit")
        }
        guard let reply = JSONValue.parse(Array(data)) else {
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            throw LedgerClientError.malformed("\(method): HTTP \(status) with a body that is not JSON")
        }
        return reply
    }

    /// The typed error for a JSON-RPC error object.
    static func mapError(_ error: JSONValue, method: String) -> LedgerClientError {
        guard let code = error["code"]?.integerValue, let message = error["message"]?.stringValue else {
            return .malformed("\(method): error object without an integer code and a message")
        }
        if code == revertedCode {
            // "execution reverted: <reason>" with the revert bytes as data (hex).
            var data: [UInt8] = []
            if let hex = error["data"]?.stringValue, let bytes = try? Hex.decode(hex, requirePrefix: true) { data = bytes }
            let prefix = "execution reverted: "
            let reason = message.hasPrefix(prefix) ? String(message.dropFirst(prefix.count)) : nil
            return .reverted(data: data, reason: reason)
        }
        return .node(code: Int(code), message: message)
    }
}
