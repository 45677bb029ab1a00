import NIOCore
import NIOPosix

/// Splits the byte stream into Kafka frames (int32 size, then that many bytes). A size that
/// is negative, too small for a correlation id or beyond the limit ends the connection with
/// an error; so does a close in the middle of a frame.
final class KafkaFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer
    let maximumFrameSize: Int

    init(maximumFrameSize: Int) { self.maximumFrameSize = maximumFrameSize }

    func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let size = buffer.getInteger(at: buffer.readerIndex, as: Int32.self) else { return .needMoreData }
        guard size >= 4, Int(size) <= maximumFrameSize else {
            throw KafkaError.malformed("response frame size \(size) (allowed 4…\(maximumFrameSize))")
        }
        guard buffer.readableBytes >= 4 + Int(size) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 4)
        context.fireChannelRead(wrapInboundOut(buffer.readSlice(length: Int(size))!))
        return .continue
    }

    func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        if buffer.readableBytes > 0 {
            throw KafkaError.truncated("connection closed inside a response frame (\(buffer.readableBytes) bytes of it received)")
        }
        return .needMoreData
    }
}

/// Where a response goes. A request can end in several ways (response, timeout, write
/// failure, closed connection); all run on the channel's event loop, and only the first counts.
final class ResponseSlot {
    private let promise: EventLoopPromise<[UInt8]>
    private var done = false
    init(_ promise: EventLoopPromise<[UInt8]>) { self.promise = promise }

    func succeed(_ bytes: [UInt8]) {
        if done { return }
        done = true
        promise.succeed(bytes)
    }

    func fail(_ error: any Error) {
        if done { return }
        done = true
        promise.fail(error)
    }
}

/// A request on its way out: the body, and where its response goes.
struct OutgoingRequest {
    var api: KafkaAPI
    var version: Int16
    var body: [UInt8]
    var slot: ResponseSlot
}

/// Writes requests with fresh correlation ids and hands each response frame to the request
/// it answers. Kafka answers in order on one connection, so a FIFO suffices; a frame whose
/// correlation id is not the oldest pending one means the stream is out of step: everything
/// pending fails and the connection closes.
final class KafkaRequestHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = OutgoingRequest
    typealias OutboundOut = ByteBuffer

    private let clientID: String
    private var nextCorrelationID: Int32 = 1
    private var pending: [(id: Int32, api: KafkaAPI, slot: ResponseSlot)] = []

    init(clientID: String) { self.clientID = clientID }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        let id = nextCorrelationID
        nextCorrelationID = nextCorrelationID == Int32.max ? 1 : nextCorrelationID + 1
        var header = WireWriter()
        header.int16(request.api.rawValue)
        header.int16(request.version)
        header.int32(id)
        header.string(clientID)
        var buffer = context.channel.allocator.buffer(capacity: 4 + header.bytes.count + request.body.count)
        buffer.writeInteger(Int32(header.bytes.count + request.body.count))
        buffer.writeBytes(header.bytes)
        buffer.writeBytes(request.body)
        pending.append((id, request.api, request.slot))
        context.write(wrapOutboundOut(buffer), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var frame = unwrapInboundIn(data)
        guard let id = frame.readInteger(as: Int32.self) else { return }
        guard let first = pending.first, first.id == id else {
            failAll(KafkaError.malformed("response with correlation id \(id), expected \(pending.first.map { "\($0.id)" } ?? "none")"))
            context.close(promise: nil)
            return
        }
        pending.removeFirst()
        first.slot.succeed(frame.readBytes(length: frame.readableBytes) ?? [])
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll(error as? KafkaError ?? KafkaError.connection("\(error)"))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(KafkaError.connection("the broker closed the connection"))
        context.fireChannelInactive()
    }

    private func failAll(_ error: any Error) {
        let failing = pending
        pending = []
        for request in failing { request.slot.fail(error) }
    }
}

/// One TCP connection to one broker, with the API versions negotiated at connect time.
public final class KafkaConnection: @unchecked Sendable {
    let channel: any Channel
    public let host: String
    public let port: Int
    private(set) var brokerVersions: [Int16: ClosedRange<Int16>] = [:]
    let requestTimeoutSeconds: Int64

    private init(channel: any Channel, host: String, port: Int, requestTimeoutSeconds: Int64) {
        self.channel = channel
        self.host = host
        self.port = port
        self.requestTimeoutSeconds = requestTimeoutSeconds
    }

    /// Connects and asks ApiVersions; fails at once if the broker lacks a version this client needs.
    public static func connect(host: String, port: Int, clientID: String = "mledger",
                               group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
                               maximumFrameSize: Int = 128 << 20, requestTimeoutSeconds: Int64 = 30) async throws -> KafkaConnection {
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(.seconds(10))
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(KafkaFrameDecoder(maximumFrameSize: maximumFrameSize)))
                    try channel.pipeline.syncOperations.addHandler(KafkaRequestHandler(clientID: clientID))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: host, port: port).get()
        } catch {
            throw KafkaError.connection("cannot connect to \(host):\(port): \(error)")
        }
        let connection = KafkaConnection(channel: channel, host: host, port: port, requestTimeoutSeconds: requestTimeoutSeconds)
        do {
            var reader = try await connection.send(.apiVersions, body: [], negotiated: false)
            connection.brokerVersions = try ApiVersionsResponse.read(&reader).ranges
            for api in KafkaAPI.allCases where !(connection.brokerVersions[api.rawValue]?.contains(api.version) ?? false) {
                throw KafkaError.unsupportedVersion(api: api.name, brokerRange: connection.brokerVersions[api.rawValue], ours: api.version...api.version)
            }
        } catch {
            connection.close()
            throw error
        }
        return connection
    }

    /// Sends one request and returns a reader over the response body (after the correlation id).
    func send(_ api: KafkaAPI, body: [UInt8], negotiated: Bool = true) async throws -> WireReader {
        let promise = channel.eventLoop.makePromise(of: [UInt8].self)
        let slot = ResponseSlot(promise)
        let seconds = requestTimeoutSeconds
        let timeout = channel.eventLoop.scheduleTask(in: .seconds(seconds)) { [channel] in
            slot.fail(KafkaError.timedOut("\(api.name) after \(seconds) s"))
            channel.close(promise: nil)  // later responses would be out of step
        }
        promise.futureResult.whenComplete { _ in timeout.cancel() }
        channel.writeAndFlush(OutgoingRequest(api: api, version: api.version, body: body, slot: slot)).whenFailure { error in
            slot.fail(KafkaError.connection("writing \(api.name): \(error)"))
        }
        let bytes = try await promise.futureResult.get()
        return WireReader(bytes, context: "\(api.name) v\(api.version) response")
    }

    public var isActive: Bool { channel.isActive }

    public func close() {
        channel.close(promise: nil)
    }
}
