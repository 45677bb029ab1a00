import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A blocking HTTP/1.1 client on one loopback TCP connection, for `mledger-bench sharing`.
/// URLSession would hold a whole 1 GiB upload or download in memory, which is exactly what
/// the RSS figure must not include; this writes and reads in fixed buffers.
final class SharingBenchSocket {
    private let fd: Int32
    /// Bytes read past the end of the last response head.
    private var pending: [UInt8] = []

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw NodeBenchError.transport("socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw NodeBenchError.transport("connect to port \(port): errno \(errno)")
        }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit { close(fd) }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            guard n > 0 else { throw NodeBenchError.transport("write: errno \(errno)") }
            offset += n
        }
    }

    func write(_ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try write($0) } }

    /// Reads up to `buffer.count` bytes (the leftover of the head first); 0 at end of stream.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if !pending.isEmpty {
            let n = min(pending.count, buffer.count)
            pending.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: n) }
            pending.removeFirst(n)
            return n
        }
        let n = Glibc.read(fd, buffer.baseAddress!, buffer.count)
        guard n >= 0 else { throw NodeBenchError.transport("read: errno \(errno)") }
        return n
    }

    /// Reads a response head: the status and the headers (names lower-cased).
    func readHead() throws -> (status: Int, headers: [String: String]) {
        var head: [UInt8] = pending
        pending = []
        var chunk = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            if let end = Self.headEnd(head) {
                pending = Array(head[(end + 4)...])
                let lines = String(decoding: head[..<end], as: UTF8.self).components(separatedBy: "\r\n")
                let statusWords = lines.first?.split(separator: " ") ?? []
                guard statusWords.count >= 2, let status = Int(statusWords[1]) else {
                    throw NodeBenchError.transport("bad status line \(lines.first ?? "")")
                }
                var headers: [String: String] = [:]
                for line in lines.dropFirst() {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                return (status, headers)
            }
            let n = try chunk.withUnsafeMutableBytes { raw in Glibc.read(fd, raw.baseAddress!, raw.count) }
            guard n > 0 else { throw NodeBenchError.transport("connection closed before a response head") }
            head += chunk[..<n]
        }
    }

    /// One whole response with a Content-Length body held in memory (small responses only).
    func readResponse() throws -> (status: Int, body: [UInt8]) {
        let (status, headers) = try readHead()
        // No Content-Length and no chunked encoding: an empty body (Hummingbird's bodiless answers).
        guard headers["transfer-encoding"] == nil, let length = Int(headers["content-length"] ?? "0") else {
            throw NodeBenchError.transport("response without Content-Length")
        }
        var body = [UInt8](repeating: 0, count: length)
        var filled = 0
        while filled < length {
            let n = try body.withUnsafeMutableBytes { try read(into: UnsafeMutableRawBufferPointer(rebasing: $0[filled...])) }
            guard n > 0 else { throw NodeBenchError.transport("connection closed inside a body") }
            filled += n
        }
        return (status, body)
    }

    /// Sends one request with an in-memory body and reads the answer (keep-alive).
    func exchange(_ method: String, _ path: String, contentType: String? = nil, body: [UInt8] = []) throws -> (status: Int, body: [UInt8]) {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(body.count)\r\n"
        if let contentType { head += "Content-Type: \(contentType)\r\n" }
        try write(Array((head + "\r\n").utf8) + body)
        return try readResponse()
    }

    private static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for i in 0...(bytes.count - 4) where bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 {
            return i
        }
        return nil
    }
}

/// This process's resident set size, from /proc/self/statm.
func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}

/// Samples the RSS every 10 ms on its own thread until stopped; reports the peak.
final class RSSSampler: @unchecked Sendable {
    private let lock = NSLock()
    private var peak = 0
    private var running = true
    let baseline: Int

    init() {
        baseline = residentBytes()
        peak = baseline
        Thread.detachNewThread { [self] in
            while lock.withLock({ running }) {
                let now = residentBytes()
                lock.withLock { peak = max(peak, now) }
                usleep(10_000)
            }
        }
    }

    /// Stops sampling; the peak growth over the baseline, in bytes.
    func stop() -> Int {
        let now = residentBytes()
        return lock.withLock {
            running = false
            peak = max(peak, now)
            return peak - baseline
        }
    }
}
