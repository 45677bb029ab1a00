/// Record batches, magic 2 (KIP-98): the unit in which Kafka stores, fetches and produces records.
///
/// Layout: baseOffset int64 | batchLength int32 | partitionLeaderEpoch int32 | magic int8 |
/// crc uint32 | attributes int16 | lastOffsetDelta int32 | baseTimestamp int64 |
/// maxTimestamp int64 | producerId int64 | producerEpoch int16 | baseSequence int32 |
/// recordCount int32 | records. The CRC-32C covers everything from attributes to the end;
/// with compression the records (not the count) form one compressed block.

public enum KafkaCompression: Int16, Sendable, CaseIterable {
    case none = 0
    case gzip = 1
}

/// One record header (key and optional value bytes).
public struct KafkaHeader: Sendable, Equatable {
    public var key: String
    public var value: [UInt8]?
    public init(key: String, value: [UInt8]?) { self.key = key; self.value = value }
}

/// What a producer sends: the broker assigns the offset.
public struct KafkaProducerRecord: Sendable, Equatable {
    public var key: [UInt8]?
    public var value: [UInt8]?
    public var headers: [KafkaHeader]
    /// Milliseconds since the Unix epoch.
    public var timestamp: Int64

    public init(key: [UInt8]? = nil, value: [UInt8]?, headers: [KafkaHeader] = [], timestamp: Int64) {
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp = timestamp
    }
}

/// A record as stored by the broker, with its place in the log.
public struct KafkaRecord: Sendable, Equatable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var timestamp: Int64
    public var key: [UInt8]?
    public var value: [UInt8]?
    public var headers: [KafkaHeader]
}

package struct RecordBatch: Equatable {
    package static let headerSize = 61
    package static let magic: Int8 = 2

    package var baseOffset: Int64
    package var partitionLeaderEpoch: Int32 = -1
    package var attributes: Int16
    package var lastOffsetDelta: Int32
    package var baseTimestamp: Int64
    package var maxTimestamp: Int64
    package var producerID: Int64 = -1
    package var producerEpoch: Int16 = -1
    package var baseSequence: Int32 = -1
    /// Records with absolute offsets and timestamps (topic and partition left empty).
    package var records: [KafkaRecord]

    package var compression: Int16 { attributes & 0x07 }
    package var isControl: Bool { attributes & 0x20 != 0 }
    /// The offset after this batch, even when its records were compacted away.
    package var nextOffset: Int64 { baseOffset + Int64(lastOffsetDelta) + 1 }

    // MARK: - Encoding

    /// A batch for a Produce request: offsets 0…n-1 (the broker rewrites the base offset),
    /// no producer id (not idempotent), CRC-32C filled in.
    package static func encode(_ records: [KafkaProducerRecord], compression: KafkaCompression,
                               baseOffset: Int64 = 0) throws -> [UInt8] {
        guard !records.isEmpty else { throw KafkaError.malformed("a record batch needs at least one record") }
        let baseTimestamp = records.map(\.timestamp).min()!
        var body = WireWriter()
        for (index, record) in records.enumerated() {
            var fields = WireWriter()
            fields.int8(0)  // record attributes: unused
            fields.varint(record.timestamp - baseTimestamp)
            fields.varint(Int64(index))
            fields.varintBytes(record.key)
            fields.varintBytes(record.value)
            fields.varint(Int64(record.headers.count))
            for header in record.headers {
                fields.varintBytes(Array(header.key.utf8))
                fields.varintBytes(header.value)
            }
            body.varint(Int64(fields.bytes.count))
            body.bytes += fields.bytes
        }
        let recordBytes = compression == .gzip ? try Gzip.compress(body.bytes) : body.bytes

        var checked = WireWriter()  // attributes … end: the CRC's coverage
        checked.int16(compression.rawValue)
        checked.int32(Int32(records.count - 1))
        checked.int64(baseTimestamp)
        checked.int64(records.map(\.timestamp).max()!)
        checked.int64(-1)  // producer id
        checked.int16(-1)  // producer epoch
        checked.int32(-1)  // base sequence
        checked.int32(Int32(records.count))
        checked.bytes += recordBytes

        var batch = WireWriter()
        batch.int64(baseOffset)
        batch.int32(Int32(4 + 1 + 4 + checked.bytes.count))  // leader epoch + magic + crc + rest
        batch.int32(-1)
        batch.int8(magic)
        batch.uint32(CRC32C.checksum(checked.bytes))
        batch.bytes += checked.bytes
        return batch.bytes
    }

    // MARK: - Decoding

    /// Every complete batch in a Fetch response's records field. A broker may cut the last
    /// batch short at the size limit; that tail is skipped (it is fetched again next time).
    /// Anything else that does not add up throws.
    package static func decodeAll(_ bytes: ArraySlice<UInt8>) throws -> [RecordBatch] {
        var batches: [RecordBatch] = []
        let all = Array(bytes)
        var start = 0
        while all.count - start >= 12 {
            var prefix = WireReader(all, context: "record batch", range: start..<all.count)
            _ = try prefix.int64("baseOffset")
            let length = Int(try prefix.int32("batchLength"))
            guard length >= headerSize - 12 else { throw KafkaError.malformed("record batch length \(length) is below the header size") }
            let end = start + 12 + length
            if end > all.count { break }  // partial trailing batch
            batches.append(try decode(all, range: start..<end))
            start = end
        }
        return batches
    }

    /// One batch occupying exactly `range` of `bytes`.
    package static func decode(_ bytes: [UInt8], range: Range<Int>) throws -> RecordBatch {
        var reader = WireReader(bytes, context: "record batch", range: range)
        let baseOffset = try reader.int64("baseOffset")
        let length = try reader.int32("batchLength")
        guard Int(length) == reader.remaining else {
            throw KafkaError.malformed("record batch length \(length) does not match its \(reader.remaining) bytes")
        }
        let leaderEpoch = try reader.int32("partitionLeaderEpoch")
        let magic = try reader.int8("magic")
        guard magic == Self.magic else {
            throw KafkaError.malformed("record batch magic \(magic) (only magic 2 record batches are read)")
        }
        let crc = try reader.uint32("crc")
        let computed = CRC32C.checksum(bytes[reader.position..<reader.end])
        guard crc == computed else {
            throw KafkaError.malformed("record batch at offset \(baseOffset): CRC-32C \(hex(crc)) stored, \(hex(computed)) computed")
        }
        let attributes = try reader.int16("attributes")
        let lastOffsetDelta = try reader.int32("lastOffsetDelta")
        let baseTimestamp = try reader.int64("baseTimestamp")
        let maxTimestamp = try reader.int64("maxTimestamp")
        let producerID = try reader.int64("producerId")
        let producerEpoch = try reader.int16("producerEpoch")
        let baseSequence = try reader.int32("baseSequence")
        let count = try reader.int32("recordCount")
        guard count >= 0 else { throw KafkaError.malformed("record batch: negative record count \(count)") }

        let recordBytes: [UInt8]
        switch attributes & 0x07 {
        case KafkaCompression.none.rawValue: recordBytes = Array(try reader.take(reader.remaining, "records"))
        case KafkaCompression.gzip.rawValue: recordBytes = try Gzip.decompress(try reader.take(reader.remaining, "records"))
        case let other:
            let name = [2: "snappy", 3: "lz4", 4: "zstd"][other] ?? "unknown (\(other))"
            throw KafkaError.malformed("record batch at offset \(baseOffset): compression \(name) is not supported (none and gzip are)")
        }
        var records: [KafkaRecord] = []
        var recordReader = WireReader(recordBytes, context: "records of batch \(baseOffset)")
        guard Int(count) <= recordBytes.count else {
            throw KafkaError.truncated("record batch at offset \(baseOffset) claims \(count) records in \(recordBytes.count) bytes")
        }
        records.reserveCapacity(Int(count))
        for _ in 0..<count {
            let recordLength = try recordReader.varint("record length")
            guard recordLength >= 0, recordLength <= Int64(recordReader.remaining) else {
                throw KafkaError.truncated("record in batch \(baseOffset) claims \(recordLength) bytes, \(recordReader.remaining) left")
            }
            let recordEnd = recordReader.position + Int(recordLength)
            var field = WireReader(recordBytes, context: "record in batch \(baseOffset)", range: recordReader.position..<recordEnd)
            _ = try field.int8("attributes")
            let timestampDelta = try field.varint("timestampDelta")
            let offsetDelta = try field.varint("offsetDelta")
            let key = try field.varintBytes("key")
            let value = try field.varintBytes("value")
            let headerCount = try field.varint("header count")
            guard headerCount >= 0, headerCount <= Int64(field.remaining) else {
                throw KafkaError.malformed("record in batch \(baseOffset): header count \(headerCount)")
            }
            var headers: [KafkaHeader] = []
            for _ in 0..<headerCount {
                guard let headerKey = try field.varintBytes("header key") else {
                    throw KafkaError.malformed("record in batch \(baseOffset): null header key")
                }
                headers.append(KafkaHeader(key: String(decoding: headerKey, as: UTF8.self), value: try field.varintBytes("header value")))
            }
            guard field.isAtEnd else { throw KafkaError.malformed("record in batch \(baseOffset) has \(field.remaining) stray bytes") }
            _ = try recordReader.take(Int(recordLength), "record")
            records.append(KafkaRecord(topic: "", partition: 0, offset: baseOffset + offsetDelta,
                                       timestamp: baseTimestamp + timestampDelta, key: key, value: value, headers: headers))
        }
        guard recordReader.isAtEnd else {
            throw KafkaError.malformed("record batch at offset \(baseOffset) has \(recordReader.remaining) bytes after its \(count) records")
        }
        return RecordBatch(baseOffset: baseOffset, partitionLeaderEpoch: leaderEpoch, attributes: attributes,
                           lastOffsetDelta: lastOffsetDelta, baseTimestamp: baseTimestamp, maxTimestamp: maxTimestamp,
                           producerID: producerID, producerEpoch: producerEpoch, baseSequence: baseSequence, records: records)
    }

    private static func hex(_ value: UInt32) -> String { "0x" + String(value, radix: 16) }
}
