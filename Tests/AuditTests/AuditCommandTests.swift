import Foundation
import Testing

/// `mledger audit` as a user runs it: the built binary against the test node, checking the
/// output lines, the JSON document and the exit codes.
@Suite struct AuditCommandTests {
    /// The `mledger` binary built beside the test bundle (`swift build --build-tests` builds it).
    static var binary: URL {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while directory.pathExtension == "xctest" || directory.lastPathComponent == "Contents"
            || directory.lastPathComponent == "MacOS" {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("mledger")
    }

    /// Runs `mledger` with `arguments`; returns its exit status and standard output.
    static func run(_ arguments: [String]) async throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        let out = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let err = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (status, out, err)
    }

    @Test func auditCommandOutputAndExitCodes() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path),
                     "mledger is not built next to the tests at \(Self.binary.path)")
        try await LineageAuditTests.withChain { fixture in
            let lineage = try await fixture.threeLevels()
            let rpc = fixture.chain.server.url.absoluteString
            let base = ["audit", "--rpc", rpc, "--model", lineage.grandchild.description]

            let passing = try await Self.run(base + ["--artifact", lineage.grandchildWeights,
                                                     "--dataset", lineage.ownCSV, "--dataset", lineage.sharedCSV])
            let lines = passing.output.split(separator: "\n").map(String.init)
            #expect(passing.status == 0, "\(passing.output)\(passing.errors)")
            #expect(lines.last == "audit: 15 passed, 0 failed")
            #expect(lines.dropLast().allSatisfy { $0.hasPrefix("PASS ") })
            #expect(lines.contains("PASS weights-hash"))

            var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: lineage.grandchildWeights)))
            bytes[0] ^= 0x80
            let tampered = try fixture.write("tampered.bin", bytes)
            let failing = try await Self.run(base + ["--artifact", tampered, "--json"])
            #expect(failing.status == 1)
            let document = try #require(try JSONSerialization.jsonObject(with: Data(failing.output.utf8)) as? [String: Any])
            #expect(document["failed"] as? Int == 1)
            let checks = try #require(document["checks"] as? [[String: Any]])
            #expect(checks.filter { $0["passed"] as? Bool == false }.compactMap { $0["name"] as? String } == ["weights-hash"])

            let unreachable = try await Self.run(["audit", "--rpc", "http://127.0.0.1:1", "--model", lineage.grandchild.description])
            #expect(unreachable.status == 2)
            #expect(unreachable.errors.contains("cannot reach the node"))
            let badAddress = try await Self.run(["audit", "--rpc", rpc, "--model", "0x1234"])
            #expect(badAddress.status == 2)
        }
    }
}
