import Contracts
import Foundation
import MLedgerTesting
import Primitives

/// The shared seeded generator, under the name this target's tests use.
typealias SeededGenerator = SplitMix64

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
