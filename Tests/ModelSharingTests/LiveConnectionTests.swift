import Foundation
import Hummingbird
import HummingbirdTesting
import ModelSharing
import Registry
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// What a real TCP client sees: one that hangs up mid-upload, and one that downloads a file
/// whose later chunk was tampered with after the response had started.
@Suite(.serialized) struct LiveConnectionTests {
    /// A blocking TCP connection to 127.0.0.1 (tests only).
    final class RawConnection {
        let fd: Int32

        init(port: Int) throws {
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard fd >= 0, connected == 0 else { throw POSIXError(.ECONNREFUSED) }
            var timeout = timeval(tv_sec: 20, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }

        func send(_ bytes: [UInt8]) {
            var sent = 0
            while sent < bytes.count {
                let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if n <= 0 { return }
                sent += n
            }
        }

        /// Everything until the server closes (or the timeout).
        func readAll() -> [UInt8] {
            var out: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n <= 0 { return out }
                out += buffer[0..<n]
            }
        }

        func close() { _ = Glibc.close(fd) }
    }

    static func withLive(_ body: @Sendable (SharingHarness, any TestClientProtocol, Int) async throws -> Void) async throws {
        let harness = try SharingHarness()
        defer { harness.close() }
        let app = Application(router: harness.service.makeRouter())
        try await app.test(.live) { client in try await body(harness, client, try #require(client.port)) }
    }

    @Test func clientThatHangsUpMidUploadLeavesNothing() async throws {
        try await Self.withLive { harness, _, port in
            var body = MultipartBody()
            body.field("metadata", #"{"organization_id": "acme"}"#)
            body.file("file", filename: "big.bin", testBytes(400_000))
            let whole = body.closed()
            let connection = try RawConnection(port: port)
            connection.send(Array("POST /dataset HTTP/1.1\r\nHost: localhost\r\nContent-Type: \(MultipartBody.contentType)\r\nContent-Length: \(whole.count)\r\n\r\n".utf8))
            connection.send(Array(whole.prefix(250_000)))
            try await Task.sleep(for: .milliseconds(300))
            connection.close()
            // The server notices the lost body, aborts the upload and removes its traces.
            var clean = false
            for _ in 0..<50 where !clean {
                try await Task.sleep(for: .milliseconds(100))
                let pending = try await harness.registry.pendingObjects()
                clean = harness.storedFiles().isEmpty && pending.isEmpty
            }
            #expect(clean, "left behind: \(harness.storedFiles())")
            #expect(try await harness.registry.datasets(RegistryFilter(company: "acme")).isEmpty)
        }
    }

    @Test func tamperedLaterChunkCutsTheConnection() async throws {
        try await Self.withLive { harness, client, port in
            let content = testBytes(6 * 65_536)
            var body = MultipartBody()
            body.field("metadata", #"{"organization_id": "acme"}"#)
            body.file("data", filename: "raw.bin", content)
            let (status, created) = try await HTTP.multipart(client, .post, "/dataset", body.closed())
            #expect(status == .ok)
            let id = try #require(created["dataset_id"]?.stringValue)
            try IntegrityTests.flipByte(harness, at: 4 * 65_536 + 7)

            let connection = try RawConnection(port: port)
            defer { connection.close() }
            connection.send(Array("GET /dataset/\(id) HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8))
            let response = connection.readAll()
            let separator = Array("\r\n\r\n".utf8)
            let headerEnd = try #require((0..<response.count - 3).first { Array(response[$0..<$0 + 4]) == separator })
            let head = String(decoding: response[..<headerEnd], as: UTF8.self)
            #expect(head.hasPrefix("HTTP/1.1 200"))
            #expect(head.contains("Content-Length: \(content.count)"))
            let received = response.count - headerEnd - 4
            // Only the chunks before the tampered one arrived, and they are the right bytes.
            #expect(received < content.count)
            #expect(received <= 4 * 65_536)
            let verifiedPrefix = Array(response[(headerEnd + 4)...]) == Array(content.prefix(received))
            #expect(verifiedPrefix, "the bytes sent before the cut differ from the file")
        }
    }
}
