/// Request bodies and response readers of the five APIs this client speaks, each at the one
/// (non-flexible) version it implements; `KafkaConnection` checks the broker offers it.

package enum KafkaAPI: Int16, CaseIterable, Sendable {
    case produce = 0
    case fetch = 1
    case listOffsets = 2
    case metadata = 3
    case apiVersions = 18

    /// The version written and read here.
    package var version: Int16 {
        switch self {
        case .produce: return 3      // first with record batches v2
        case .fetch: return 4        // first with record batches v2 and isolation level
        case .listOffsets: return 1  // single offset per partition
        case .metadata: return 1
        case .apiVersions: return 0
        }
    }

    package var name: String {
        switch self {
        case .produce: return "Produce"
        case .fetch: return "Fetch"
        case .listOffsets: return "ListOffsets"
        case .metadata: return "Metadata"
        case .apiVersions: return "ApiVersions"
        }
    }
}

// MARK: - ApiVersions

package struct ApiVersionsResponse {
    package var ranges: [Int16: ClosedRange<Int16>]

    package static func read(_ reader: inout WireReader) throws -> ApiVersionsResponse {
        let error = try reader.int16("error_code")
        guard error == 0 else { throw KafkaError.broker(api: "ApiVersions", code: error, topic: nil, partition: nil) }
        var ranges: [Int16: ClosedRange<Int16>] = [:]
        for (key, low, high) in try reader.array("api_keys", minimumElementSize: 6, {
            (try $0.int16("api_key"), try $0.int16("min_version"), try $0.int16("max_version"))
        }) {
            guard low <= high else { throw KafkaError.malformed("ApiVersions: api \(key) has min \(low) > max \(high)") }
            ranges[key] = low...high
        }
        return ApiVersionsResponse(ranges: ranges)
    }
}

// MARK: - Metadata

package struct MetadataResponse {
    package struct Broker { package var nodeID: Int32; package var host: String; package var port: Int32 }
    package struct Partition { package var index: Int32; package var error: Int16; package var leader: Int32 }
    package struct Topic { package var name: String; package var error: Int16; package var partitions: [Partition] }
    package var brokers: [Broker]
    package var topics: [Topic]

    package static func request(topics: [String]) -> [UInt8] {
        var writer = WireWriter()
        writer.array(topics) { $0.string($1) }
        return writer.bytes
    }

    package static func read(_ reader: inout WireReader) throws -> MetadataResponse {
        let brokers = try reader.array("brokers", minimumElementSize: 12) { reader -> Broker in
            let broker = Broker(nodeID: try reader.int32("node_id"), host: try reader.requiredString("host"), port: try reader.int32("port"))
            _ = try reader.string("rack")
            return broker
        }
        _ = try reader.int32("controller_id")
        let topics = try reader.array("topics", minimumElementSize: 9) { reader -> Topic in
            let error = try reader.int16("error_code")
            let name = try reader.requiredString("name")
            _ = try reader.int8("is_internal")
            let partitions = try reader.array("partitions", minimumElementSize: 18) { reader -> Partition in
                let error = try reader.int16("error_code")
                let index = try reader.int32("partition_index")
                let leader = try reader.int32("leader_id")
                _ = try reader.array("replica_nodes", minimumElementSize: 4) { try $0.int32("replica") }
                _ = try reader.array("isr_nodes", minimumElementSize: 4) { try $0.int32("isr") }
                return Partition(index: index, error: error, leader: leader)
            }
            return Topic(name: name, error: error, partitions: partitions)
        }
        return MetadataResponse(brokers: brokers, topics: topics)
    }
}

// MARK: - ListOffsets

package enum ListOffsets {
    /// Special timestamps: the next offset to be written, and the first one still kept.
    package static let latest: Int64 = -1
    package static let earliest: Int64 = -2

    package static func request(topic: String, partition: Int32, timestamp: Int64) -> [UInt8] {
        var writer = WireWriter()
        writer.int32(-1)  // replica id: a consumer
        writer.array([topic]) { writer, topic in
            writer.string(topic)
            writer.array([partition]) { $0.int32($1); $0.int64(timestamp) }
        }
        return writer.bytes
    }

    package static func read(_ reader: inout WireReader, topic: String, partition: Int32) throws -> Int64 {
        var found: Int64?
        for _ in try reader.array("topics", minimumElementSize: 6, { reader in
            let name = try reader.requiredString("name")
            for (index, error, offset) in try reader.array("partitions", minimumElementSize: 22, { reader -> (Int32, Int16, Int64) in
                let index = try reader.int32("partition_index")
                let error = try reader.int16("error_code")
                _ = try reader.int64("timestamp")
                return (index, error, try reader.int64("offset"))
            }) where name == topic && index == partition {
                guard error == 0 else { throw KafkaError.broker(api: "ListOffsets", code: error, topic: topic, partition: partition) }
                found = offset
            }
        }) {}
        guard let found else { throw KafkaError.malformed("ListOffsets response does not mention \(topic)/\(partition)") }
        return found
    }
}

// MARK: - Fetch

package struct FetchedPartition {
    package var error: Int16
    package var highWatermark: Int64
    package var batches: [RecordBatch]
}

package enum Fetch {
    package static func request(topic: String, partition: Int32, offset: Int64, maxWaitMilliseconds: Int32,
                                minBytes: Int32, maxBytes: Int32) -> [UInt8] {
        var writer = WireWriter()
        writer.int32(-1)  // replica id: a consumer
        writer.int32(maxWaitMilliseconds)
        writer.int32(minBytes)
        writer.int32(maxBytes)
        writer.int8(0)    // isolation: read uncommitted (no transactions are written here)
        writer.array([topic]) { writer, topic in
            writer.string(topic)
            writer.array([partition]) { writer, partition in
                writer.int32(partition)
                writer.int64(offset)
                writer.int32(maxBytes)
            }
        }
        return writer.bytes
    }

    package static func read(_ reader: inout WireReader, topic: String, partition: Int32) throws -> FetchedPartition {
        _ = try reader.int32("throttle_time_ms")
        var found: FetchedPartition?
        for _ in try reader.array("responses", minimumElementSize: 6, { reader in
            let name = try reader.requiredString("topic")
            for (index, fetched) in try reader.array("partitions", minimumElementSize: 34, { reader -> (Int32, FetchedPartition) in
                let index = try reader.int32("partition_index")
                let error = try reader.int16("error_code")
                let highWatermark = try reader.int64("high_watermark")
                _ = try reader.int64("last_stable_offset")
                _ = try reader.array("aborted_transactions", minimumElementSize: 16) { reader -> Int64 in
                    _ = try reader.int64("producer_id")
                    return try reader.int64("first_offset")
                }
                let records = try reader.lengthPrefixed("records")
                let batches = error == 0 ? try RecordBatch.decodeAll(records ?? []) : []
                return (index, FetchedPartition(error: error, highWatermark: highWatermark, batches: batches))
            }) where name == topic && index == partition {
                found = fetched
            }
        }) {}
        guard let found else { throw KafkaError.malformed("Fetch response does not mention \(topic)/\(partition)") }
        return found
    }
}

// MARK: - Produce

package enum Produce {
    package static func request(topic: String, partition: Int32, batch: [UInt8], acks: Int16, timeoutMilliseconds: Int32) -> [UInt8] {
        var writer = WireWriter()
        writer.string(nil)  // transactional id
        writer.int16(acks)
        writer.int32(timeoutMilliseconds)
        writer.array([topic]) { writer, topic in
            writer.string(topic)
            writer.array([partition]) { writer, partition in
                writer.int32(partition)
                writer.lengthPrefixed(batch)
            }
        }
        return writer.bytes
    }

    /// The base offset the broker gave the batch.
    package static func read(_ reader: inout WireReader, topic: String, partition: Int32) throws -> Int64 {
        var found: Int64?
        for _ in try reader.array("responses", minimumElementSize: 6, { reader in
            let name = try reader.requiredString("name")
            for (index, error, baseOffset) in try reader.array("partition_responses", minimumElementSize: 22, { reader -> (Int32, Int16, Int64) in
                let index = try reader.int32("index")
                let error = try reader.int16("error_code")
                let baseOffset = try reader.int64("base_offset")
                _ = try reader.int64("log_append_time_ms")
                return (index, error, baseOffset)
            }) where name == topic && index == partition {
                guard error == 0 else { throw KafkaError.broker(api: "Produce", code: error, topic: topic, partition: partition) }
                found = baseOffset
            }
        }) {}
        _ = try reader.int32("throttle_time_ms")
        guard let found else { throw KafkaError.malformed("Produce response does not mention \(topic)/\(partition)") }
        return found
    }
}
