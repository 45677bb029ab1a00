import Foundation
import Logging
import NIOConcurrencyHelpers

/// One audited request: every write and every refused request becomes one JSON line.
/// Tokens, passphrases and bodies never enter it; `reason` is the rule that refused.
public struct AuditEvent: Codable, Sendable, Equatable {
    public var time: String
    public var developer: String?
    public var company: String?
    public var method: String
    public var route: String
    public var resource: String?
    public var status: Int
    /// `ok` (a write that succeeded), `refused` (4xx), `failed` (5xx).
    public var outcome: String
    public var reason: String?

    public init(developer: String?, company: String?, method: String, route: String, resource: String?,
                status: Int, reason: String?, time: Date = Date()) {
        self.time = AuditEvent.formatter.string(from: time)
        self.developer = developer
        self.company = company
        self.method = method
        self.route = route
        self.resource = resource
        self.status = status
        self.outcome = status >= 500 ? "failed" : status >= 400 ? "refused" : "ok"
        self.reason = reason
    }

    nonisolated(unsafe) static let formatter: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }()

    public var jsonLine: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }
}

/// Writes audit lines to the logger (label `mledger.audit`) and, when given, appends them to a
/// file (created 0600; each line one `write`, so lines of concurrent requests never interleave).
public final class AuditLog: Sendable {
    let logger: Logger
    private let file: NIOLockedValueBox<FileHandle?>

    public init(logger: Logger, filePath: String? = nil) throws {
        self.logger = logger
        guard let filePath else { file = NIOLockedValueBox(nil); return }
        let descriptor = open(filePath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw AuditLogError(path: filePath, errno: errno) }
        file = NIOLockedValueBox(FileHandle(fileDescriptor: descriptor, closeOnDealloc: true))
    }

    public func record(_ event: AuditEvent) {
        let line = event.jsonLine
        logger.info("audit \(line)")
        file.withLockedValue { handle in handle?.write(Data((line + "\n").utf8)) }
    }
}

public struct AuditLogError: Error, CustomStringConvertible {
    public let path: String
    public let errno: Int32
    public var description: String { "cannot open audit log \(path): \(String(cString: strerror(errno)))" }
}
