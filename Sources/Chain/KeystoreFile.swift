import LedgerCrypto
import Foundation
import Primitives
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Keystore {
    /// geth's key file name: `UTC--<ISO 8601 time with '-' for ':'>--<address, lower-case hex>`.
    public static func fileName(address: Address, date: Date = Date()) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .nanosecond], from: date)
        let stamp = String(format: "%04d-%02d-%02dT%02d-%02d-%02d.%09dZ",
                           c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0, c.second ?? 0, c.nanosecond ?? 0)
        return "UTC--\(stamp)--\(Hex.encode(address.bytes, prefix: false))"
    }

    /// Writes a key file into `directory` (created with mode 0700 if missing) and returns its URL.
    /// The bytes go to a hidden temporary file (mode 0600) that is flushed to disk and then
    /// renamed into place, so a crash never leaves a half-written key file under the final name.
    @discardableResult
    public static func writeKeyFile(json: Data, address: Address, directory: URL,
                                    date: Date = Date()) throws(KeystoreError) -> URL {
        let final = directory.appendingPathComponent(fileName(address: address, date: date))
        try writeAtomically(json, to: final)
        return final
    }

    /// Write-then-rename: `data` lands at `destination` completely or not at all.
    public static func writeAtomically(_ data: Data, to destination: URL) throws(KeystoreError) {
        let directory = destination.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw .fileSystem(path: directory.path, reason: "cannot create directory: \(error.localizedDescription)")
        }
        let temporary = directory.appendingPathComponent(".\(destination.lastPathComponent).\(UUID().uuidString).tmp")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw .fileSystem(path: temporary.path, reason: "cannot create: \(errnoText())") }
        var failure: String?
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = "write failed: \(errnoText())"
                    return
                }
                offset += written
            }
        }
        if failure == nil, fsync(fd) != 0 { failure = "fsync failed: \(errnoText())" }
        if close(fd) != 0, failure == nil { failure = "close failed: \(errnoText())" }
        if failure == nil, rename(temporary.path, destination.path) != 0 { failure = "rename failed: \(errnoText())" }
        if let failure {
            unlink(temporary.path)
            throw .fileSystem(path: destination.path, reason: failure)
        }
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}
