import Foundation
import ML
import ONNX
import Primitives

/// ONNX translation: energy-gru → ONNX with its certificate (target < 50 ms), and the inference
/// of the imported ONNX file (MLedger's evaluator, and the same model as native layers) beside
/// onnxruntime's single-window latency on 1 thread (target within 1.5×), onnxruntime run through
/// MLEDGER_ONNX_PYTHON (default: the interop venv).
func runTranslationBenchmarks() {
    print("== translation: energy-gru (GRU 1→64 ×2, window 36) ==")
    let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let model = EnergyForecaster(seed: 1)
    let directory = ModelDirectory(architecture: EnergyForecaster.architecture,
                                   weights: SafeTensors.encode(model.stateDict(), metadata: ["format": "pt", "architecture": "energy-gru"]))
    guard let exported = try? ModelTranslation.export(directory, sourceModelId: "bench", mledgerVersion: "bench") else {
        print("translation failed"); return
    }
    ComputeThreads.withCount(1) {
        let total = fastest(seconds: 3) { _ = try? ModelTranslation.export(directory, sourceModelId: "bench", mledgerVersion: "bench") }
        report("translate energy-gru (export + certificate)", total * 1e3, "ms", reference: "target < 50 ms")
        let network = try! directory.network()
        let exportOnly = fastest(seconds: 1) {
            _ = try? ONNXModelFile.encode(ONNXExporter.export(network, provenance: .init(sourceModelId: "b", sourceWeightsHash: "h", mledgerVersion: "v")))
        }
        report("  of which export and encode", exportOnly * 1e3, "ms")
    }

    let file = FileManager.default.temporaryDirectory.appendingPathComponent("mledger-bench-energy-gru-\(getpid()).onnx")
    defer { try? FileManager.default.removeItem(at: file) }
    guard (try? exported.onnx.write(to: file)) != nil, let imported = try? ModelTranslation.importONNX(exported.onnx),
          let network = try? imported.directory?.network(), let evaluator = try? ONNXEvaluator(data: exported.onnx) else {
        print("import failed"); return
    }
    let python = ProcessInfo.processInfo.environment["MLEDGER_ONNX_PYTHON"] ?? repository.appendingPathComponent("Tests/interop/.venv/bin/python").path
    let ort = runOnnxRuntime(python: python, script: repository.appendingPathComponent("tools/bench-onnxruntime.py").path, model: file.path)
    let window = Tensor(shape: [1, 36, 1]) { Float($0) / 35 }
    // An imported ONNX file runs in MLedger's evaluator (any supported graph); a layer stack
    // also runs as native ML layers. Both beside onnxruntime's figure of the same file.
    func beside(_ seconds: Double) -> String {
        ort.map { String(format: "onnxruntime %.1f µs (ours/ort %.2f×, target ≤ 1.5×)", $0, seconds * 1e6 / $0) }
            ?? "onnxruntime: not available at \(python)"
    }
    ComputeThreads.withCount(1) {
        let input = ONNXTensor(shape: [1, 36, 1], floats: window.scalars)
        let interpreted = fastest(seconds: 2) { _ = try? evaluator.runSingle(input) }
        report("imported ONNX, MLedger's evaluator, 1 window, 1 thread", interpreted * 1e6, "µs", reference: beside(interpreted))
        let native = fastest(seconds: 2) { _ = try? network.forward(window) }
        report("  the same file as native ML layers", native * 1e6, "µs", reference: beside(native))
    }
}

private func runOnnxRuntime(python: String, script: String, model: String) -> Double? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = [script, "--model", model, "--threads", "1"]
    let pipe = Pipe()
    process.standardOutput = pipe
    do { try process.run() } catch { return nil }
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0, let line = String(data: output, encoding: .utf8)?.split(separator: "\n").last,
          let json = try? JSONValue(document: Data(line.utf8)) else { return nil }
    return json["single_window_us"]?.doubleValue
}
