import Foundation

/// An append-only file of raw transactions (each a 4-byte big-endian length, then the
/// consensus encoding) so that pending transactions survive a clean restart. Rewritten
/// whole into a temporary file and renamed over the old one, so a crash during a rewrite
/// leaves either the old or the new journal, never a mix.
final class TransactionPoolJournal {
    let path: String
    private var handle: FileHandle?
    /// Records in the file, live or not: decides when a rewrite pays off.
    private(set) var recordCount = 0

    init(path: String) { self.path = path }

    /// The raw transactions in the file, oldest first. A torn last record (a crash while
    /// appending) ends the list; it is dropped by the next rewrite.
    func load() -> [[UInt8]] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        let bytes = [UInt8](data)
        var records = [[UInt8]]()
        var offset = 0
        while bytes.count - offset >= 4 {
            let length = bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            guard length <= bytes.count - offset - 4 else { break }
            records.append(Array(bytes[(offset + 4)..<(offset + 4 + length)]))
            offset += 4 + length
        }
        return records
    }

    static func frame(_ raw: [UInt8]) -> [UInt8] {
        let n = UInt32(truncatingIfNeeded: raw.count)
        return [UInt8(n >> 24), UInt8(truncatingIfNeeded: n >> 16), UInt8(truncatingIfNeeded: n >> 8),
                UInt8(truncatingIfNeeded: n)] + raw
    }

    /// Appends one transaction.
    func append(_ raw: [UInt8]) throws {
        if handle == nil {
            if !FileManager.default.fileExists(atPath: path) {
                guard FileManager.default.createFile(atPath: path, contents: nil) else {
                    throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
                }
            }
            let opened = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try opened.seekToEnd()
            handle = opened
        }
        try handle?.write(contentsOf: Self.frame(raw))
        recordCount += 1
    }

    /// Replaces the file with exactly `transactions`: written to `path.tmp`, synced, renamed.
    func rewrite(_ transactions: [[UInt8]]) throws {
        try handle?.close()
        handle = nil
        let temporary = path + ".tmp"
        var contents = [UInt8]()
        for raw in transactions { contents += Self.frame(raw) }
        guard FileManager.default.createFile(atPath: temporary, contents: Data(contents)) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary])
        }
        let written = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
        try written.synchronize()
        try written.close()
        guard rename(temporary, path) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        recordCount = transactions.count
    }

    /// Flushes appended records to disk and closes the file.
    func close() throws {
        try handle?.synchronize()
        try handle?.close()
        handle = nil
    }
}
