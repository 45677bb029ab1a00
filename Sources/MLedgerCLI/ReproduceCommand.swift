import ArgumentParser
import Foundation
import LedgerClient
import Primitives
import LedgerCrypto
import Training

/// `mledger reproduce`: re-runs the training recipe a ModelRecord anchors and compares the
/// weights hash with the one on chain.
struct ReproduceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reproduce",
        abstract: "Re-run a model's anchored training recipe and compare its weights hash with the chain's.")

    @Option(help: "JSON-RPC URL of the node, for example http://127.0.0.1:8545.")
    var rpc: String

    @Option(help: "Address of the ModelRecord contract.")
    var model: String

    @Option(help: "Model-sharing base URL to fetch the cited datasets from (GET /dataset/{id}).")
    var sharing: String?

    @Option(help: "A dataset file to match with the cited DatasetRecord by its commitment (repeatable).")
    var dataset: [String] = []

    @Option(help: "Kernel threads (the weights must not depend on it).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Seconds one JSON-RPC request may take.")
    var timeout: Double = 30

    @Flag(help: "Print one JSON document instead of lines.")
    var json = false

    func run() async throws {
        let checks: [RecipeReproduction.Check]
        do {
            let address = try Address(checksummed: model)
            guard let url = URL(string: rpc) else { throw CommandFailure("--rpc \(rpc) is not a URL") }
            guard threads >= 1 else { throw CommandFailure("--threads must be at least 1") }
            let source: RecipeReproduction.DatasetSource
            if let sharing {
                guard dataset.isEmpty, let base = URL(string: sharing) else { throw CommandFailure("give --sharing URL or --dataset FILE…, not both") }
                source = .sharing(base)
            } else {
                guard !dataset.isEmpty else { throw CommandFailure("give --sharing URL or at least one --dataset FILE") }
                source = .files(dataset.map { URL(fileURLWithPath: $0) })
            }
            let client = try JSONRPCLedgerClient(url: url, timeoutSeconds: timeout)
            checks = try await RecipeReproduction(client: client, threads: threads).reproduce(model: address, datasets: source)
        } catch {
            FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
            throw ExitCode(2)
        }
        Self.print(checks, json: json)
        if checks.contains(where: { !$0.passed }) { throw ExitCode(1) }
    }

    static func print(_ checks: [RecipeReproduction.Check], json: Bool, tally: String = "reproduce") {
        let passed = checks.filter(\.passed).count
        if json {
            let document: JSONValue = .object([
                "checks": .array(checks.map { .object(["name": .string($0.name), "passed": .bool($0.passed), "detail": .string($0.detail)]) }),
                "passed": .int(passed), "failed": .int(checks.count - passed),
            ])
            Swift.print(document.serialized)
            return
        }
        for check in checks {
            if check.passed { Swift.print("PASS \(check.name) \(check.detail)") } else { Swift.print("FAIL \(check.name): \(check.detail)") }
        }
        Swift.print("\(tally): \(passed) passed, \(checks.count - passed) failed")
    }
}
