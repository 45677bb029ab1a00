import Foundation

/// Writes files so that readers see either the old file or the complete new one: the bytes
/// go to a temporary file in the same directory, which is then renamed over the target.
public enum AtomicFile {
    public static func write(_ data: Data, to url: URL) throws {
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))")
        try data.write(to: temporary)
        if rename(temporary.path, url.path) != 0 {
            let code = errno
            try? FileManager.default.removeItem(at: temporary)
            throw MLError.invalidFile("cannot rename into \(url.path): \(String(cString: strerror(code)))")
        }
    }
}
