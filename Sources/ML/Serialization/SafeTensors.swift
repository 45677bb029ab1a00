import Foundation
import Primitives

/// The safetensors format: an 8-byte little-endian header length, a JSON header mapping each
/// tensor name to `{"dtype", "shape", "data_offsets": [begin, end]}` (offsets into the data
/// section) plus an optional `"__metadata__"` string map, then the raw little-endian data.
///
/// MLedger writes only "F32", tensors in name order, the header in canonical JSON padded with
/// spaces to a multiple of 8 bytes, so equal weights always give equal bytes.
public enum SafeTensors {
    /// Headers larger than this are rejected before they are read (the format's own limit).
    public static let maximumHeaderLength = 100_000_000

    /// Serialises `tensors` (and optional string `metadata`).
    public static func encode(_ tensors: [String: Tensor], metadata: [String: String] = [:]) -> Data {
        var header = [String: JSONValue]()
        var offset = 0
        let names = tensors.keys.sorted()
        for name in names {
            let t = tensors[name]!
            let length = t.count * 4
            header[name] = .object([
                "dtype": .string("F32"),
                "shape": .array(t.shape.map { .int($0) }),
                "data_offsets": .array([.int(offset), .int(offset + length)]),
            ])
            offset += length
        }
        if !metadata.isEmpty { header["__metadata__"] = .object(metadata.mapValues { .string($0) }) }
        var headerBytes = Array(JSONValue.object(header).canonicalString.utf8)
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }
        var data = Data(capacity: 8 + headerBytes.count + offset)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: headerBytes)
        for name in names {
            for v in tensors[name]!.scalars {
                withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) }
            }
        }
        return data
    }

    /// Parses a safetensors file, checking its structure strictly: the header length against
    /// the file and the limit, dtype "F32" only, shapes against offsets, offsets contiguous and
    /// covering the whole data section.
    public static func decode(_ data: Data) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        let bytes = [UInt8](data)
        guard bytes.count >= 8 else { throw MLError.invalidFile("safetensors: file is truncated (\(bytes.count) bytes, need at least 8)") }
        var headerLength: UInt64 = 0
        for i in 0..<8 { headerLength |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard headerLength <= UInt64(maximumHeaderLength) else {
            throw MLError.invalidFile("safetensors: header of \(headerLength) bytes exceeds the \(maximumHeaderLength)-byte limit")
        }
        guard headerLength <= UInt64(bytes.count - 8) else {
            throw MLError.invalidFile("safetensors: file is truncated (header says \(headerLength) bytes, \(bytes.count - 8) present)")
        }
        let headerEnd = 8 + Int(headerLength)
        let header = try JSONValue(document: Data(bytes[8..<headerEnd]))
        guard let members = header.objectValue else { throw MLError.invalidFile("safetensors: header is not a JSON object") }
        let dataLength = bytes.count - headerEnd
        var metadata = [String: String]()
        var entries = [(name: String, shape: [Int], begin: Int, end: Int)]()
        for (name, entry) in members {
            if name == "__metadata__" {
                guard let map = entry.objectValue else { throw MLError.invalidFile("safetensors: __metadata__ is not an object") }
                for (k, v) in map {
                    guard let s = v.stringValue else { throw MLError.invalidFile("safetensors: metadata \(k) is not a string") }
                    metadata[k] = s
                }
                continue
            }
            guard let dtype = entry["dtype"]?.stringValue else { throw MLError.invalidFile("safetensors: \(name) has no dtype") }
            guard dtype == "F32" else { throw MLError.invalidFile("safetensors: \(name) has dtype \(dtype), only F32 is supported") }
            guard let shapeValues = entry["shape"]?.arrayValue else { throw MLError.invalidFile("safetensors: \(name) has no shape") }
            let shape = try shapeValues.map { v -> Int in
                guard let d = v.intValue, d >= 0, d < Int(Int32.max) else { throw MLError.invalidFile("safetensors: \(name) has an invalid shape") }
                return d
            }
            guard let offsets = entry["data_offsets"]?.arrayValue, offsets.count == 2,
                  let begin = offsets[0].intValue, let end = offsets[1].intValue, begin >= 0, begin <= end
            else { throw MLError.invalidFile("safetensors: \(name) has invalid data_offsets") }
            guard end <= dataLength else {
                throw MLError.invalidFile("safetensors: file is truncated (\(name) ends at \(end), data section has \(dataLength) bytes)")
            }
            let (elements, overflow) = shape.reduce((1, false)) { acc, d in
                let (p, o) = acc.0.multipliedReportingOverflow(by: d)
                return (p, acc.1 || o)
            }
            guard !overflow, elements * 4 == end - begin else {
                throw MLError.invalidFile("safetensors: \(name) shape \(shape) needs \(overflow ? -1 : elements * 4) bytes, offsets give \(end - begin)")
            }
            entries.append((name, shape, begin, end))
        }
        entries.sort { $0.begin < $1.begin }
        var expected = 0
        for e in entries {
            guard e.begin == expected else { throw MLError.invalidFile("safetensors: data of \(e.name) is not contiguous") }
            expected = e.end
        }
        guard expected == dataLength else {
            throw MLError.invalidFile("safetensors: data section has \(dataLength) bytes, tensors cover \(expected)")
        }
        var tensors = [String: Tensor]()
        for e in entries {
            var scalars = [Float](repeating: 0, count: (e.end - e.begin) / 4)
            var p = headerEnd + e.begin
            for i in 0..<scalars.count {
                let bits = UInt32(bytes[p]) | UInt32(bytes[p + 1]) << 8 | UInt32(bytes[p + 2]) << 16 | UInt32(bytes[p + 3]) << 24
                scalars[i] = Float(bitPattern: bits)
                p += 4
            }
            tensors[e.name] = Tensor(shape: e.shape, scalars: scalars)
        }
        return (tensors, metadata)
    }
}
