import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A small RFC 6455 WebSocket client over a blocking loopback socket: enough to send JSON-RPC
/// requests as text messages and read replies and subscription notifications. Client frames
/// are masked (RFC 6455 section 5.3); no extensions are negotiated, so server frames arrive
/// uncompressed. One thread sends and receives on a connection at a time (the head watcher
/// sends once, then only receives).
final class NodeBenchWebSocket: NodeBenchBatchTransport {
    private let socketDescriptor: Int32
    private var received = [UInt8]()
    private var readOffset = 0
    private let sendLock = NSLock()

    /// Connects to `127.0.0.1:port` and performs the opening handshake on `/`.
    init(port: Int) throws {
        socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketDescriptor >= 0 else { throw NodeBenchError.transport("socket() failed: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let code = errno
            Glibc.close(socketDescriptor)
            throw NodeBenchError.transport("connect to 127.0.0.1:\(port) failed: errno \(code)")
        }
        // Small request/reply messages must not wait for Nagle's algorithm.
        var one: Int32 = 1
        setsockopt(socketDescriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        do {
            try handshake(port: port)
        } catch {
            Glibc.close(socketDescriptor)
            throw error
        }
    }

    deinit { Glibc.close(socketDescriptor) }

    private func handshake(port: Int) throws {
        let key = Data((0..<16).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let request = "GET / HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\n\r\n"
        try writeAll(Array(request.utf8))
        let terminator: [UInt8] = Array("\r\n\r\n".utf8)
        while true {
            if let end = find(terminator) {
                let head = String(decoding: received[readOffset..<end], as: UTF8.self)
                readOffset = end + terminator.count
                guard head.hasPrefix("HTTP/1.1 101") else {
                    throw NodeBenchError.transport("WebSocket upgrade refused: \(head.prefix(120))")
                }
                return
            }
            guard received.count - readOffset < 16_384 else { throw NodeBenchError.transport("WebSocket handshake reply too long") }
            try fill()
        }
    }

    // MARK: Messages

    /// Sends `body` as one text message and returns the next message received (the reply:
    /// a JSON-RPC connection answers its requests in order).
    func exchange(_ body: [UInt8]) throws -> [UInt8] {
        try send(body)
        return try receive()
    }

    /// Sends one text message in a single masked frame.
    func send(_ payload: [UInt8], opcode: UInt8 = 0x1) throws {
        var frame = [UInt8]()
        frame.reserveCapacity(payload.count + 14)
        frame.append(0x80 | opcode)  // FIN: the message is this one frame
        if payload.count < 126 {
            frame.append(0x80 | UInt8(payload.count))
        } else if payload.count <= 0xFFFF {
            frame.append(0x80 | 126)
            frame.append(UInt8(payload.count >> 8)); frame.append(UInt8(payload.count & 0xFF))
        } else {
            frame.append(0x80 | 127)
            for shift in stride(from: 56, through: 0, by: -8) { frame.append(UInt8(truncatingIfNeeded: payload.count >> shift)) }
        }
        let mask = (0..<4).map { _ in UInt8.random(in: 0...255) }
        frame += mask
        for (index, byte) in payload.enumerated() { frame.append(byte ^ mask[index & 3]) }
        try sendLock.withLock { try writeAll(frame) }
    }

    /// The next text or binary message, reassembled from its frames; pings are answered.
    func receive() throws -> [UInt8] {
        var message = [UInt8]()
        while true {
            let header = try take(2)
            let final = header[0] & 0x80 != 0
            let opcode = header[0] & 0x0F
            var length = UInt64(header[1] & 0x7F)
            if length == 126 {
                length = try take(2).reduce(0) { $0 << 8 | UInt64($1) }
            } else if length == 127 {
                length = try take(8).reduce(0) { $0 << 8 | UInt64($1) }
            }
            guard length <= 64 << 20 else { throw NodeBenchError.transport("WebSocket frame of \(length) bytes") }
            var payload = try take(Int(length))
            if header[1] & 0x80 != 0 {  // servers do not mask, but unmasking costs nothing to support
                let mask = try take(4)
                for index in payload.indices { payload[index] ^= mask[index & 3] }
            }
            switch opcode {
            case 0x8: throw NodeBenchError.transport("the node closed the WebSocket")
            case 0x9: try send(payload, opcode: 0xA)
            case 0xA: continue
            default:
                message += payload
                if final { return message }
            }
        }
    }

    /// Sends a close frame and shuts the socket down.
    func disconnect() {
        try? send([0x03, 0xE8], opcode: 0x8)  // 1000: normal closure
        shutdown(socketDescriptor, Int32(SHUT_RDWR))
    }

    // MARK: Socket bytes

    private func writeAll(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                Glibc.send(socketDescriptor, buffer.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw NodeBenchError.transport("WebSocket send failed: errno \(errno)")
            }
            offset += written
        }
    }

    /// Reads what the socket has (at least one byte) into `received`.
    private func fill() throws {
        if readOffset > 1 << 20 {
            received.removeFirst(readOffset)
            readOffset = 0
        }
        var chunk = [UInt8](repeating: 0, count: 256 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(socketDescriptor, $0.baseAddress!, $0.count, 0) }
            if count > 0 { received += chunk[..<count]; return }
            if count < 0 && errno == EINTR { continue }
            throw NodeBenchError.transport(count == 0 ? "the node closed the connection" : "recv failed: errno \(errno)")
        }
    }

    private func take(_ count: Int) throws -> [UInt8] {
        while received.count - readOffset < count { try fill() }
        defer { readOffset += count }
        return Array(received[readOffset..<(readOffset + count)])
    }

    private func find(_ pattern: [UInt8]) -> Int? {
        guard received.count - readOffset >= pattern.count else { return nil }
        var index = readOffset
        while index + pattern.count <= received.count {
            if received[index] == pattern[0] && Array(received[index..<(index + pattern.count)]) == pattern { return index }
            index += 1
        }
        return nil
    }
}
