import Foundation

/// Runs a program to its end and returns its exit status with what it wrote (standard output
/// and standard error together, in the order written): the one way tests and benchmarks run
/// helper programs (openssl, wrk, python, mledger itself) whose output they check.
public enum ChildProcess {
    public struct Finished: Sendable {
        public var status: Int32
        public var output: String
    }

    public static func run(_ executable: String, _ arguments: [String], in directory: URL? = nil) throws -> Finished {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        // Read before waiting: a child that fills the pipe would otherwise never exit.
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return Finished(status: process.terminationStatus, output: output)
    }
}
