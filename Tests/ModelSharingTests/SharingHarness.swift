import Chain
import Crypto
import DevStack
import Foundation
import Hummingbird
import HummingbirdTesting
import LedgerClient
import Logging
import ModelSharing
import NIOCore
import Node
import ObjectStore
import Primitives
import Registry
import RPC
import Testing
import Verification

/// Which object store a harness runs on.
enum HarnessStore {
    /// `FileObjectStore` under `<datadir>/objects`.
    case files
    /// The S3 server named by MLEDGER_S3_* (tools/with-seaweedfs starts one), made by the same
    /// rule as `mledger run` (`ObjectStoreConfiguration.fromEnvironment`).
    case s3
}

struct S3NotConfigured: Error, CustomStringConvertible {
    var description: String {
        "MLEDGER_S3_ENDPOINT is not set: run the S3 suites through tools/with-seaweedfs (tools/test does), or set MLEDGER_SKIP_S3=1"
    }
}

/// A throw-away dev chain with the model-sharing service over it (`DevSharingStack`), on the
/// files store or on the S3 server the test script started.
final class SharingHarness: @unchecked Sendable {
    let stack: DevSharingStack
    var directory: URL { stack.directory }
    var node: LedgerNode { stack.node }
    var client: InProcessLedgerClient { stack.client }
    var registry: Registry { stack.registry }
    var store: any ObjectStore { stack.store }
    var service: ModelSharingService { stack.service }

    var objectsRoot: URL { directory.appendingPathComponent("objects") }

    init(configuration: ModelSharingConfiguration = ModelSharingConfiguration(), faults: SharingFaults = SharingFaults(),
         store choice: HarnessStore = .files) throws {
        var settings: S3Settings?
        if choice == .s3 {
            guard case .s3(let configured) = try ObjectStoreConfiguration.fromEnvironment() else { throw S3NotConfigured() }
            settings = configured
        }
        stack = try DevSharingStack(label: "sharing", configuration: configuration, faults: faults, makeStore: { directory in
            guard let settings else { return FileObjectStore(root: directory.appendingPathComponent("objects").path) }
            return try ObjectStoreConfiguration.s3(settings).makeStore(dataDirectory: directory.path)
        }, logger: Logger(label: "sharing-test"))
    }

    func close() { stack.close() }

    /// Runs `body` with an in-memory client of the service's router and always cleans up.
    static func with(configuration: ModelSharingConfiguration = ModelSharingConfiguration(), faults: SharingFaults = SharingFaults(),
                     store: HarnessStore = .files,
                     _ body: @Sendable (SharingHarness, any TestClientProtocol) async throws -> Void) async throws {
        let harness = try SharingHarness(configuration: configuration, faults: faults, store: store)
        defer { harness.close() }
        let app = Application(router: harness.service.makeRouter())
        try await app.test(.router) { client in try await body(harness, client) }
    }

    /// Regular files under the object store (committed objects and upload temporaries alike).
    func storedFiles() -> [URL] {
        guard let walker = FileManager.default.enumerator(at: objectsRoot, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        return walker.compactMap { $0 as? URL }.filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
    }
}

/// A `multipart/form-data` body built by hand (so tests can also cut it short).
struct MultipartBody {
    static let boundary = "mledger-test-boundary-7f3a"
    var bytes: [UInt8] = []

    static var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    mutating func field(_ name: String, _ text: String) {
        bytes += Array("--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(text)\r\n".utf8)
    }

    mutating func file(_ name: String, filename: String, _ content: [UInt8]) {
        bytes += Array("--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8)
        bytes += content
        bytes += Array("\r\n".utf8)
    }

    func closed() -> [UInt8] { bytes + Array("--\(Self.boundary)--\r\n".utf8) }
}

enum HTTP {
    static func json(_ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String,
                     _ body: JSONValue? = nil) async throws -> (HTTPResponse.Status, JSONValue) {
        try await client.execute(uri: uri, method: method, headers: [.contentType: "application/json"],
                                 body: body.map { ByteBuffer(string: $0.serialized) }) { response in
            (response.status, JSONValue.parse(Array(buffer: response.body)) ?? .null)
        }
    }

    static func multipart(_ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String,
                          _ body: [UInt8]) async throws -> (HTTPResponse.Status, JSONValue) {
        try await client.execute(uri: uri, method: method, headers: [.contentType: MultipartBody.contentType],
                                 body: ByteBuffer(bytes: body)) { response in
            (response.status, JSONValue.parse(Array(buffer: response.body)) ?? .null)
        }
    }

    /// GET of raw bytes: status, headers, body.
    static func bytes(_ client: any TestClientProtocol, _ uri: String, headers: HTTPFields = [:]) async throws
        -> (HTTPResponse.Status, HTTPFields, [UInt8]) {
        try await client.execute(uri: uri, method: .get, headers: headers) { response in
            (response.status, response.headers, Array(buffer: response.body))
        }
    }
}

/// Deterministic test bytes.
func testBytes(_ count: Int, seed: UInt64 = 1) -> [UInt8] {
    var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    return (0..<count).map { _ in
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        return UInt8(truncatingIfNeeded: state)
    }
}

/// A small CSV dataset (two features, `rows` samples).
func testCSV(rows: Int) -> [UInt8] {
    var text = "power_w,voltage\n"
    for i in 0..<rows { text += "\(Double(i) * 1.5),\(230 + i % 7)\n" }
    return Array(text.utf8)
}
