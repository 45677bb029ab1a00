import Primitives
import Chain
import Crypto
import DevStack
import Foundation
import Hummingbird
import LedgerClient
import Logging
import ModelSharing
import Node
import ObjectStore
import Registry
import Verification
#if canImport(Glibc)
import Glibc
#endif

/// `mledger-bench sharing [--size-mib N] [--registrations N] [--clients N] [--wrk-seconds N] [--genesis FILE]`:
/// the model-sharing REST API of an in-process node (instant sealing, files store in a temporary
/// data directory) on loopback, each figure beside a reference measured in the same run:
/// - upload and download of one file through HTTP (hashing, chunk tree, verified streaming),
///   beside Keccak-256 alone on the same bytes, a raw loopback TCP copy and a disk write; the RSS
///   growth during each transfer;
/// - JSON dataset and model registrations per second from `--clients` keep-alive connections,
///   beside a no-op route on the same connections;
/// - p99 of `GET /model/{id}/metadata` under 50 wrk connections, beside the no-op route.
///
/// The clients run on their own threads with blocking sockets: on a 2-core machine the
/// cooperative pool has two threads, and a client on one of them would halve the server.
func runSharingBenchmarks() {
    do {
        let options = try SharingBenchOptions(arguments: Array(CommandLine.arguments.dropFirst(2)))
        try SharingBench(options: options).run()
    } catch {
        FileHandle.standardError.write("sharing: \(error)\n".data(using: .utf8)!)
        exit(1)
    }
}

struct SharingBenchOptions {
    var sizeMiB = 1024
    var registrations = 300
    var clients = 8
    var wrkSeconds = 10
    var genesisPath = "genesis/dev.json"

    static let usage = "usage: mledger-bench sharing [--size-mib N] [--registrations N] [--clients N] [--wrk-seconds N] [--genesis FILE]"

    init(arguments: [String]) throws {
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { throw NodeBenchError.setup("\(flag) needs a value; \(Self.usage)") }
            if flag == "--genesis" { genesisPath = value; continue }
            guard let n = Int(value), n > 0 else { throw NodeBenchError.setup("\(flag) needs a positive number; \(Self.usage)") }
            switch flag {
            case "--size-mib": sizeMiB = n
            case "--registrations": registrations = n
            case "--clients": clients = n
            case "--wrk-seconds": wrkSeconds = n
            default: throw NodeBenchError.setup("unknown option \(flag); \(Self.usage)")
            }
        }
    }
}

final class SharingBench {
    let options: SharingBenchOptions
    static let mebibyte = 1 << 20
    /// The file's bytes: one random MiB repeated, each copy stamped with its index in its first
    /// 8 bytes (so no two chunks of the file are equal).
    let base: [UInt8]

    init(options: SharingBenchOptions) {
        self.options = options
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        base = (0..<Self.mebibyte).map { _ in
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return UInt8(truncatingIfNeeded: state)
        }
    }

    /// Turns a copy of `base` into MiB number `index` of the file, in place.
    func stamp(_ bytes: inout [UInt8], _ index: Int) {
        withUnsafeBytes(of: UInt64(index).littleEndian) { stamp in
            for i in 0..<8 { bytes[i] = stamp[i] }
        }
    }

    func run() throws {
        print("== sharing ==")
        let stack = try DevSharingStack.bench("sharing", genesisPath: options.genesisPath)
        defer { stack.close() }
        let (root, service, logger) = (stack.directory, stack.service, benchLogger)
        let router = service.makeRouter()
        // The latency and request-rate reference: routing, middleware and HTTP, no work.
        router.get("/bench/noop") { _, _ -> HTTPResponse.Status in .ok }
        let port = PortBox()
        let app = Application(router: router,
                              configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0), serverName: "MLedger"),
                              onServerRunning: { channel in port.set(channel.localAddress?.port ?? 0) }, logger: logger)
        let server = Task { try await app.runService() }
        defer { server.cancel() }
        let listening = try port.wait(seconds: 30)

        try transfers(port: listening, directory: root)
        let modelId = try registrations(port: listening)
        if let plain = try latency(port: listening, modelId: modelId) {
            try latencyWithBearerTokens(service: service, logger: logger, modelId: modelId, plain: plain)
        }
    }

    // MARK: Transfers

    func transfers(port: Int, directory: URL) throws {
        let size = options.sizeMiB * Self.mebibyte
        let mb = Double(size) / 1e6

        let keccakSeconds = keccakAlone()
        let loopbackSeconds = try loopbackCopy()
        let diskSeconds = try diskWrite(directory.appendingPathComponent("disk-reference.bin").path)

        let (uploadSeconds, id, uploadRSS) = try upload(port: port)
        report("upload \(options.sizeMiB) MiB (POST /dataset)", mb / uploadSeconds, "MB/s",
               reference: String(format: "Keccak-256 alone %.0f MB/s, loopback copy %.0f MB/s, disk write+fsync %.0f MB/s",
                                 mb / keccakSeconds, mb / loopbackSeconds, mb / diskSeconds))
        report("  RSS growth during the upload", Double(uploadRSS) / Double(Self.mebibyte), "MiB", reference: "limit 64 MiB")
        let (downloadSeconds, downloadRSS) = try download(port: port, id: id)
        report("download \(options.sizeMiB) MiB (GET /dataset/{id})", mb / downloadSeconds, "MB/s",
               reference: String(format: "Keccak-256 alone %.0f MB/s, loopback copy %.0f MB/s", mb / keccakSeconds, mb / loopbackSeconds))
        report("  RSS growth during the download", Double(downloadRSS) / Double(Self.mebibyte), "MiB", reference: "limit 64 MiB")
    }

    func keccakAlone() -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        var hasher = Keccak256()
        var stamped = base
        for i in 0..<options.sizeMiB {
            stamp(&stamped, i)
            stamped.withUnsafeBytes { hasher.update($0) }
        }
        _ = hasher.finalize()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// The same bytes through a plain loopback TCP connection, read and dropped by another thread.
    func loopbackCopy() throws -> Double {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
                bind(listener, pointer, length) == 0 && listen(listener, 1) == 0 && getsockname(listener, pointer, &length) == 0
            }
        }
        guard bound else { throw NodeBenchError.setup("loopback reference: cannot listen (errno \(errno))") }
        let port = Int(UInt16(bigEndian: address.sin_port))
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            let connection = accept(listener, nil, nil)
            var buffer = [UInt8](repeating: 0, count: Self.mebibyte)
            while buffer.withUnsafeMutableBytes({ read(connection, $0.baseAddress!, $0.count) }) > 0 {}
            close(connection)
            done.signal()
        }
        let start = DispatchTime.now().uptimeNanoseconds
        do {
            let client = try SharingBenchSocket(port: port)
            var stamped = base
            for i in 0..<options.sizeMiB {
                stamp(&stamped, i)
                try client.write(stamped)
            }
        }  // closed here: the reader sees the end and signals
        done.wait()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// The same bytes written to a file in the data directory and fsynced, as the files store commits.
    func diskWrite(_ path: String) throws -> Double {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw NodeBenchError.setup("disk reference: cannot create \(path)") }
        defer { close(fd); unlink(path) }
        let start = DispatchTime.now().uptimeNanoseconds
        var bytes = base
        for i in 0..<options.sizeMiB {
            stamp(&bytes, i)
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress!, $0.count) }
            guard written == bytes.count else { throw NodeBenchError.setup("disk reference: short write") }
        }
        fsync(fd)
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    func upload(port: Int) throws -> (seconds: Double, id: String, rssGrowth: Int) {
        let boundary = "mledger-bench-boundary-7c1d"
        let preamble = Array("""
            --\(boundary)\r
            Content-Disposition: form-data; name="metadata"\r
            Content-Type: application/json\r
            \r
            {"organization_id": "bench", "developer_id": "bench", "samples_dimension": "(1)"}\r
            --\(boundary)\r
            Content-Disposition: form-data; name="file"; filename="blob.bin"\r
            Content-Type: application/octet-stream\r
            \r\n
            """.utf8)
        let epilogue = Array("\r\n--\(boundary)--\r\n".utf8)
        let length = preamble.count + options.sizeMiB * Self.mebibyte + epilogue.count
        let head = "POST /dataset HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=\(boundary)\r\nContent-Length: \(length)\r\n\r\n"
        let socket = try SharingBenchSocket(port: port)
        var stamped = base  // refilled in place: the client itself must not grow the RSS
        let sampler = RSSSampler()
        let start = DispatchTime.now().uptimeNanoseconds
        try socket.write(Array(head.utf8) + preamble)
        for i in 0..<options.sizeMiB {
            stamp(&stamped, i)
            try socket.write(stamped)
        }
        try socket.write(epilogue)
        let (status, body) = try socket.readResponse()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let growth = sampler.stop()
        guard status == 200, let id = JSONValueText.string(body, key: "dataset_id") else {
            throw NodeBenchError.transport("upload answered \(status): \(String(decoding: body.prefix(300), as: UTF8.self))")
        }
        return (seconds, id, growth)
    }

    /// Reads the whole file back and compares every byte with what was sent.
    func download(port: Int, id: String) throws -> (seconds: Double, rssGrowth: Int) {
        let socket = try SharingBenchSocket(port: port)
        let sampler = RSSSampler()
        let start = DispatchTime.now().uptimeNanoseconds
        try socket.write(Array("GET /dataset/\(id) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8))
        let (status, headers) = try socket.readHead()
        let expected = options.sizeMiB * Self.mebibyte
        guard status == 200, headers["content-length"] == String(expected) else {
            throw NodeBenchError.transport("download answered \(status), Content-Length \(headers["content-length"] ?? "none")")
        }
        var staging = [UInt8](repeating: 0, count: Self.mebibyte)
        var stamped = base
        var filled = 0, index = 0, total = 0
        while total < expected {
            let n = try staging.withUnsafeMutableBytes { try socket.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[filled...])) }
            guard n > 0 else { throw NodeBenchError.transport("download ended at byte \(total) of \(expected)") }
            filled += n
            total += n
            if filled == Self.mebibyte {
                stamp(&stamped, index)
                guard staging == stamped else { throw NodeBenchError.transport("downloaded MiB \(index) differs from the upload") }
                index += 1
                filled = 0
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return (seconds, sampler.stop())
    }
}

/// Reads one string field of a small JSON response without the RPC module's types.
enum JSONValueText {
    static func string(_ body: [UInt8], key: String) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else { return nil }
        return object[key] as? String
    }
}

/// Benchmarks run their REST stacks silent: log lines would cost more than the work measured.
let benchLogger = Logger(label: "mledger-bench") { _ in SwiftLogNoOpLogHandler() }

extension DevSharingStack {
    /// The in-process node (instant sealing) with model sharing that the REST benchmarks run against.
    static func bench(_ label: String, genesisPath: String) throws -> DevSharingStack {
        try DevSharingStack(label: "bench-\(label)", genesisPath: genesisPath, logger: benchLogger)
    }
}

/// The port the server reports once it listens.
final class PortBox: @unchecked Sendable {
    private let lock = NSLock()
    private var port: Int?
    private let ready = DispatchSemaphore(value: 0)

    func set(_ value: Int) {
        lock.withLock { port = value }
        ready.signal()
    }

    func wait(seconds: Int) throws -> Int {
        guard ready.wait(timeout: .now() + .seconds(seconds)) == .success, let port = lock.withLock({ port }), port > 0 else {
            throw NodeBenchError.setup("the REST API did not start listening within \(seconds) s")
        }
        return port
    }
}
