import Foundation

/// The zip archives `torch.save` writes: entries stored uncompressed (method 0), found through
/// the central directory. Anything else (compression, zip64, encryption, entries that run past
/// the file) is refused with a message; nothing is extracted to disk.
struct StoredZip {
    let bytes: [UInt8]
    /// Entry name → byte range of its data.
    let entries: [String: Range<Int>]

    init(_ data: Data) throws {
        let bytes = [UInt8](data)
        self.bytes = bytes
        func u16(_ o: Int) throws -> Int {
            guard o >= 0, o + 2 <= bytes.count else { throw ONNXError.checkpoint("zip is truncated at byte \(o)") }
            return Int(bytes[o]) | Int(bytes[o + 1]) << 8
        }
        func u32(_ o: Int) throws -> Int { let lo = try u16(o), hi = try u16(o + 2); return lo | hi << 16 }
        // End of central directory: the last "PK\u{5}\u{6}" within the final 64 KiB + 22 bytes.
        var eocd: Int?
        var p = bytes.count - 22
        while p >= max(0, bytes.count - 65_557) {
            if bytes[p] == 0x50, bytes[p + 1] == 0x4b, bytes[p + 2] == 5, bytes[p + 3] == 6 { eocd = p; break }
            p -= 1
        }
        guard let eocd else { throw ONNXError.checkpoint("not a zip archive (no end-of-central-directory record)") }
        let count = try u16(eocd + 10)
        let directoryOffset = try u32(eocd + 16)
        guard count != 0xFFFF, directoryOffset != 0xFFFF_FFFF else { throw ONNXError.checkpoint("zip64 archives are not read") }
        var entries = [String: Range<Int>]()
        var cursor = directoryOffset
        for _ in 0..<count {
            guard try u32(cursor) == 0x0201_4b50 else { throw ONNXError.checkpoint("zip central directory is damaged at byte \(cursor)") }
            let method = try u16(cursor + 10)
            let compressed = try u32(cursor + 20), uncompressed = try u32(cursor + 24)
            let nameLength = try u16(cursor + 28), extraLength = try u16(cursor + 30), commentLength = try u16(cursor + 32)
            let localOffset = try u32(cursor + 42)
            guard cursor + 46 + nameLength <= bytes.count else { throw ONNXError.checkpoint("zip is truncated in the central directory") }
            let name = String(decoding: bytes[(cursor + 46)..<(cursor + 46 + nameLength)], as: UTF8.self)
            guard method == 0, compressed == uncompressed else { throw ONNXError.checkpoint("zip entry \(name) is compressed (method \(method)); torch.save stores entries") }
            guard try u32(localOffset) == 0x0403_4b50 else { throw ONNXError.checkpoint("zip local header of \(name) is damaged") }
            let start = localOffset + 30 + (try u16(localOffset + 26)) + (try u16(localOffset + 28))
            guard start + compressed <= bytes.count else { throw ONNXError.checkpoint("zip is truncated: entry \(name) runs past the end") }
            entries[name] = start..<(start + compressed)
            cursor += 46 + nameLength + extraLength + commentLength
        }
        self.entries = entries
    }

    func data(_ name: String) -> ArraySlice<UInt8>? { entries[name].map { bytes[$0] } }
}
