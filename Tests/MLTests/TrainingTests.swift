import Foundation
import ML
import Testing
import Primitives

/// Trainer, determinism, the energy-gru recipe and model directory, CSV input, the job runner.
struct TrainingTests {
    /// A small synthetic daily-cycle series (no dataset needed).
    static func series(_ count: Int) -> [Float] {
        (0..<count).map { i in max(0, Float(sin(Double(i) * .pi / 12)) * 1000 + Float(i % 7) * 10) }
    }

    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mledger-ml-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Same seed and data give the same weight bytes with 1 and with several threads; another
    /// seed gives different ones.
    @Test func trainingIsBitIdenticalAcrossThreadCounts() throws {
        let data = Self.series(220)
        var hashes = [UInt64]()
        for (seed, threads) in [(UInt64(11), 1), (11, 4), (12, 1)] {
            let directory = try temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            var recipe = EnergyTrainingRecipe(seed: seed)
            recipe.epochs = 2
            recipe.batchSize = 64
            recipe.threads = threads
            let outcome = try recipe.run(series: data, output: directory)
            hashes.append(fnv1a(try Data(contentsOf: outcome.weightsFile)))
            #expect(outcome.report.epochs.count == 2)
        }
        #expect(hashes[0] == hashes[1], "1 thread and 4 threads gave different weights")
        #expect(hashes[0] != hashes[2], "different seeds gave the same weights")
    }

    @Test func modelDirectoryRoundTripsAndPredicts() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var recipe = EnergyTrainingRecipe(seed: 3)
        recipe.epochs = 1
        let data = Self.series(200)
        let outcome = try recipe.run(series: data, output: directory)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(files == ["architecture.json", "metrics.json", "preprocessing.json", "weights.safetensors"])
        let architecture = try Data(contentsOf: directory.appendingPathComponent("architecture.json"))
        #expect(architecture == EnergyForecaster.architecture.canonicalData)
        #expect(!String(decoding: architecture, as: UTF8.self).contains(" "))
        let names = try SafeTensors.decode(Data(contentsOf: outcome.weightsFile)).tensors.keys.sorted()
        #expect(names == ["fc1.bias", "fc1.weight", "fc2.bias", "fc2.weight",
                          "gru.bias_hh_l0", "gru.bias_hh_l1", "gru.bias_ih_l0", "gru.bias_ih_l1",
                          "gru.weight_hh_l0", "gru.weight_hh_l1", "gru.weight_ih_l0", "gru.weight_ih_l1"])
        let metrics = try JSONValue(document: Data(contentsOf: outcome.metricsFile))
        #expect(metrics["epochs"]?.arrayValue?.count == 1)
        #expect(metrics["hyperparameters"]?["lr"]?.doubleValue == 0.005)

        let predictor = try EnergyPredictor(directory: directory)
        #expect(predictor.scaler == outcome.scaler)
        let windows = [Array(data[0..<36]), Array(data[50..<86])]
        let predictions = try predictor.predict(windows)
        #expect(predictions.count == 2 && predictions.allSatisfy { $0.count == 24 && $0.allSatisfy(\.isFinite) })
        // Raw units: the scaler is inverted, so forecasts sit near the data's range, not in [0, 1].
        #expect(predictions.flatMap { $0 }.contains { abs($0) > 5 })
        #expect { try predictor.predict([Array(data[0..<35])]) } throws: { "\($0)".contains("windows of 36") }
    }

    @Test func predictorRejectsDamagedDirectories() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var recipe = EnergyTrainingRecipe(seed: 3)
        recipe.epochs = 1
        _ = try recipe.run(series: Self.series(120), output: directory)
        let weights = directory.appendingPathComponent("weights.safetensors")
        let good = try Data(contentsOf: weights)
        try good.prefix(good.count - 10).write(to: weights)
        #expect { try EnergyPredictor(directory: directory) } throws: { "\($0)".contains("truncated") }
        var wrongShape = try SafeTensors.decode(good).tensors
        wrongShape["fc2.bias"] = .zeros([12])
        try SafeTensors.encode(wrongShape).write(to: weights)
        #expect { try EnergyPredictor(directory: directory) } throws: { "\($0)".contains("fc2.bias") }
        try good.write(to: weights)
        try Data("{\"name\":\"other\"}".utf8).write(to: directory.appendingPathComponent("architecture.json"))
        #expect { try EnergyPredictor(directory: directory) } throws: { "\($0)".contains("'other'") }
    }

    @Test func earlyStoppingRestoresTheBestEpoch() throws {
        let data = try HourlySeries.windows(Self.series(160).map { $0 / 1000 }, window: 36, horizon: 24)
        let model = EnergyForecaster(seed: 1)
        // A learning rate far too high makes validation loss worsen, so patience triggers.
        let trainer = Trainer(model: model, optimizer: SGD(parameters: model.parameters, learningRate: 5), loss: .mse,
                              configuration: TrainingConfiguration(epochs: 8, batchSize: 16, validationFraction: 0.25,
                                                                   earlyStoppingPatience: 2, shuffleSeed: 1))
        var events = 0
        let report = try trainer.fit(data) { if case .epochFinished = $0 { events += 1 } }
        #expect(events == report.epochs.count)
        let best = try #require(report.epochs.min { ($0.validationLoss ?? .infinity) < ($1.validationLoss ?? .infinity) })
        #expect(report.bestEpoch == best.epoch)
        #expect(report.stoppedEarly, "validation loss never worsened for 2 epochs: \(report.epochs.map { $0.validationLoss ?? 0 })")
        if report.stoppedEarly { #expect(report.epochs.count == best.epoch + 2) }
        let validation = data.subset((data.count - data.count / 4)..<data.count)
        #expect(abs(trainer.evaluate(validation).loss - (best.validationLoss ?? 0)) < 1e-6)
    }

    @Test func trainingReducesLoss() throws {
        let data = try HourlySeries.windows(Self.series(400).map { $0 / 1000 }, window: 36, horizon: 24)
        let model = EnergyForecaster(seed: 4)
        let trainer = Trainer(model: model, optimizer: Adam(parameters: model.parameters, learningRate: 0.005, beta1: 0.9, beta2: 0.99),
                              loss: .mse, configuration: TrainingConfiguration(epochs: 4, batchSize: 64, shuffleSeed: 5))
        let report = try trainer.fit(data)
        #expect(report.epochs.last!.trainLoss < report.epochs.first!.trainLoss * 0.8)
    }

    @Test func cancellationStopsTraining() throws {
        let data = try HourlySeries.windows(Self.series(200), window: 36, horizon: 24)
        let model = EnergyForecaster(seed: 1)
        let trainer = Trainer(model: model, optimizer: SGD(parameters: model.parameters, learningRate: 0.01), loss: .mse,
                              configuration: TrainingConfiguration(epochs: 5, batchSize: 8, shuffleSeed: 1))
        let flag = CancellationFlag()
        var batches = 0
        #expect(throws: MLError.cancelled) {
            try trainer.fit(data, cancellation: flag) { event in
                if case .batchFinished = event { batches += 1; if batches == 3 { flag.cancel() } }
            }
        }
        #expect(batches == 3)
    }

    @Test func csvParsing() throws {
        #expect(try HourlySeries.parseCSV("power_w\n1\n2.5\n-3\n\n") == [1, 2.5, -3])
        #expect(try HourlySeries.parseCSV("1\n2\r\n3") == [1, 2, 3])
        #expect(try HourlySeries.parseCSV("time,power\nx,1\ny,2") == [1, 2])
        #expect(try HourlySeries.parseCSV("a,b\n1,2\n3,4", column: "b") == [2, 4])
        #expect { try HourlySeries.parseCSV("v\n1\nabc\n3") } throws: { "\($0)".contains("line 3") }
        #expect { try HourlySeries.parseCSV("v\n1\n2,3") } throws: { "\($0)".contains("line 3") }
        #expect { try HourlySeries.parseCSV("v\n1\nnan") } throws: { "\($0)".contains("line 3") }
        #expect { try HourlySeries.parseCSV("a,b\n1,2") } throws: { "\($0)".contains("--column") }
        #expect { try HourlySeries.parseCSV("a,b\n1,2", column: "c") } throws: { "\($0)".contains("no column 'c'") }
        #expect(throws: MLError.self) { try HourlySeries.parseCSV("") }
        #expect(throws: MLError.self) { try HourlySeries.windows([1, 2, 3], window: 36, horizon: 24) }
    }

    @Test func jobRunnerRunsQueuesAndCancels() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let runner = TrainingJobRunner(workers: 1) { data in String(fnv1a(data), radix: 16) }
        defer { runner.shutdown() }
        let series = Self.series(150)
        func job(_ seed: UInt64, epochs: Int) -> TrainingJobRunner.Work {
            { context in
                var recipe = EnergyTrainingRecipe(seed: seed)
                recipe.epochs = epochs
                context.log("training seed \(seed)")
                let outcome = try recipe.run(series: series, output: root.appendingPathComponent("job-\(seed)"),
                                             cancellation: context.cancellation) { event in
                    if case .epochFinished(let m, let total) = event { context.report(progress: Double(m.epoch) / Double(total)) }
                }
                return TrainingJobOutput(weightsFile: outcome.weightsFile, metricsFile: outcome.metricsFile)
            }
        }
        let first = runner.submit(name: "first", job(1, epochs: 1))
        let long = runner.submit(name: "long", job(2, epochs: 1000))
        let queued = runner.submit(name: "queued", job(3, epochs: 1))
        let failing = runner.submit(name: "failing") { _ in throw MLError.invalidInput("no data") }
        #expect(runner.cancel(queued))
        #expect(runner.status(queued)?.state == .cancelled)

        let done = try #require(runner.wait(first, timeout: 120))
        #expect(done.state == .succeeded)
        #expect(done.progress == 1)
        #expect(done.logs == ["training seed 1"])
        let result = try #require(done.result)
        #expect(result.weightsHash == String(fnv1a(try Data(contentsOf: result.weightsFile)), radix: 16))
        #expect(result.metricsHash == String(fnv1a(try Data(contentsOf: result.metricsFile)), radix: 16))

        // Wait for the long job to start, then cancel it mid-run.
        var started = false
        for _ in 0..<600 where !started {
            started = runner.status(long)?.state == .running
            if !started { Thread.sleep(forTimeInterval: 0.05) }
        }
        #expect(started)
        #expect(runner.cancel(long))
        #expect(runner.wait(long, timeout: 120)?.state == .cancelled)
        let failed = try #require(runner.wait(failing, timeout: 120))
        #expect(failed.state == .failed)
        #expect(failed.error?.contains("no data") == true)
        #expect(runner.cancel(first) == false)
        #expect(runner.allStatuses().map(\.id) == [first, long, queued, failing])
    }
}
