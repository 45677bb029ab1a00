import Foundation
import Kafka
import MLedgerTesting
import Testing

/// A TCP server on a loopback port that answers each request frame with bytes a test scripts
/// (fault injection: what a broken or hostile broker could send). `reply` gets the request's
/// API key and correlation id and the index of the request on the connection.
enum ScriptedReply {
    case send([UInt8])
    case sendAndClose([UInt8])
}

final class ScriptedServer: @unchecked Sendable {
    let port: Int
    private let listener: Int32

    init(reply: @escaping @Sendable (_ apiKey: Int16, _ correlationID: Int32, _ index: Int) -> ScriptedReply) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listening = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
                bind(listener, pointer, length) == 0 && listen(listener, 8) == 0 && getsockname(listener, pointer, &length) == 0
            }
        }
        guard listening else { throw BrokerProcess.Failure.didNotStart("scripted server: bind failed") }
        port = Int(UInt16(bigEndian: address.sin_port))
        self.listener = listener
        Thread.detachNewThread {
            while true {
                let client = accept(listener, nil, nil)
                if client < 0 { return }
                Thread.detachNewThread {
                    defer { close(client) }
                    var index = 0
                    while let request = ScriptedServer.readFrame(client) {
                        guard request.count >= 8 else { return }
                        let apiKey = Int16(bitPattern: UInt16(request[0]) << 8 | UInt16(request[1]))
                        let correlation = request[4..<8].reduce(Int32(0)) { $0 << 8 | Int32($1) }
                        let answer = reply(apiKey, correlation, index)
                        index += 1
                        switch answer {
                        case .send(let bytes):
                            _ = bytes.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                        case .sendAndClose(let bytes):
                            _ = bytes.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                            return
                        }
                    }
                }
            }
        }
    }

    deinit {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private static func readFrame(_ socket: Int32) -> [UInt8]? {
        func readExactly(_ count: Int) -> [UInt8]? {
            var buffer = [UInt8](repeating: 0, count: count)
            var done = 0
            while done < count {
                let got = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress! + done, count - done, 0) }
                if got <= 0 { return nil }
                done += got
            }
            return buffer
        }
        guard let size = readExactly(4) else { return nil }
        return readExactly(Int(size.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }))
    }
}

/// A response frame: size, correlation id, body.
func frame(_ correlationID: Int32, _ body: [UInt8]) -> [UInt8] {
    var writer = WireWriter()
    writer.int32(Int32(4 + body.count))
    writer.int32(correlationID)
    return writer.bytes + body
}

/// An ApiVersions v0 body offering the versions this client speaks (minus `without`).
func apiVersionsBody(without: Int16? = nil) -> [UInt8] {
    var writer = WireWriter()
    writer.int16(0)
    let keys: [Int16] = [0, 1, 2, 3, 18].filter { $0 != without }
    writer.array(keys) { writer, key in
        writer.int16(key)
        writer.int16(0)
        writer.int16(9)
    }
    return writer.bytes
}

@Suite("Kafka client: malformed responses and truncated frames end in errors, never a crash")
struct KafkaMalformedResponseTests {
    func connectError(_ reply: @escaping @Sendable (Int16, Int32, Int) -> ScriptedReply) async throws -> any Error {
        let server = try ScriptedServer(reply: reply)
        do {
            let connection = try await KafkaConnection.connect(host: "127.0.0.1", port: server.port, requestTimeoutSeconds: 2)
            connection.close()
        } catch {
            return error
        }
        Issue.record("connect succeeded against a broken server")
        return KafkaError.connection("unexpected success")
    }

    @Test("a frame cut off by a close")
    func truncatedFrame() async throws {
        // Half a frame, then the connection stays open: the request timeout ends the wait.
        let open = try await connectError { _, id, _ in .send(Array(frame(id, apiVersionsBody()).prefix(9))) }
        #expect("\(open)".contains("timed out"), "\(open)")
        // Half a frame, then a close.
        let closed = try await connectError { _, id, _ in .sendAndClose(Array(frame(id, apiVersionsBody()).prefix(9))) }
        #expect("\(closed)".contains("closed"), "\(closed)")
    }

    @Test("impossible frame sizes: negative, below the correlation id, beyond the limit")
    func badFrameSizes() async throws {
        for size: Int32 in [-5, 2, Int32.max] {
            let error = try await connectError { _, _, _ in
                var writer = WireWriter()
                writer.int32(size)
                writer.int32(1)
                return .send(writer.bytes)
            }
            #expect("\(error)".contains("frame size"), "\(error)")
        }
    }

    @Test("an answer to a request that was never sent (wrong correlation id)")
    func wrongCorrelationID() async throws {
        let error = try await connectError { _, id, _ in .send(frame(id + 7, apiVersionsBody())) }
        #expect("\(error)".contains("correlation id"), "\(error)")
    }

    @Test("a broker without a version this client speaks is named at connect")
    func unsupportedVersion() async throws {
        let error = try await connectError { _, id, _ in .send(frame(id, apiVersionsBody(without: 1))) }
        #expect("\(error)".contains("Fetch"), "\(error)")
    }

    @Test("bodies that lie about their lengths and counts")
    func lyingBodies() async throws {
        var hugeCount = WireWriter()
        hugeCount.int16(0)
        hugeCount.int32(Int32.max)
        var negativeCount = WireWriter()
        negativeCount.int16(0)
        negativeCount.int32(-7)
        for body in [hugeCount.bytes, negativeCount.bytes, [0], Array(apiVersionsBody().dropLast(3))] {
            let error = try await connectError { _, id, _ in .send(frame(id, body)) }
            #expect(error is KafkaError, "\(error)")
        }
    }

    @Test("after a good ApiVersions: truncated Metadata and Fetch answers throw from the client calls")
    func truncatedLaterResponses() async throws {
        let server = try ScriptedServer { apiKey, id, _ in
            if apiKey == 18 { return .send(frame(id, apiVersionsBody())) }
            // Metadata v1 with one broker whose host string claims 300 bytes.
            var body = WireWriter()
            body.int32(1)
            body.int32(1)
            body.int16(300)
            body.bytes += Array("127.0.0.1".utf8)
            return .send(frame(id, body.bytes))
        }
        let client = KafkaClient(host: "127.0.0.1", port: server.port)
        await #expect(throws: KafkaError.self) { try await client.partitions(of: "t") }
        await #expect(throws: KafkaError.self) { try await client.fetch(topic: "t", partition: 0, offset: 0) }
        await client.close()
    }

    @Test("seeded random answers to every request: errors only")
    func randomAnswers() async throws {
        for seed in 0..<40 {
            var generator = SplitMix64(seed: UInt64(seed))
            let length = Int(generator.next() % 64)
            let noise = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            let server = try ScriptedServer { apiKey, id, _ in
                if apiKey == 18 { return .send(frame(id, apiVersionsBody())) }
                return .send(frame(id, noise))
            }
            let client = KafkaClient(host: "127.0.0.1", port: server.port)
            _ = try? await client.partitions(of: "t")
            _ = try? await client.offset(topic: "t", partition: 0, earliest: true)
            await client.close()
        }
    }

    @Test("a silent broker: the request times out")
    func silentBroker() async throws {
        let error = try await connectError { _, _, _ in .send([]) }
        #expect("\(error)".contains("timed out"), "\(error)")
    }
}

