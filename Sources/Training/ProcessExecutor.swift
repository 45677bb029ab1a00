import Foundation
import ML
import Primitives
#if canImport(Glibc)
import Glibc
#endif

/// Runs a training program as a child process (`cmd:PROGRAM ARGS`, or an OCI image through the
/// configured container command template) in its own process group, so that a timeout or a
/// cancel kills the program and everything it started.
///
/// The program gets a work directory holding `params.json` and `datasets/` (each dataset file
/// as `<dataset_id>`, checked against its commitment before it was written), an empty `output/`
/// directory, and these environment variables: `MLEDGER_SEED`, `PYTHONHASHSEED`,
/// `MLEDGER_PARAMS`, `MLEDGER_DATASETS`, `MLEDGER_OUTPUT`, `MLEDGER_WEIGHTS_FILE`,
/// `CUBLAS_WORKSPACE_CONFIG`. Exit 0 with the weights file present is success; anything else
/// fails with the log tail.
public struct ProcessExecutor: Sendable {
    /// The shell command line (run by `/bin/sh -c`).
    public var commandLine: String
    public var timeoutSeconds: Double
    /// Weights file name inside `output/` (`weights_file` in the parameters, else this).
    public static let defaultWeightsFile = "weights.safetensors"

    public init(commandLine: String, timeoutSeconds: Double) {
        self.commandLine = commandLine
        self.timeoutSeconds = timeoutSeconds
    }

    /// The command line for an image run through `template`: `{image}`, `{workdir}` and `{seed}`
    /// are replaced (e.g. `podman run --rm -v {workdir}:/work -w /work -e MLEDGER_SEED={seed} {image}`).
    public static func containerCommand(template: String, image: String, workDirectory: URL, seed: UInt64) -> String {
        template.replacingOccurrences(of: "{image}", with: shellQuoted(image))
            .replacingOccurrences(of: "{workdir}", with: shellQuoted(workDirectory.path))
            .replacingOccurrences(of: "{seed}", with: String(seed))
    }

    static func shellQuoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// Lays out the work directory, runs the program and returns its weights file.
    public func run(workDirectory: URL, datasets: [(id: String, bytes: [UInt8])], parameters: ProcessParameters,
                    cancellation: CancellationFlag, log: @escaping (String) -> Void) throws -> TrainingRunOutput {
        let files = FileManager.default
        let datasetDirectory = workDirectory.appendingPathComponent("datasets")
        let output = workDirectory.appendingPathComponent("output")
        try files.createDirectory(at: datasetDirectory, withIntermediateDirectories: true)
        try files.createDirectory(at: output, withIntermediateDirectories: true)
        for dataset in datasets {
            try Data(dataset.bytes).write(to: datasetDirectory.appendingPathComponent(dataset.id), options: .atomic)
        }
        let paramsFile = workDirectory.appendingPathComponent("params.json")
        try Data(parameters.canonicalText.utf8).write(to: paramsFile, options: .atomic)
        var weightsName = Self.defaultWeightsFile
        if let declared = parameters.document["weights_file"]?.stringValue {
            guard !declared.isEmpty, !declared.contains("/"), !declared.hasPrefix(".") else {
                throw TrainingRunFailure("weights_file must be a plain file name")
            }
            weightsName = declared
        }
        let weights = output.appendingPathComponent(weightsName)
        var environment = ProcessInfo.processInfo.environment
        environment["MLEDGER_SEED"] = String(parameters.seed)
        environment["PYTHONHASHSEED"] = String(parameters.seed % 4_294_967_296)
        environment["MLEDGER_PARAMS"] = paramsFile.path
        environment["MLEDGER_DATASETS"] = datasetDirectory.path
        environment["MLEDGER_OUTPUT"] = output.path
        environment["MLEDGER_WEIGHTS_FILE"] = weights.path
        environment["CUBLAS_WORKSPACE_CONFIG"] = ":4096:8"
        let logFile = workDirectory.appendingPathComponent("train.log")
        log("running: \(commandLine)")
        let status = try spawnAndWait(environment: environment, directory: workDirectory, logFile: logFile,
                                      cancellation: cancellation, log: log)
        let tail = Self.tail(of: logFile, lines: 20)
        switch status {
        case .exited(0):
            guard files.fileExists(atPath: weights.path) else {
                throw TrainingRunFailure("the program exited 0 but wrote no \(weightsName) in its output directory")
            }
            let metrics = output.appendingPathComponent("metrics.json")
            return TrainingRunOutput(weightsFile: weights, metricsFile: files.fileExists(atPath: metrics.path) ? metrics : nil,
                                     summary: .object(["exit_status": .int(0)]))
        case .exited(let code):
            throw TrainingRunFailure("the program exited with status \(code)" + (tail.last.map { ": \($0)" } ?? ""))
        case .signalled(let signal):
            throw TrainingRunFailure("the program was killed by signal \(signal)")
        case .timedOut:
            throw TrainingRunFailure("the program ran past the \(Int(timeoutSeconds)) s timeout and was killed")
        case .cancelled:
            throw MLError.cancelled
        }
    }

    enum Status: Equatable { case exited(Int32), signalled(Int32), timedOut, cancelled }

    private func spawnAndWait(environment: [String: String], directory: URL, logFile: URL,
                              cancellation: CancellationFlag, log: @escaping (String) -> Void) throws -> Status {
        let logDescriptor = open(logFile.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard logDescriptor >= 0 else { throw TrainingRunFailure("cannot create \(logFile.path)") }
        defer { close(logDescriptor) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, logDescriptor, 1)
        posix_spawn_file_actions_adddup2(&actions, logDescriptor, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // A process group of its own: a kill reaches the shell and every child it started.
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        // posix_spawn has no portable chdir action: the shell changes into the work directory.
        var environment = environment
        environment["MLEDGER_WORK_DIR"] = directory.path
        let arguments = ["/bin/sh", "-c", "cd \"$MLEDGER_WORK_DIR\" || exit 125\n" + commandLine]
        let environmentLines = environment.map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let result = withCStrings(arguments) { argv in
            withCStrings(environmentLines) { envp in posix_spawn(&pid, "/bin/sh", &actions, &attributes, argv, envp) }
        }
        guard result == 0 else { throw TrainingRunFailure("cannot start /bin/sh: \(String(cString: strerror(result)))") }
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        var outcome: Status?
        var follower = LogFollower(file: logFile, emit: log)
        defer { follower.finish() }
        while true {
            var status: Int32 = 0
            let waited = waitpid(pid, &status, WNOHANG)
            follower.poll()
            if waited == pid {
                // The shell is gone; whatever it left in its group goes too.
                kill(-pid, SIGKILL)
                if let outcome { return outcome }
                let signal = status & 0x7f
                return signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal)
            }
            if waited < 0 && errno != EINTR { throw TrainingRunFailure("waitpid failed: \(String(cString: strerror(errno)))") }
            if outcome == nil {
                if cancellation.isCancelled { outcome = .cancelled } else if Date() >= deadline { outcome = .timedOut }
                if outcome != nil { kill(-pid, SIGKILL) }
            }
            usleep(50_000)
        }
    }

    /// The last `lines` lines of a log file.
    static func tail(of file: URL, lines: Int) -> [String] {
        guard let data = try? Data(contentsOf: file) else { return [] }
        let text = String(decoding: data.suffix(16_384), as: UTF8.self)
        return text.split(separator: "\n", omittingEmptySubsequences: true).suffix(lines).map(String.init)
    }
}

/// Hands the complete lines a running program appends to its log file to `emit` as they come,
/// so that a job's log tail and events show them while it runs.
struct LogFollower {
    let file: URL
    let emit: (String) -> Void
    private var offset: UInt64 = 0
    private var partial = Data()

    init(file: URL, emit: @escaping (String) -> Void) {
        self.file = file
        self.emit = emit
    }

    mutating func poll() {
        guard let handle = try? FileHandle(forReadingFrom: file) else { return }
        defer { try? handle.close() }
        guard (try? handle.seek(toOffset: offset)) != nil, let data = try? handle.readToEnd(), !data.isEmpty else { return }
        offset += UInt64(data.count)
        partial.append(data)
        while let newline = partial.firstIndex(of: UInt8(ascii: "\n")) {
            let line = String(decoding: partial[partial.startIndex..<newline], as: UTF8.self)
            partial.removeSubrange(partial.startIndex...newline)
            if !line.isEmpty { emit(String(line.prefix(2000))) }
        }
    }

    /// Reads what is left, including a last line without a newline.
    mutating func finish() {
        poll()
        if !partial.isEmpty { emit(String(String(decoding: partial, as: UTF8.self).prefix(2000))) }
        partial.removeAll()
    }
}

/// Calls `body` with a NULL-terminated C array of the strings.
private func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    var pointers = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for pointer in pointers { free(pointer) } }
    return body(pointers)
}
