import Foundation
import MLedgerTesting

/// Why `mledger-bench node` could not measure.
enum NodeBenchError: Error, CustomStringConvertible {
    case setup(String)
    case node(String)
    case transport(String)
    case rpc(String)

    var description: String {
        switch self {
        case .setup(let detail): return "setup: \(detail)"
        case .node(let detail): return "node process: \(detail)"
        case .transport(let detail): return "transport: \(detail)"
        case .rpc(let detail): return "JSON-RPC: \(detail)"
        }
    }
}

/// The real node as a separate process: `mledger init` into a throw-away data directory, then
/// `mledger run` on a free loopback port. Its log is drained on a thread of its own (a full
/// pipe would stall the node) and the last lines are kept for error messages. `stop` sends
/// SIGTERM, as an operator would, and waits for the graceful shutdown.
final class NodeBenchProcess {
    let dataDirectory: String
    private(set) var port = 0
    private let process = Process()
    private let logLock = NSLock()
    private var recentLines: [String] = []
    private var portFound: Int?
    private let portSignal = DispatchSemaphore(value: 0)

    /// The `mledger` executable built beside the running `mledger-bench`.
    static func siblingExecutable() throws -> URL {
        let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let candidate = me.deletingLastPathComponent().appendingPathComponent("mledger")
        guard FileManager.default.isExecutableFile(atPath: candidate.path) else {
            throw NodeBenchError.setup("no mledger executable next to \(me.path): run `swift build -c release` first")
        }
        return candidate
    }

    /// Initialises a fresh data directory from `genesisPath` and starts the node on it.
    init(genesisPath: String, startTimeoutSeconds: Double = 60) throws {
        let executable = try Self.siblingExecutable()
        dataDirectory = NSTemporaryDirectory() + "mledger-bench-node-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let initialise = try ChildProcess.run(executable.path, ["init", "--genesis", genesisPath, "--datadir", dataDirectory])
        guard initialise.status == 0 else {
            throw NodeBenchError.node("mledger init failed (\(initialise.status)): \(initialise.output)")
        }

        process.executableURL = executable
        // Port 0: the node picks a free loopback port and names it in its ready line.
        // The REST API needs the node passphrase; without one in the environment it stays off
        // and the node runs the ledger alone (what this bench measures). Port 0 all the same,
        // so a passphrase left in a caller's environment cannot collide on 8080.
        process.arguments = ["run", "--datadir", dataDirectory, "--rpc-addr", "127.0.0.1:0", "--api-addr", "127.0.0.1:0"]
        var environment = ProcessInfo.processInfo.environment
        environment["MLEDGER_PASSPHRASE"] = nil
        environment["MLEDGER_PASSPHRASE_FILE"] = nil
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let reader = Thread { [weak self] in self?.drain(output.fileHandleForReading) }
        reader.name = "mledger-bench-node-log"
        reader.start()
        guard portSignal.wait(timeout: .now() + startTimeoutSeconds) == .success, let found = logLock.withLock({ portFound }) else {
            let tail = lastLines()
            stop()
            throw NodeBenchError.node("no 'JSON-RPC listening on' line within \(Int(startTimeoutSeconds)) s; log: \(tail)")
        }
        port = found
    }

    var processIdentifier: Int32 { process.processIdentifier }

    /// The last few lines the node logged.
    func lastLines() -> String { logLock.withLock { recentLines.suffix(8).joined(separator: " | ") } }

    /// Reads the node's log until it closes, looking for the ready line
    /// `JSON-RPC listening on http://127.0.0.1:PORT`.
    private func drain(_ handle: FileHandle) {
        var pending = [UInt8]()
        while true {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            pending += chunk
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                record(line)
            }
        }
        portSignal.signal()  // the node is gone: whoever waits for the port must not wait forever
    }

    private func record(_ line: String) {
        let marker = "JSON-RPC listening on http://127.0.0.1:"
        var announce = false
        logLock.withLock {
            recentLines.append(line)
            if recentLines.count > 64 { recentLines.removeFirst(recentLines.count - 64) }
            if portFound == nil, let range = line.range(of: marker) {
                let digits = line[range.upperBound...].prefix { $0.isNumber }
                if let value = Int(digits), value > 0 { portFound = value; announce = true }
            }
        }
        if announce { portSignal.signal() }
        if line.contains("sealing failed") || line.contains("error") {
            FileHandle.standardError.write(Data("node: \(line)\n".utf8))
        }
    }

    /// SIGTERM, a graceful shutdown (up to `timeoutSeconds`, then SIGKILL), and the data
    /// directory removed.
    func stop(timeoutSeconds: Double = 20) {
        if process.isRunning {
            process.terminate()
            let deadline = Date().addingTimeInterval(timeoutSeconds)
            while process.isRunning && Date() < deadline { usleep(20_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        }
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }
}
