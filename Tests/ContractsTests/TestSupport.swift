import Contracts
import Foundation
import Primitives

/// Deterministic generator for seeded fuzzing (SplitMix64), so a failure reproduces.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

enum Repository {
    /// The checkout root, found from this file's path.
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}

/// The interpreter named by MLEDGER_PYTHON (tools/test exports the venv's), when it exists.
enum ExternalPython {
    static var path: String? {
        guard let p = ProcessInfo.processInfo.environment["MLEDGER_PYTHON"],
              FileManager.default.isExecutableFile(atPath: p) else { return nil }
        return p
    }

    /// True when `import module` succeeds in that interpreter.
    static func has(module: String) -> Bool {
        guard let python = path else { return false }
        return (try? run(python, ["-c", "import \(module)"]).status) == 0
    }

    /// Runs a program, feeding `input` on stdin; returns status, stdout and stderr.
    static func run(_ executable: String, _ arguments: [String], input: Data = Data(),
                    cwd: URL = Repository.root) throws -> (status: Int32, out: Data, err: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = cwd
        // stderr goes to a file, so only one pipe needs draining while the child runs.
        let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("mledger-py-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errURL) }
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = try FileHandle(forWritingTo: errURL)
        try process.run()
        // Feed stdin from another thread: a large input must not deadlock against a full stdout.
        let writer = stdin.fileHandleForWriting
        let feeder = Thread {
            writer.write(input)
            try? writer.close()
        }
        feeder.start()
        let outData = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errData = (try? Data(contentsOf: errURL)) ?? Data()
        return (process.terminationStatus, outData, String(decoding: errData, as: UTF8.self))
    }
}

func hexBytes(_ text: String) -> [UInt8] {
    let clean = text.filter { !$0.isWhitespace }
    return (try? Hex.decode(clean)) ?? []
}
