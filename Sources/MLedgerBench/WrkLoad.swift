import Foundation
import MLedgerTesting

/// A load run of Debian's `wrk` (a C load generator with its own event loops: far less CPU per
/// request than one client thread per connection, which matters on a 2-core machine where the
/// clients and the server share the cores). Used by the REST benchmarks for their latency rows.
struct WrkLoad {
    let executable: String

    /// nil when wrk is not installed (the rows that need it say so and are skipped).
    init?() {
        guard let path = ["/usr/bin/wrk", "/usr/local/bin/wrk"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            return nil
        }
        executable = path
    }

    struct Result {
        var p50Milliseconds: Double
        var p99Milliseconds: Double
        var requestsPerSecond: Double
    }

    /// GET `url` (or POST `body` as JSON) from `connections` connections on 2 threads for
    /// `seconds`; any non-2xx answer fails the run.
    func run(url: String, seconds: Int, connections: Int, header: String? = nil, postJSON body: String? = nil) throws -> Result {
        var arguments = ["-t2", "-c\(connections)", "-d\(seconds)s", "--latency"] + (header.map { ["-H", $0] } ?? [])
        var script: URL?
        if let body {
            // wrk sends a body only through a Lua script; long strings in [==[ ]==] need no escaping.
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("mledger-wrk-\(UUID().uuidString).lua")
            try """
            wrk.method = "POST"
            wrk.headers["Content-Type"] = "application/json"
            wrk.body = [==[\(body)]==]
            """.write(to: file, atomically: true, encoding: .utf8)
            script = file
            arguments += ["-s", file.path]
        }
        defer { if let script { try? FileManager.default.removeItem(at: script) } }
        let finished = try ChildProcess.run(executable, arguments + [url])
        let output = finished.output
        // wrk counts non-2xx answers separately: any of them makes the figure meaningless.
        guard finished.status == 0, !output.contains("Non-2xx"),
              let p50 = Self.value(output, prefix: "50%"), let p99 = Self.value(output, prefix: "99%"),
              let rate = Self.value(output, prefix: "Requests/sec:") else {
            throw NodeBenchError.transport("wrk \(url) failed:\n\(output)")
        }
        return Result(p50Milliseconds: p50, p99Milliseconds: p99, requestsPerSecond: rate)
    }

    /// The number after `prefix` on its line, in milliseconds when it carries a time unit.
    static func value(_ output: String, prefix: String) -> Double? {
        for line in output.split(separator: "\n") {
            let words = line.split(separator: " ")
            guard words.count >= 2, words[0] == prefix else { continue }
            let text = String(words[1])
            for (unit, scale) in [("us", 1e-3), ("ms", 1.0), ("s", 1e3)] where text.hasSuffix(unit) {
                return Double(text.dropLast(unit.count)).map { $0 * scale }
            }
            return Double(text)
        }
        return nil
    }
}
