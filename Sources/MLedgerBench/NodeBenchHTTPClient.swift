import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import RPC
import Primitives

/// JSON-RPC over HTTP with URLSession: blocking `post` calls (one per worker thread), with
/// at most `connections` keep-alive connections to the node.
final class NodeBenchHTTPClient: NodeBenchBatchTransport {
    private let url: URL
    private let session: URLSession

    init(port: Int, connections: Int) {
        url = URL(string: "http://127.0.0.1:\(port)/")!  // a literal loopback URL: always valid
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = connections
        configuration.timeoutIntervalForRequest = 300
        session = URLSession(configuration: configuration)
    }

    deinit { session.invalidateAndCancel() }

    /// Posts one request body and returns the response body; HTTP statuses other than 200
    /// are errors.
    func exchange(_ body: [UInt8]) throws -> [UInt8] {
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.httpBody = Data(body)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        let box = ResultBox()
        session.dataTask(with: request) { data, response, error in
            if let error {
                box.set(.failure(NodeBenchError.transport("HTTP: \(error.localizedDescription)")))
            } else if let status = (response as? HTTPURLResponse)?.statusCode, status != 200 {
                box.set(.failure(NodeBenchError.transport("HTTP status \(status): \(String(decoding: data ?? Data(), as: UTF8.self).prefix(200))")))
            } else {
                box.set(.success([UInt8](data ?? Data())))
            }
        }.resume()
        return try box.wait()
    }

    /// One call; returns its `result` or throws its `error`.
    func call(_ method: String, _ params: String = "[]") throws -> JSONValue {
        try NodeBenchRPC.single(self, method, params)
    }

    /// Waits for a completion handler's outcome.
    private final class ResultBox: @unchecked Sendable {
        private let lock = NSLock()
        private let done = DispatchSemaphore(value: 0)
        private var result: Result<[UInt8], any Error> = .failure(NodeBenchError.transport("no answer"))

        func set(_ value: Result<[UInt8], any Error>) {
            lock.withLock { result = value }
            done.signal()
        }

        func wait() throws -> [UInt8] {
            done.wait()
            return try lock.withLock { result }.get()
        }
    }
}
