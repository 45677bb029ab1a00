import ArgumentParser
import Audit
import LedgerCrypto
import Foundation
import LedgerClient
import Primitives
import Training

/// `mledger audit --rpc URL --model 0xADDRESS [--artifact FILE] [--dataset FILE ...] [--checkpoint FILE]
/// [--certificate FILE --parent-artifact FILE] [--timeout S] [--json]`:
/// checks a model's lineage using only JSON-RPC answers and what they prove. One line per
/// check (`PASS name` / `FAIL name: evidence`) and `audit: N passed, M failed`, or one JSON
/// document with `--json`. Exit code 0 only when every check passes, 1 when one fails, 2 when
/// the audit could not run (unreachable node, bad arguments).
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Audit a model's lineage (seals, code hashes, storage proofs, weights, datasets) over JSON-RPC.")

    @Option(help: "JSON-RPC URL of the node, for example http://127.0.0.1:8545.")
    var rpc: String

    @Option(help: "Address of the ModelRecord contract to audit.")
    var model: String

    @Option(help: "The model artifact file; its Keccak-256 must equal the record's weightsHash.")
    var artifact: String?

    @Option(help: "A dataset file to match with the lineage's DatasetRecords (repeatable).")
    var dataset: [String] = []

    @Option(help: "A translated model's equivalence certificate (canonical JSON); checked with --artifact and --parent-artifact.")
    var certificate: String?

    @Option(name: .customLong("parent-artifact"), help: "The parent's weights file, for a translated model's certificate.")
    var parentArtifact: String?

    @Option(name: .customLong("genesis-hash"), help: "Expected genesis block hash (pins the chain).")
    var genesisHash: String?

    @Option(help: ArgumentHelp("The auditor's checkpoint file: headers up to its block are not walked again, "
                               + "and it is advanced after a passing seal walk (created when missing).",
                               valueName: "file"))
    var checkpoint: String?

    @Option(help: "Seconds one JSON-RPC request may take; a node that stops answering is a FAIL.")
    var timeout: Double = 30

    @Flag(help: "Print one JSON document instead of lines.")
    var json = false

    @Flag(help: "Also re-run the anchored training recipe on the --dataset files and compare the weights hash (as `mledger reproduce`).")
    var retrain = false

    @Option(help: "Kernel threads for --retrain.")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    /// Exit code of an audit that ran and found a failing check.
    static let failedExitCode: Int32 = 1
    /// Exit code of an audit that could not run.
    static let errorExitCode: Int32 = 2

    func run() async throws {
        let modelAddress: Address
        let pinnedGenesis: Hash32?
        let client: JSONRPCLedgerClient
        let known: AuditCheckpoint?
        do {
            modelAddress = try Address(checksummed: model)
            pinnedGenesis = try genesisHash.map { text throws(HexError) in try Hash32(hex: text) }
            guard let url = URL(string: rpc) else { throw CommandFailure("--rpc \(rpc) is not a URL") }
            guard timeout > 0 else { throw CommandFailure("--timeout must be positive") }
            client = try JSONRPCLedgerClient(url: url, timeoutSeconds: timeout)
            known = try checkpoint.flatMap { path in try AuditCheckpoint.read(path: path) }
        } catch {
            Self.printError("\(error)")
            throw ExitCode(Self.errorExitCode)
        }
        var report: AuditReport
        do {
            let auditor = try LineageAuditor(client: client, expectedGenesisHash: pinnedGenesis)
            report = try await auditor.audit(model: modelAddress, artifactPath: artifact, datasetPaths: dataset,
                                             checkpoint: known)
            report = report.adding(TranslationAuditChecks.checks(report: report, artifact: artifact, certificate: certificate,
                                                                 parentArtifact: parentArtifact))
            if let checkpoint, let verified = report.checkpoint { try verified.write(path: checkpoint) }
        } catch {
            Self.printError("\(error)")
            throw ExitCode(Self.errorExitCode)
        }
        print(json ? report.json : report.text)
        var retrainPassed = true
        if retrain {
            do {
                let checks = try await RecipeReproduction(client: client, threads: threads)
                    .reproduce(model: modelAddress, datasets: .files(dataset.map { URL(fileURLWithPath: $0) }))
                ReproduceCommand.print(checks.map { var check = $0; check.name = "retrain " + check.name; return check }, json: json, tally: "retrain")
                retrainPassed = checks.allSatisfy(\.passed)
            } catch {
                print("FAIL retrain: \(error)")
                retrainPassed = false
            }
        }
        if !report.allPassed || !retrainPassed { throw ExitCode(Self.failedExitCode) }
    }

    static func printError(_ message: String) {
        FileHandle.standardError.write(Data("Error: \(message)\n".utf8))
    }
}
