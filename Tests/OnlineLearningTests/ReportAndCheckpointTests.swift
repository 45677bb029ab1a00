import LedgerCrypto
import Diagnostics
import Foundation
import ML
import OnlineLearning
import Primitives
import Testing

@Suite(.serialized) struct TrainingCheckpointTests {
    /// A synthetic daily cycle of 160 hours and every window of it.
    static let values: [Double] = (0..<160).map { (hour: Int) -> Double in
        let phase: Double = Double(hour % 24) / 24 * 2 * Double.pi
        return 500 + 400 * sin(phase) + Double(hour % 7) * 13
    }

    func spec() throws -> OnlineServiceSpec {
        let text = #"{"name": "ckpt", "organization_id": "acme", "developer_id": "dev-1", "training": {"seed": 5}}"#
        return try OnlineServiceSpec(json: JSONValue.parse(Array(text.utf8))!)
    }

    func train(_ engine: OnlineTrainingEngine, steps: Int, spec: OnlineServiceSpec) throws {
        var buffer = HourlyBuffer(capacity: 1000)
        for (h, v) in Self.values.enumerated() { buffer.append(hour: Int64(h), value: v) }
        let starts = buffer.windowStarts(length: spec.window + spec.horizon)
        let scaler = MinMaxScaler(minimum: Float(Self.values.min()!), maximum: Float(Self.values.max()!))
        for _ in 0..<steps { #expect(try engine.step(values: buffer.values, starts: starts, scaler: scaler, spec: spec) != nil) }
    }

    @Test("k steps, save to training.safetensors, restart, m steps = k + m steps uninterrupted, bit for bit")
    func restartContinuesExactly() throws {
        let spec = try spec()
        let uninterrupted = try OnlineTrainingEngine(seed: spec.seed, weights: nil)
        try train(uninterrupted, steps: 5, spec: spec)

        let first = try OnlineTrainingEngine(seed: spec.seed, weights: nil)
        try train(first, steps: 2, spec: spec)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mledger-ckpt-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let files = ServiceFiles(root: directory, name: "ckpt")
        try files.create()
        try files.writeTraining(first.checkpoint)
        // The step count comes from the file even when the state file is behind it (kill between the two writes).
        let resumed = try OnlineTrainingEngine(seed: spec.seed, checkpoint: files.readTraining(), steps: 0)
        #expect(resumed.steps == 2)
        try train(resumed, steps: 3, spec: spec)
        #expect(resumed.steps == 5)
        #expect(resumed.weights == uninterrupted.weights)
        #expect(resumed.checkpoint == uninterrupted.checkpoint)

        // Without the optimizer state (weights alone, as before), the run diverges: the test
        // above would catch moments that were not restored.
        let fresh = try OnlineTrainingEngine(seed: spec.seed, weights: try SafeTensors.decode(Data(first.weights)).tensors, steps: 2)
        try train(fresh, steps: 3, spec: spec)
        #expect(fresh.weights != uninterrupted.weights)
    }

    @Test("a weights-only file reads with no optimizer state; a moment of the wrong shape is refused")
    func weightsOnlyAndCorruptFiles() throws {
        let spec = try spec()
        let engine = try OnlineTrainingEngine(seed: spec.seed, weights: nil)
        let names = EnergyForecaster(seed: 0).namedParameters.map(\.name)
        let plain = try TrainingCheckpoint.decode(engine.weights)
        #expect(plain.optimizer == nil && plain.engineSteps == nil && plain.weights.count == names.count)
        try train(engine, steps: 1, spec: spec)
        let saved = try TrainingCheckpoint.decode(engine.checkpoint)
        #expect(saved.engineSteps == 1 && saved.weights.count == names.count)
        let stepCounts = (0..<names.count).compactMap { saved.optimizer?["step.\($0)"]?.scalar }
        #expect(stepCounts.count == names.count && stepCounts.allSatisfy { $0 > 0 })
        var state = try #require(saved.optimizer)
        state["exp_avg.0"] = Tensor(shape: [1], scalars: [0])
        #expect(throws: MLError.self) { try OnlineTrainingEngine(seed: spec.seed, weights: saved.weights, optimizerState: state) }
    }
}

@Suite(.serialized) struct OnlineReportTests {
    @Test("report from the files of a trained service: the recorded validation MSE and residuals, the chart's hours")
    func reportFromServiceFiles() async throws {
        try await OnlineHarness.with { h in
            let service = try await h.hub.declare(try h.spec(#", "training": {"validation_fraction": 0.5}"#))
            for message in hourlyMessages(firstHour: 0, hours: 110) {
                await service.ingest(payload: message, source: "http", position: nil, durable: true)
                await service.waitForTraining()
            }
            let state = await service.currentState
            let snapshot = try #require(state.snapshots.last)
            let report = try OnlineReport.make(dataDirectory: h.directory, name: "house-1", hours: 48)
            #expect(report.snapshot == snapshot)
            #expect(abs(report.validationMSE - snapshot.validationMSE) <= 1e-6 * snapshot.validationMSE)
            let recorded = try NormalityReport(residuals: snapshot.residuals)
            #expect(abs(report.normality.shapiroWilk!.pValue - recorded.shapiroWilk!.pValue) <= 1e-6)
            #expect(report.normality.count == snapshot.residuals.count)
            // Whole 24-hour forecasts tile the validation period back from its end.
            #expect(report.validationWindows * 24 == snapshot.residuals.count)
            #expect(report.points.count == min(48, 24 * ((report.validationWindows + 23) / 24)))
            #expect(report.points.count >= 24)
            #expect(report.points.last!.hour == snapshot.lastHour)
            #expect(zip(report.points, report.points.dropFirst()).allSatisfy { $1.hour == $0.hour + 1 })
            #expect(report.points.allSatisfy { $0.lower <= $0.upper })
            #expect(report.bandCoverage > 0.5 && report.bandCoverage <= 1)
            guard case .object(let json) = report.json, case .object(let p)? = json["p_values"] else { Issue.record("json"); return }
            #expect(p["shapiro_wilk"]?.doubleValue == report.normality.shapiroWilk!.pValue)

            // A serving copy that is not the anchored snapshot is refused, by name.
            let copy = h.directory.appendingPathComponent("online-learning/house-1/serving.safetensors")
            var bytes = try Data(contentsOf: copy)
            bytes[bytes.count - 1] ^= 1
            try bytes.write(to: copy)
            #expect { try OnlineReport.make(dataDirectory: h.directory, name: "house-1", hours: 48) } throws: { error in
                (error as? OnlineLearningError).map { $0.status == 409 && $0.message.contains("serving snapshot anchors") } ?? false
            }
            #expect { try OnlineReport.make(dataDirectory: h.directory, name: "nobody", hours: 48) } throws: { error in
                (error as? OnlineLearningError)?.status == 404
            }
        }
    }
}
