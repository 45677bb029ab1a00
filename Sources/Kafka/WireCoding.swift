/// Kafka's primitive types: big-endian integers, length-prefixed strings and bytes, arrays,
/// and the zig-zag varints of record batches.

public enum KafkaError: Error, CustomStringConvertible, Equatable {
    /// A frame or field ended before its declared length.
    case truncated(String)
    /// A value that the protocol forbids (negative length, wrong magic, bad CRC …).
    case malformed(String)
    /// The broker answered with a Kafka error code.
    case broker(api: String, code: Int16, topic: String?, partition: Int32?)
    /// The broker does not offer a version of an API that this client speaks.
    case unsupportedVersion(api: String, brokerRange: ClosedRange<Int16>?, ours: ClosedRange<Int16>)
    case unknownTopicOrPartition(topic: String, partition: Int32)
    case connection(String)
    case timedOut(String)

    public var description: String {
        switch self {
        case .truncated(let what): return "truncated Kafka data: \(what)"
        case .malformed(let what): return "malformed Kafka data: \(what)"
        case .broker(let api, let code, let topic, let partition):
            let place = topic.map { " for \($0)" + (partition.map { "/\($0)" } ?? "") } ?? ""
            return "\(api)\(place): broker error \(code) (\(KafkaErrorCode.name(code)))"
        case .unsupportedVersion(let api, let range, let ours):
            let theirs = range.map { "\($0.lowerBound)…\($0.upperBound)" } ?? "none"
            return "\(api): broker offers versions \(theirs), this client speaks \(ours.lowerBound)…\(ours.upperBound)"
        case .unknownTopicOrPartition(let topic, let partition): return "unknown topic or partition \(topic)/\(partition)"
        case .connection(let why): return "Kafka connection: \(why)"
        case .timedOut(let what): return "Kafka request timed out: \(what)"
        }
    }
}

/// Names of the broker error codes a client meets most; others print as numbers.
public enum KafkaErrorCode {
    public static let none: Int16 = 0
    public static let offsetOutOfRange: Int16 = 1
    public static let unknownTopicOrPartition: Int16 = 3
    public static let leaderNotAvailable: Int16 = 5
    public static let notLeaderOrFollower: Int16 = 6

    static func name(_ code: Int16) -> String {
        switch code {
        case 1: return "OFFSET_OUT_OF_RANGE"
        case 2: return "CORRUPT_MESSAGE"
        case 3: return "UNKNOWN_TOPIC_OR_PARTITION"
        case 5: return "LEADER_NOT_AVAILABLE"
        case 6: return "NOT_LEADER_OR_FOLLOWER"
        case 7: return "REQUEST_TIMED_OUT"
        case 10: return "MESSAGE_TOO_LARGE"
        case 35: return "UNSUPPORTED_VERSION"
        case 87: return "INVALID_RECORD"
        default: return "code \(code)"
        }
    }
}

/// Appends Kafka primitives to a byte array.
package struct WireWriter {
    package var bytes: [UInt8] = []
    package init() {}

    package mutating func int8(_ value: Int8) { bytes.append(UInt8(bitPattern: value)) }
    package mutating func int16(_ value: Int16) { bigEndian(UInt64(UInt16(bitPattern: value)), width: 2) }
    package mutating func int32(_ value: Int32) { bigEndian(UInt64(UInt32(bitPattern: value)), width: 4) }
    package mutating func uint32(_ value: UInt32) { bigEndian(UInt64(value), width: 4) }
    package mutating func int64(_ value: Int64) { bigEndian(UInt64(bitPattern: value), width: 8) }

    private mutating func bigEndian(_ value: UInt64, width: Int) {
        for shift in stride(from: (width - 1) * 8, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    /// STRING / NULLABLE_STRING: int16 length (-1 for null) and UTF-8 bytes.
    package mutating func string(_ value: String?) {
        guard let value else { int16(-1); return }
        let utf8 = Array(value.utf8)
        int16(Int16(utf8.count))
        bytes += utf8
    }

    /// BYTES / NULLABLE_BYTES: int32 length (-1 for null) and the bytes.
    package mutating func lengthPrefixed(_ value: [UInt8]?) {
        guard let value else { int32(-1); return }
        int32(Int32(value.count))
        bytes += value
    }

    package mutating func array<T>(_ values: [T], _ element: (inout WireWriter, T) -> Void) {
        int32(Int32(values.count))
        for value in values { element(&self, value) }
    }

    /// Zig-zag varint (record fields): small magnitudes of either sign take one byte.
    package mutating func varint(_ value: Int64) {
        var zigzag = UInt64(bitPattern: (value << 1) ^ (value >> 63))
        while zigzag >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: zigzag) | 0x80)
            zigzag >>= 7
        }
        bytes.append(UInt8(zigzag))
    }

    /// Varint-length bytes of a record key, value or header (-1 for null).
    package mutating func varintBytes(_ value: [UInt8]?) {
        guard let value else { varint(-1); return }
        varint(Int64(value.count))
        bytes += value
    }
}

/// Reads Kafka primitives from a byte slice; every read checks the remaining length, so a
/// truncated or lying frame throws instead of trapping.
package struct WireReader {
    package let bytes: [UInt8]
    package private(set) var position: Int
    package let end: Int
    /// What is being read, for error messages ("Fetch response", "record batch" …).
    let context: String

    package init(_ bytes: [UInt8], context: String, range: Range<Int>? = nil) {
        self.bytes = bytes
        self.position = range?.lowerBound ?? 0
        self.end = range?.upperBound ?? bytes.count
        self.context = context
    }

    package var remaining: Int { end - position }
    package var isAtEnd: Bool { position >= end }

    package mutating func take(_ count: Int, _ field: String) throws -> ArraySlice<UInt8> {
        guard count >= 0 else { throw KafkaError.malformed("\(context): negative length \(count) for \(field)") }
        guard count <= remaining else {
            throw KafkaError.truncated("\(context): \(field) needs \(count) bytes, \(remaining) left")
        }
        defer { position += count }
        return bytes[position..<position + count]
    }

    private mutating func bigEndian(_ width: Int, _ field: String) throws -> UInt64 {
        try take(width, field).reduce(0) { $0 << 8 | UInt64($1) }
    }

    package mutating func int8(_ field: String) throws -> Int8 { Int8(bitPattern: UInt8(try bigEndian(1, field))) }
    package mutating func int16(_ field: String) throws -> Int16 { Int16(bitPattern: UInt16(try bigEndian(2, field))) }
    package mutating func int32(_ field: String) throws -> Int32 { Int32(bitPattern: UInt32(try bigEndian(4, field))) }
    package mutating func uint32(_ field: String) throws -> UInt32 { UInt32(try bigEndian(4, field)) }
    package mutating func int64(_ field: String) throws -> Int64 { Int64(bitPattern: try bigEndian(8, field)) }

    package mutating func string(_ field: String) throws -> String? {
        let length = try int16(field)
        if length == -1 { return nil }
        return String(decoding: try take(Int(length), field), as: UTF8.self)
    }

    package mutating func requiredString(_ field: String) throws -> String {
        guard let value = try string(field) else { throw KafkaError.malformed("\(context): \(field) is null") }
        return value
    }

    package mutating func lengthPrefixed(_ field: String) throws -> ArraySlice<UInt8>? {
        let length = try int32(field)
        if length == -1 { return nil }
        return try take(Int(length), field)
    }

    /// An array: int32 count (-1 null = empty), each element read by `element`. The count is
    /// checked against the bytes left so a forged count cannot make a huge allocation.
    package mutating func array<T>(_ field: String, minimumElementSize: Int = 1, _ element: (inout WireReader) throws -> T) throws -> [T] {
        let count = try int32(field)
        if count == -1 { return [] }
        guard count >= 0 else { throw KafkaError.malformed("\(context): negative count \(count) for \(field)") }
        guard Int(count) * minimumElementSize <= remaining else {
            throw KafkaError.truncated("\(context): \(field) claims \(count) elements, \(remaining) bytes left")
        }
        var values: [T] = []
        values.reserveCapacity(Int(count))
        for _ in 0..<count { values.append(try element(&self)) }
        return values
    }

    package mutating func varint(_ field: String) throws -> Int64 {
        var zigzag: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw KafkaError.truncated("\(context): varint \(field)") }
            let byte = bytes[position]
            position += 1
            guard shift < 64 else { throw KafkaError.malformed("\(context): varint \(field) longer than 10 bytes") }
            zigzag |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { break }
            shift += 7
        }
        return Int64(bitPattern: zigzag >> 1) ^ -Int64(bitPattern: zigzag & 1)
    }

    package mutating func varintBytes(_ field: String) throws -> [UInt8]? {
        let length = try varint(field)
        if length == -1 { return nil }
        guard length >= 0, length <= Int64(remaining) else {
            throw KafkaError.truncated("\(context): \(field) claims \(length) bytes, \(remaining) left")
        }
        return Array(try take(Int(length), field))
    }
}
