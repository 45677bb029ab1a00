import Foundation
import ML
import Primitives
import Testing
import Training

/// A run stopped after some epoch and resumed from its checkpoint ends with the weights of a
/// run that never stopped (the node-death case of a training job).
@Suite struct CheckpointResumeTests {
    func directory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("mledger-checkpoint-tests-\(UUID().uuidString)")
    }

    /// Runs `trainer` once whole, then again stopped at the end of epoch `stopAfter` and resumed
    /// from the checkpoint by a fresh call; returns both weights files and the resumed run's log.
    func wholeAndResumed(_ trainer: BuiltinTrainer, dataset: [UInt8], parameters: String, stopAfter: Int) throws -> (Data, Data, [String]) {
        let root = directory()
        defer { try? FileManager.default.removeItem(at: root) }
        let json = JSONValue.parse(Array(parameters.utf8))!
        let whole = try trainer.run(dataset: dataset, parameters: json, threads: 2, output: root.appendingPathComponent("whole"))
        let file = CheckpointFile(url: root.appendingPathComponent("job/checkpoint.safetensors"))
        let stop = CancellationFlag()
        #expect(throws: MLError.self) {
            try trainer.run(dataset: dataset, parameters: json, threads: 1, output: root.appendingPathComponent("first"), cancellation: stop,
                            checkpoint: file, progress: { if $0.epochsDone == stopAfter { stop.cancel() } })
        }
        #expect(FileManager.default.fileExists(atPath: file.url.path))
        var log: [String] = []
        var firstEpochSeen: Int?
        let resumed = try trainer.run(dataset: dataset, parameters: json, threads: 2, output: root.appendingPathComponent("resumed"),
                                      checkpoint: file, progress: { if firstEpochSeen == nil { firstEpochSeen = $0.epoch } }, log: { log.append($0) })
        #expect(firstEpochSeen == stopAfter + 1, "the resumed run starts after the checkpointed epoch")
        return (try Data(contentsOf: whole.weightsFile), try Data(contentsOf: resumed.weightsFile), log)
    }

    @Test func sequentialWithDropoutAndEarlyStoppingResumesToTheSameWeights() throws {
        let rows = (0..<300).map { i -> String in
            let a = Float(i % 11) / 5 - 1, b = Float((i * 3) % 7) / 3 - 1
            return "\(a),\(b),\(a * a - b)"
        }
        let csv = Array(("a,b,y\n" + rows.joined(separator: "\n")).utf8)
        let parameters = #"{"architecture": {"layers": [{"type": "linear", "units": 12}, {"type": "tanh"}, {"type": "dropout", "p": 0.2}, {"type": "linear", "units": 1}]}, "data": {"features": ["a", "b"], "targets": ["y"]}, "epochs": 6, "batch_size": 32, "early_stopping_patience": 3, "seed": 4}"#
        let (whole, resumed, log) = try wholeAndResumed(.sequential, dataset: csv, parameters: parameters, stopAfter: 3)
        #expect(whole == resumed)
        #expect(log.contains("resuming from the checkpoint of epoch 3"), "\(log)")
    }

    @Test func energyGRUResumesToTheSameWeights() throws {
        let csv = Array(("power_w\n" + (0..<260).map { String(format: "%.3f", 50 + 40 * sin(Double($0) / 4)) }.joined(separator: "\n")).utf8)
        let (whole, resumed, _) = try wholeAndResumed(.energyGRU, dataset: csv, parameters: #"{"epochs": 3, "batch_size": 64, "seed": 9}"#, stopAfter: 1)
        #expect(whole == resumed)
    }

    @Test func aCheckpointOfAnotherRunIsRefusedAndABrokenOneIgnored() throws {
        let root = directory()
        defer { try? FileManager.default.removeItem(at: root) }
        let csv = Array(("x,y\n" + (0..<80).map { "\($0 % 9),\(($0 % 9) * 2)" }.joined(separator: "\n")).utf8)
        let base = #"{"architecture": {"layers": [{"type": "linear", "units": 1}]}, "data": {"features": ["x"], "targets": ["y"]}, "epochs": 2, "seed": SEED}"#
        let file = CheckpointFile(url: root.appendingPathComponent("c/checkpoint.safetensors"))
        let seven = JSONValue.parse(Array(base.replacingOccurrences(of: "SEED", with: "7").utf8))!
        let eight = JSONValue.parse(Array(base.replacingOccurrences(of: "SEED", with: "8").utf8))!
        _ = try BuiltinTrainer.sequential.run(dataset: csv, parameters: seven, threads: 1, output: root.appendingPathComponent("a"), checkpoint: file)
        // Seed 8 shuffles differently: the fingerprint check refuses seed 7's checkpoint.
        #expect(throws: TrainingRunFailure.self) {
            try BuiltinTrainer.sequential.run(dataset: csv, parameters: eight, threads: 1, output: root.appendingPathComponent("b"), checkpoint: file)
        }
        try Data("not a checkpoint".utf8).write(to: file.url)
        var log: [String] = []
        let clean = try BuiltinTrainer.sequential.run(dataset: csv, parameters: seven, threads: 1, output: root.appendingPathComponent("d"))
        let again = try BuiltinTrainer.sequential.run(dataset: csv, parameters: seven, threads: 1, output: root.appendingPathComponent("e"),
                                                      checkpoint: file, log: { log.append($0) })
        #expect(try Data(contentsOf: clean.weightsFile) == Data(contentsOf: again.weightsFile))
        #expect(log.contains { $0.contains("unreadable") })
    }
}
