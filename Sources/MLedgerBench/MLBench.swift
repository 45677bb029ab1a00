import Foundation
import ML
import Primitives

/// The energy-gru reference model: training step, epoch and single-window inference, with
/// PyTorch CPU's figures beside them when MLEDGER_TORCH_PYTHON names a python with torch.
func runMLBenchmarks() {
    print("== ml: energy-gru (GRU 1→64 ×2, batch 128, window 36) ==")
    let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let csv = ProcessInfo.processInfo.environment["MLEDGER_BENCH_DATA"]
        ?? repository.deletingLastPathComponent().appendingPathComponent("shared/datasets/pv-greensboro-hourly.csv").path
    var series = (try? HourlySeries.readCSV(at: URL(fileURLWithPath: csv))) ?? []
    if series.count < 100 {
        print("(dataset \(csv) not found: using a synthetic 8,760-hour series)")
        series = (0..<8760).map { max(0, Float(sin(Double($0) * .pi / 12))) }
    }
    let cores = ProcessInfo.processInfo.activeProcessorCount
    let threadCounts = cores > 1 ? [1, cores] : [1]
    var torch = [Int: [String: Double]]()
    if let python = ProcessInfo.processInfo.environment["MLEDGER_TORCH_PYTHON"] {
        let script = repository.appendingPathComponent("tools/bench-pytorch.py").path
        for t in threadCounts { torch[t] = runPyTorchBenchmark(python: python, script: script, threads: t, data: csv) }
    }
    for threads in threadCounts {
        ComputeThreads.withCount(threads) {
            benchmarkEnergyModel(series: series, threads: threads, torch: torch[threads],
                                 torchNote: ProcessInfo.processInfo.environment["MLEDGER_TORCH_PYTHON"] == nil ? "pytorch: not installed" : "pytorch: failed")
        }
    }
}

private func benchmarkEnergyModel(series: [Float], threads: Int, torch: [String: Double]?, torchNote: String) {
    guard let scaler = try? MinMaxScaler(fitting: series),
          let data = try? HourlySeries.windows(series.map(scaler.scale), window: 36, horizon: 24) else { return }
    let model = EnergyForecaster(seed: 1)
    let optimizer = Adam(parameters: model.parameters, learningRate: 0.005, beta1: 0.9, beta2: 0.99)
    let trainer = Trainer(model: model, optimizer: optimizer, loss: .mse,
                          configuration: TrainingConfiguration(epochs: 1, batchSize: 128, shuffleSeed: 2, threads: threads))
    let (x, y) = data.batch(Array(0..<128)[...])
    let step = fastest(seconds: 3) { _ = trainer.step(inputs: x, targets: y) }
    func reference(_ key: String, scale: Double = 1, unit: String) -> String {
        guard let torch, let v = torch[key] else { return torchNote }
        let ours = key == "train_step_ms" ? step * 1e3 : 0
        let ratio = ours > 0 ? String(format: " (ours/pytorch %.2f×)", ours / v) : ""
        return String(format: "pytorch %.2f %@%@", v * scale, unit, ratio)
    }
    report("train step, \(threads) thread(s)", step * 1e3, "ms", reference: reference("train_step_ms", unit: "ms"))
    // The step's phases, timed inside each step; the step with the smallest total is shown.
    var phases = (forward: Double.infinity, backward: 0.0, adam: 0.0)
    let phaseStart = DispatchTime.now().uptimeNanoseconds
    func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
    repeat {
        let t0 = now()
        optimizer.zeroGrad()
        let value = Loss.mse(model.forward(Variable(x)), Variable(y))
        let t1 = now()
        value.backward()
        let t2 = now()
        optimizer.step()
        let t3 = now()
        let seconds = (Double(t1 - t0) / 1e9, Double(t2 - t1) / 1e9, Double(t3 - t2) / 1e9)
        if seconds.0 + seconds.1 + seconds.2 < phases.forward + phases.backward + phases.adam { phases = seconds }
    } while Double(now() - phaseStart) / 1e9 < 1.5
    report("  of which forward + loss (graph recorded)", phases.forward * 1e3, "ms")
    report("  of which backward", phases.backward * 1e3, "ms")
    report("  of which Adam", phases.adam * 1e3, "ms")
    let forward = fastest(seconds: 1) { _ = GradientMode.withoutGradients { model.forward(Variable(x)) } }
    report("  forward without a graph, batch 128", forward * 1e3, "ms")
    // The step's two product shapes on every kernel this CPU runs (same bits; the default is the widest).
    for variant in MatMulVariant.allCases where variant.isAvailable {
        let mark = variant == CPUFeatures.matMulVariant ? "kernel in use" : ""
        report("  matmul 128×64·64×192, \(variant)", 2 * 128 * 64 * 192 / timeProduct(m: 128, k: 64, n: 192, transposed: false, variant) / 1e9,
               "GFLOP/s", reference: mark)
        report("  matmul (4608×192)ᵀ·4608×64, \(variant)", 2 * 4608 * 64 * 192 / timeProduct(m: 192, k: 4608, n: 64, transposed: true, variant) / 1e9,
               "GFLOP/s", reference: mark)
    }

    let epochStart = DispatchTime.now().uptimeNanoseconds
    _ = try? trainer.fit(data)
    let epoch = Double(DispatchTime.now().uptimeNanoseconds - epochStart) / 1e9
    report("epoch on 8,760 h (+val), \(threads) thread(s)", epoch, "s", reference: reference("epoch_s", unit: "s"))

    let window = Tensor(shape: [1, 36, 1], scalars: Array(data.inputs.scalars[0..<36]))
    let infer = fastest(seconds: 1) {
        _ = GradientMode.withoutGradients { model.forward(Variable(window)) }
    }
    var inferReference = reference("infer_us", unit: "µs")
    if let torch, let v = torch["infer_us"] { inferReference += String(format: " (ours/pytorch %.2f×)", infer * 1e6 / v) }
    report("single-window inference, \(threads) thread(s)", infer * 1e6, "µs", reference: inferReference)
}

/// Seconds per `c[m×n] = a·b` on one kernel (`transposed`: a stored as its transpose, as a
/// weight gradient reads it).
private func timeProduct(m: Int, k: Int, n: Int, transposed: Bool, _ variant: MatMulVariant) -> Double {
    let a = [Float](repeating: 0.5, count: m * k), b = [Float](repeating: 0.25, count: k * n)
    var c = [Float](repeating: 0, count: m * n)
    return a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
            c.withUnsafeMutableBufferPointer { pc in
                measure(seconds: 0.5) {
                    MatMulKernel.multiply(pa.baseAddress!, pb.baseAddress!, pc.baseAddress!, m: m, n: n, k: k, accumulate: false,
                                          aRowStride: transposed ? 1 : k, aColumnStride: transposed ? m : 1, variant: variant)
                }
            }
        }
    }
}

/// Runs tools/bench-pytorch.py and parses its JSON line; nil when it fails.
private func runPyTorchBenchmark(python: String, script: String, threads: Int, data: String) -> [String: Double]? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = [script, "--threads", "\(threads)", "--data", data]
    let pipe = Pipe()
    process.standardOutput = pipe
    do { try process.run() } catch { return nil }
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0, let line = String(data: output, encoding: .utf8)?
        .split(separator: "\n").last, let json = try? JSONValue(document: Data(line.utf8)),
        let object = json.objectValue else { return nil }
    return object.compactMapValues(\.doubleValue)
}

/// The fastest single call of `body` over about `seconds`: on a shared machine the minimum
/// is the figure least disturbed by other work (tools/bench-pytorch.py reports the same way).
func fastest(seconds: Double, _ body: () -> Void) -> Double {
    body()
    var best = Double.infinity
    let start = DispatchTime.now().uptimeNanoseconds
    repeat {
        let t0 = DispatchTime.now().uptimeNanoseconds
        body()
        best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
    } while Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 < seconds
    return best
}
