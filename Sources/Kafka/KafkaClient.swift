import Foundation
import NIOCore
import NIOPosix

/// Where a consumer starts in a partition.
public enum KafkaStartOffset: Sendable, Equatable {
    case earliest
    case latest
    /// The first offset to deliver (typically the last committed offset + 1).
    case offset(Int64)
}

/// A Kafka client for one cluster: metadata, produce, list offsets and a fetch loop.
/// Requests to a partition go to its leader; connections are opened on first use and
/// reopened after a failure.
public actor KafkaClient {
    public let bootstrapHost: String
    public let bootstrapPort: Int
    public let clientID: String
    private var connections: [String: KafkaConnection] = [:]
    private var leaders: [String: (host: String, port: Int)] = [:]

    public init(host: String, port: Int, clientID: String = "mledger") {
        bootstrapHost = host
        bootstrapPort = port
        self.clientID = clientID
    }

    public func close() {
        for connection in connections.values { connection.close() }
        connections = [:]
    }

    private func connection(host: String, port: Int) async throws -> KafkaConnection {
        let key = "\(host):\(port)"
        if let open = connections[key], open.isActive { return open }
        let fresh = try await KafkaConnection.connect(host: host, port: port, clientID: clientID)
        connections[key] = fresh
        return fresh
    }

    /// Sends on a connection; a failed connection is dropped so the next call reconnects.
    private func request(_ api: KafkaAPI, body: [UInt8], host: String, port: Int) async throws -> WireReader {
        let connection = try await connection(host: host, port: port)
        do {
            return try await connection.send(api, body: body)
        } catch {
            if !connection.isActive { connections["\(host):\(port)"] = nil }
            throw error
        }
    }

    /// Partition ids of `topic`, and the leaders remembered for later requests.
    public func partitions(of topic: String) async throws -> [Int32] {
        var reader = try await request(.metadata, body: MetadataResponse.request(topics: [topic]), host: bootstrapHost, port: bootstrapPort)
        let metadata = try MetadataResponse.read(&reader)
        guard let entry = metadata.topics.first(where: { $0.name == topic }) else {
            throw KafkaError.malformed("Metadata response does not mention topic \(topic)")
        }
        guard entry.error == 0 else { throw KafkaError.broker(api: "Metadata", code: entry.error, topic: topic, partition: nil) }
        for partition in entry.partitions {
            if let broker = metadata.brokers.first(where: { $0.nodeID == partition.leader }) {
                leaders["\(topic)/\(partition.index)"] = (broker.host, Int(broker.port))
            }
        }
        return entry.partitions.map(\.index).sorted()
    }

    private func leader(_ topic: String, _ partition: Int32) async throws -> (host: String, port: Int) {
        if let known = leaders["\(topic)/\(partition)"] { return known }
        let known = try await partitions(of: topic)
        guard known.contains(partition), let leader = leaders["\(topic)/\(partition)"] else {
            throw KafkaError.unknownTopicOrPartition(topic: topic, partition: partition)
        }
        return leader
    }

    /// Writes one batch and returns the offset of its first record. acks -1: the broker
    /// answers once the batch is durable by its own rules.
    @discardableResult
    public func produce(topic: String, partition: Int32 = 0, records: [KafkaProducerRecord],
                        compression: KafkaCompression = .none, acks: Int16 = -1, timeoutMilliseconds: Int32 = 30_000) async throws -> Int64 {
        let batch = try RecordBatch.encode(records, compression: compression)
        let leader = try await leader(topic, partition)
        var reader = try await request(.produce, body: Produce.request(topic: topic, partition: partition, batch: batch, acks: acks,
                                                                        timeoutMilliseconds: timeoutMilliseconds),
                                       host: leader.host, port: leader.port)
        return try Produce.read(&reader, topic: topic, partition: partition)
    }

    /// The first offset kept (`ListOffsets.earliest`) or the next one to be written (`latest`).
    public func offset(topic: String, partition: Int32, earliest: Bool) async throws -> Int64 {
        let leader = try await leader(topic, partition)
        var reader = try await request(.listOffsets, body: ListOffsets.request(topic: topic, partition: partition,
                                                                                timestamp: earliest ? ListOffsets.earliest : ListOffsets.latest),
                                       host: leader.host, port: leader.port)
        return try ListOffsets.read(&reader, topic: topic, partition: partition)
    }

    /// One Fetch: the records at or after `offset` the broker has now (waiting up to `maxWait`
    /// for some), in offset order, and the offset to ask for next.
    public func fetch(topic: String, partition: Int32, offset: Int64, maxWaitMilliseconds: Int32 = 500,
                      maxBytes: Int32 = 4 << 20) async throws -> (records: [KafkaRecord], next: Int64, highWatermark: Int64) {
        let leader = try await leader(topic, partition)
        var reader = try await request(.fetch, body: Fetch.request(topic: topic, partition: partition, offset: offset,
                                                                    maxWaitMilliseconds: maxWaitMilliseconds, minBytes: 1, maxBytes: maxBytes),
                                       host: leader.host, port: leader.port)
        let fetched = try Fetch.read(&reader, topic: topic, partition: partition)
        guard fetched.error == 0 else { throw KafkaError.broker(api: "Fetch", code: fetched.error, topic: topic, partition: partition) }
        var next = offset
        var records: [KafkaRecord] = []
        for batch in fetched.batches {
            if !batch.isControl {
                // A batch starts where its first record was written, so it may begin before
                // `next`: those records were delivered already.
                for var record in batch.records where record.offset >= next {
                    record.topic = topic
                    record.partition = partition
                    records.append(record)
                    next = record.offset + 1
                }
            }
            next = max(next, batch.nextOffset)
        }
        return (records, next, fetched.highWatermark)
    }

    /// Every record of a partition from `start` on, as it arrives: at least once, in offset
    /// order, each offset once per stream (a batch fetched again is filtered by offset).
    /// The caller records the offsets it has handled and passes last + 1 when it restarts.
    /// Connection failures are retried with a growing pause; other errors end the stream.
    public nonisolated func records(topic: String, partition: Int32 = 0, from start: KafkaStartOffset,
                                    maxWaitMilliseconds: Int32 = 500) -> AsyncThrowingStream<KafkaRecord, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    var next: Int64
                    switch start {
                    case .offset(let offset): next = offset
                    case .earliest: next = try await self.offset(topic: topic, partition: partition, earliest: true)
                    case .latest: next = try await self.offset(topic: topic, partition: partition, earliest: false)
                    }
                    var pause: UInt64 = 100_000_000
                    while !Task.isCancelled {
                        do {
                            let fetched = try await self.fetch(topic: topic, partition: partition, offset: next,
                                                               maxWaitMilliseconds: maxWaitMilliseconds)
                            for record in fetched.records { continuation.yield(record) }
                            next = fetched.next
                            pause = 100_000_000
                        } catch KafkaError.connection(let why) {
                            // The broker went away: try again, waiting longer each time (up to 5 s).
                            _ = why
                            try await Task.sleep(nanoseconds: pause)
                            pause = min(pause * 2, 5_000_000_000)
                        }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

/// Consumer offsets kept by MLedger itself (not in the broker): one JSON file mapping
/// "topic/partition" to the last offset handled, replaced atomically (write, then rename).
public final class KafkaOffsetStore: @unchecked Sendable {
    public let file: URL
    private let lock = NSLock()
    private var offsets: [String: Int64]

    public init(file: URL) throws {
        self.file = file
        if let data = try? Data(contentsOf: file) {
            guard let decoded = try? JSONDecoder().decode([String: Int64].self, from: data) else {
                throw KafkaError.malformed("offset file \(file.path) is not a JSON object of offsets")
            }
            offsets = decoded
        } else {
            offsets = [:]
        }
    }

    /// The offset to resume from: one after the last committed, or `fallback` when none.
    public func startOffset(topic: String, partition: Int32, fallback: KafkaStartOffset = .earliest) -> KafkaStartOffset {
        lock.withLock { offsets["\(topic)/\(partition)"] }.map { .offset($0 + 1) } ?? fallback
    }

    public func committed(topic: String, partition: Int32) -> Int64? {
        lock.withLock { offsets["\(topic)/\(partition)"] }
    }

    /// Records `offset` as handled; durable when this returns.
    public func commit(topic: String, partition: Int32, offset: Int64) throws {
        try lock.withLock {
            offsets["\(topic)/\(partition)"] = offset
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            let data = try encoder.encode(offsets)
            let temporary = file.deletingLastPathComponent().appendingPathComponent(".\(file.lastPathComponent).\(UUID().uuidString)")
            _ = FileManager.default.createFile(atPath: temporary.path, contents: nil)
            let handle = try FileHandle(forWritingTo: temporary)
            try handle.write(contentsOf: data)
            try handle.synchronize()
            try handle.close()
            if rename(temporary.path, file.path) != 0 {
                try? FileManager.default.removeItem(at: temporary)
                throw KafkaError.connection("renaming the offset file failed: errno \(errno)")
            }
        }
    }
}
