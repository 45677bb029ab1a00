import Foundation
import Kafka
import Testing

@Suite("Kafka codecs: CRC-32C, varints, record batches, gzip")
struct KafkaCodecTests {
    @Test("CRC-32C matches the published check values (RFC 3720 B.4 and the '123456789' check)")
    func crcVectors() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum((0..<32).reversed().map { UInt8($0) }) == 0x113F_DB5C)
        #expect(CRC32C.checksum([UInt8]()) == 0)
    }

    @Test("CRC-32C: the 8-byte path and the byte path agree at every length and alignment")
    func crcSlices() {
        var generator = SystemRandomNumberGenerator()
        let data = (0..<300).map { _ in UInt8.random(in: 0...255, using: &generator) }
        for length in 0..<40 {
            for start in 0..<9 {
                let slice = Array(data[start..<start + length])
                // Reference: the bitwise definition, one bit at a time.
                var crc: UInt32 = 0xFFFF_FFFF
                for byte in slice {
                    crc ^= UInt32(byte)
                    for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
                }
                #expect(CRC32C.checksum(slice) == crc ^ 0xFFFF_FFFF)
            }
        }
    }

    @Test("zig-zag varints: the encodings the record format documents, and round trips at the edges")
    func varints() throws {
        let known: [(Int64, [UInt8])] = [(0, [0x00]), (-1, [0x01]), (1, [0x02]), (-2, [0x03]), (63, [0x7E]), (-64, [0x7F]),
                                         (64, [0x80, 0x01]), (300, [0xD8, 0x04]), (-65, [0x81, 0x01])]
        for (value, bytes) in known {
            var writer = WireWriter()
            writer.varint(value)
            #expect(writer.bytes == bytes, "varint \(value)")
            var reader = WireReader(bytes, context: "test")
            #expect(try reader.varint("v") == value)
        }
        for value: Int64 in [.max, .min, .max - 1, .min + 1, 1 << 31, -(1 << 31), 1 << 35] {
            var writer = WireWriter()
            writer.varint(value)
            #expect(writer.bytes.count <= 10)
            var reader = WireReader(writer.bytes, context: "test")
            #expect(try reader.varint("v") == value)
            #expect(reader.isAtEnd)
        }
        var truncated = WireReader([0x80, 0x80], context: "test")
        #expect(throws: KafkaError.self) { try truncated.varint("v") }
        var tooLong = WireReader([UInt8](repeating: 0xFF, count: 11) + [0x01], context: "test")
        #expect(throws: KafkaError.self) { try tooLong.varint("v") }
    }

    static func sampleRecords(_ count: Int) -> [KafkaProducerRecord] {
        (0..<count).map { (index: Int) -> KafkaProducerRecord in
            let key: [UInt8]? = index % 3 == 0 ? nil : Array("k\(index)".utf8)
            let text = "{\"timestamp\":\(1_700_000_000 + index),\"voltage\":[230.1,229.8,231.0]}"
            let value: [UInt8]? = index % 7 == 6 ? nil : Array(text.utf8)
            var headers: [KafkaHeader] = []
            if index % 4 == 0 {
                headers = [KafkaHeader(key: "source", value: Array("meter-\(index)".utf8)), KafkaHeader(key: "empty", value: nil)]
            }
            // Record 3 is older than the first: timestamp deltas can be negative.
            let skew: Int64 = index == 3 ? 5_000 : 0
            let timestamp: Int64 = 1_700_000_000_000 + Int64(index) * 1000 - skew
            return KafkaProducerRecord(key: key, value: value, headers: headers, timestamp: timestamp)
        }
    }

    @Test("record batch round trip, uncompressed and gzip, with the header fields the format fixes",
          arguments: KafkaCompression.allCases)
    func batchRoundTrip(compression: KafkaCompression) throws {
        let records = Self.sampleRecords(25)
        let bytes = try RecordBatch.encode(records, compression: compression, baseOffset: 1000)
        var header = WireReader(bytes, context: "test")
        #expect(try header.int64("base") == 1000)
        #expect(try header.int32("length") == Int32(bytes.count - 12))
        #expect(try header.int32("epoch") == -1)
        #expect(try header.int8("magic") == 2)
        let crc = try header.uint32("crc")
        #expect(crc == CRC32C.checksum(bytes[21...]))
        #expect(try header.int16("attributes") == compression.rawValue)
        #expect(try header.int32("lastOffsetDelta") == 24)

        let decoded = try RecordBatch.decodeAll(bytes[...])
        #expect(decoded.count == 1)
        let batch = try #require(decoded.first)
        #expect(batch.baseOffset == 1000 && batch.nextOffset == 1025)
        #expect(batch.baseTimestamp == records.map(\.timestamp).min())
        #expect(batch.maxTimestamp == records.map(\.timestamp).max())
        #expect(batch.records.map(\.offset) == Array(1000..<1025))
        #expect(batch.records.map(\.value) == records.map(\.value))
        #expect(batch.records.map(\.key) == records.map(\.key))
        #expect(batch.records.map(\.headers) == records.map(\.headers))
        #expect(batch.records.map(\.timestamp) == records.map(\.timestamp))
    }

    @Test("gzip batches really compress, and gzip data inflates back")
    func gzip() throws {
        let records = Self.sampleRecords(200)
        let plain = try RecordBatch.encode(records, compression: .none)
        let packed = try RecordBatch.encode(records, compression: .gzip)
        #expect(packed.count * 3 < plain.count)
        let text = Array(String(repeating: "three-phase reading ", count: 500).utf8)
        let compressed = try Gzip.compress(text)
        #expect(compressed.prefix(2) == [0x1F, 0x8B])  // gzip magic
        #expect(try Gzip.decompress(compressed) == text)
        #expect(throws: KafkaError.self) { try Gzip.decompress(compressed.dropLast(10)) }
        #expect(throws: KafkaError.self) { try Gzip.decompress([0x1F, 0x8B, 0x08, 0x00, 0xFF, 0xFF]) }
        #expect(throws: KafkaError.self) { try Gzip.decompress(compressed, limit: 100) }
    }

    @Test("several batches in one fetch blob; a cut-off last batch is left for the next fetch")
    func multipleBatches() throws {
        let first = try RecordBatch.encode(Self.sampleRecords(3), compression: .none, baseOffset: 0)
        let second = try RecordBatch.encode(Self.sampleRecords(4), compression: .gzip, baseOffset: 3)
        let third = try RecordBatch.encode(Self.sampleRecords(2), compression: .none, baseOffset: 7)
        let all = first + second + third
        #expect(try RecordBatch.decodeAll(all[...]).map(\.baseOffset) == [0, 3, 7])
        for cut in [1, 11, 12, 30, third.count - 1] {
            #expect(try RecordBatch.decodeAll(all.dropLast(cut)[...]).map(\.baseOffset) == [0, 3], "cut \(cut)")
        }
    }

    @Test("a flipped byte anywhere after the CRC field fails the CRC check, naming it")
    func crcCatchesCorruption() throws {
        let bytes = try RecordBatch.encode(Self.sampleRecords(5), compression: .none)
        for position in stride(from: 21, to: bytes.count, by: 7) {
            var corrupted = bytes
            corrupted[position] ^= 0x10
            #expect {
                _ = try RecordBatch.decodeAll(corrupted[...])
            } throws: { error in
                "\(error)".contains("CRC-32C")
            }
        }
    }

    @Test("malformed batches throw precise errors, never trap")
    func malformedBatches() throws {
        let good = try RecordBatch.encode(Self.sampleRecords(5), compression: .none)
        var wrongMagic = good
        wrongMagic[16] = 1
        #expect(throws: KafkaError.self) { try RecordBatch.decodeAll(wrongMagic[...]) }
        // A record count larger than the records, with the CRC recomputed so only the count lies.
        var lyingCount = good
        lyingCount[57...60] = [0x7F, 0xFF, 0xFF, 0xFF]
        let crc = CRC32C.checksum(lyingCount[21...])
        lyingCount[17...20] = [UInt8(crc >> 24), UInt8(truncatingIfNeeded: crc >> 16), UInt8(truncatingIfNeeded: crc >> 8), UInt8(truncatingIfNeeded: crc)]
        #expect(throws: KafkaError.self) { try RecordBatch.decodeAll(lyingCount[...]) }
        var shortLength = good
        shortLength[8...11] = [0, 0, 0, 10]
        #expect(throws: KafkaError.self) { try RecordBatch.decodeAll(shortLength[...]) }
        #expect(throws: KafkaError.self) { try RecordBatch.encode([], compression: .none) }
        // Random garbage of every length up to 200 bytes: errors or empty results, no trap.
        var generator = SystemRandomNumberGenerator()
        for length in 0..<200 {
            let garbage = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            _ = try? RecordBatch.decodeAll(garbage[...])
        }
    }
}
