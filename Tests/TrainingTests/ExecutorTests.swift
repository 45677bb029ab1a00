import Foundation
import ML
import Primitives
import Testing
import Training

@Suite struct ExecutorTests {
    func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("mledger-training-tests-\(UUID().uuidString)")
    }

    func sineCSV(_ rows: Int) -> [UInt8] {
        Array(("power_w\n" + (0..<rows).map { String(format: "%.3f", 50 + 40 * sin(Double($0) / 4)) + "\n" }.joined()).utf8)
    }

    @Test func energyGRUIsDeterministicAcrossThreadCounts() throws {
        var parameters = EnergyGRUParameters()
        parameters.epochs = 2
        parameters.seed = 5
        parameters.batchSize = 32
        var hashes: [Data] = []
        var seen: [TrainingProgress] = []
        for threads in [1, 2] {
            let out = temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: out) }
            let result = try EnergyGRUExecutor.run(csv: sineCSV(300), parameters: parameters, threads: threads, output: out,
                                                   progress: { seen.append($0) })
            hashes.append(try Data(contentsOf: result.weightsFile))
        }
        #expect(hashes[0] == hashes[1])
        #expect(seen.last?.epoch == 2 && seen.last?.epochs == 2 && seen.last?.loss != nil)
        #expect(seen.contains { $0.step > 0 && $0.steps > 0 })
    }

    @Test func aLossThatStopsBeingFiniteFailsNamingTheEpoch() throws {
        // Values at both ends of Float's range: the min-max span overflows and the loss is NaN.
        let rows = (0..<200).map { $0 % 2 == 0 ? "3e38" : "-3e38" }.joined(separator: "\n")
        var parameters = EnergyGRUParameters()
        parameters.epochs = 3
        let out = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        #expect(throws: TrainingRunFailure.self) {
            try EnergyGRUExecutor.run(csv: Array(rows.utf8), parameters: parameters, threads: 1, output: out)
        }
        do { _ = try EnergyGRUExecutor.run(csv: Array(rows.utf8), parameters: parameters, threads: 1, output: out) } catch let failure as TrainingRunFailure {
            #expect(failure.reason.hasPrefix("loss is not finite at epoch 1"), "\(failure)")
        }
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("weights.safetensors").path))
    }

    func processParameters(_ text: String) throws -> ProcessParameters {
        try ProcessParameters(json: JSONValue.parse(Array(text.utf8))!, defaultSeed: 21)
    }

    @Test func processGetsItsWorkDirectoryAndSeed() throws {
        let work = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let script = #"cat "$MLEDGER_PARAMS" > "$MLEDGER_WEIGHTS_FILE"; printf ' %s %s ' "$MLEDGER_SEED" "$PYTHONHASHSEED" >> "$MLEDGER_WEIGHTS_FILE"; cat "$MLEDGER_DATASETS"/d1 >> "$MLEDGER_WEIGHTS_FILE"; echo done"#
        var lines: [String] = []
        let output = try ProcessExecutor(commandLine: script, timeoutSeconds: 30)
            .run(workDirectory: work, datasets: [(id: "d1", bytes: Array("abc".utf8))], parameters: processParameters(#"{"a": 1}"#),
                 cancellation: CancellationFlag(), log: { lines.append($0) })
        #expect(String(decoding: try Data(contentsOf: output.weightsFile), as: UTF8.self) == #"{"a":1,"seed":21} 21 21 abc"#)
        #expect(lines.contains("done"))
    }

    @Test func nonZeroExitFailsWithTheLogTail() throws {
        let work = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        #expect(throws: TrainingRunFailure("the program exited with status 4: broken input")) {
            try ProcessExecutor(commandLine: "echo broken input >&2; exit 4", timeoutSeconds: 30)
                .run(workDirectory: work, datasets: [], parameters: processParameters("{}"), cancellation: CancellationFlag(), log: { _ in })
        }
        #expect(throws: TrainingRunFailure.self) {
            try ProcessExecutor(commandLine: "true", timeoutSeconds: 30)
                .run(workDirectory: work, datasets: [], parameters: processParameters("{}"), cancellation: CancellationFlag(), log: { _ in })
        }
    }

    @Test func timeoutKillsTheWholeProcessGroup() throws {
        let work = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let started = Date()
        // The grandchild writes its pid; after the kill it must be gone too.
        #expect(throws: TrainingRunFailure.self) {
            try ProcessExecutor(commandLine: "sh -c 'echo $$ > grandchild; sleep 60' & wait", timeoutSeconds: 1)
                .run(workDirectory: work, datasets: [], parameters: processParameters("{}"), cancellation: CancellationFlag(), log: { _ in })
        }
        #expect(Date().timeIntervalSince(started) < 10)
        let pidText = try String(contentsOf: work.appendingPathComponent("grandchild"), encoding: .utf8)
        let pid = Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines))!
        usleep(200_000)
        #expect(!Self.alive(pid), "grandchild \(pid) survived the timeout")
    }

    /// Running or sleeping; a zombie waiting for a reaper that is not us counts as gone.
    static func alive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(close, offsetBy: 2)]
        return state != "Z" && state != "X"
    }

    @Test func cancelStopsTheProgram() throws {
        let work = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let flag = CancellationFlag()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.5) { flag.cancel() }
        let started = Date()
        #expect(throws: MLError.cancelled) {
            try ProcessExecutor(commandLine: "sleep 60", timeoutSeconds: 60)
                .run(workDirectory: work, datasets: [], parameters: processParameters("{}"), cancellation: flag, log: { _ in })
        }
        #expect(Date().timeIntervalSince(started) < 10)
    }
}
