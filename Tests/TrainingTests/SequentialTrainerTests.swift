import Foundation
import ML
import Primitives
import Testing
import Training

@Suite struct SequentialTrainerTests {
    func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("mledger-sequential-tests-\(UUID().uuidString)")
    }

    func parameters(_ text: String) throws -> SequentialParameters {
        try SequentialParameters(json: JSONValue.parse(Array(text.utf8))!, defaultSeed: 3)
    }

    /// y = 2a − b + 0.5 + a·b with a, b on a grid: a small regression table with a header.
    func tableRows(_ count: Int) -> [[Float]] {
        (0..<count).map { i in
            let a = Float(i % 17) / 8 - 1, b = Float((i * 7) % 13) / 6 - 1
            return [a, b, 2 * a - b + 0.5 + a * b]
        }
    }

    func csv(_ rows: [[Float]], header: String = "a,b,y") -> [UInt8] {
        Array((header + "\n" + rows.map { $0.map { "\($0)" }.joined(separator: ",") }.joined(separator: "\n") + "\n").utf8)
    }

    static let mlp = #"{"architecture": {"layers": [{"type": "linear", "units": 8}, {"type": "relu"}, {"type": "dropout", "p": 0.1}, {"type": "linear", "units": 1}]}, "data": {"features": ["a", "b"], "targets": ["y"]}, "epochs": 4, "batch_size": 16, "lr": 0.01, "seed": 11}"#

    func train(_ bytes: [UInt8], _ p: SequentialParameters, threads: Int = 1, checkpoint: CheckpointFile? = nil,
               cancellation: CancellationFlag = CancellationFlag(), progress: @escaping (TrainingProgress) -> Void = { _ in }) throws -> Data {
        let out = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let result = try SequentialExecutor.run(dataset: bytes, parameters: p, threads: threads, output: out,
                                                cancellation: cancellation, checkpoint: checkpoint, progress: progress)
        return try Data(contentsOf: result.weightsFile)
    }

    @Test func schemaErrorsNameTheField() throws {
        let cases: [(String, String)] = [
            (#"{"data": {"features": [0], "targets": [1]}}"#, "architecture"),
            (#"{"architecture": {"layers": [{"type": "conv"}]}, "data": {"features": [0], "targets": [1]}}"#, "architecture.layers[0].type"),
            (#"{"architecture": {"layers": [{"type": "linear", "units": 0}]}, "data": {"features": [0], "targets": [1]}}"#, "architecture.layers[0].units"),
            (#"{"architecture": {"layers": [{"type": "linear", "units": 2}, {"type": "dropout", "p": 1.5}]}, "data": {"features": [0], "targets": [1]}}"#, "architecture.layers[1].p"),
            (#"{"architecture": {"layers": [{"type": "linear", "units": 3}]}, "data": {"features": [0], "targets": [1]}}"#, "architecture.layers"),
            (#"{"architecture": {"layers": [{"type": "gru", "units": 1}]}, "data": {"features": [0], "targets": [1]}}"#, "architecture.layers[0]"),
            (#"{"architecture": {"layers": [{"type": "linear", "units": 1}]}, "data": {"inputs": [0], "targets": [1]}}"#, "data.window"),
            (#"{"architecture": {"layers": [{"type": "linear", "units": 1}]}, "data": {"features": [-1], "targets": [1]}}"#, "data.features[0]"),
            (#"{"architecture": {"layers": [{"type": "linear", "units": 1}]}, "data": {"features": [0], "targets": [1]}, "optimizer": "rmsprop"}"#, "optimizer"),
            (#"{"architecture": {"layers": [{"type": "linear", "units": 1}]}, "data": {"features": [0], "targets": [1]}, "loss": "hinge"}"#, "loss"),
            (#"{"architecture": {"layers": [{"type": "linear", "units": 1}]}, "data": {"features": [0], "targets": [1]}, "lr": "fast"}"#, "lr"),
            (#"{"architecture": {"layers": [{"type": "linear", "units": 1}]}, "data": {"features": [0], "targets": [1]}, "epoch": 3}"#, "epoch"),
            (#"{"architecture": {"layers": [{"type": "linear", "units": 1}]}, "data": {"features": [0], "targets": [1]}, "loss": "cross_entropy"}"#, "architecture.layers"),
        ]
        for (text, field) in cases {
            #expect(throws: TrainingParameterError.self, "\(text)") { try parameters(text) }
            do { _ = try parameters(text) } catch let error as TrainingParameterError { #expect(error.field == field, "\(text): \(error)") }
        }
    }

    @Test func canonicalFormFillsDefaultsAndIgnoresKeyOrder() throws {
        let a = try parameters(#"{"data": {"targets": ["y"], "features": ["a"]}, "architecture": {"layers": [{"units": 1, "type": "linear"}]}}"#)
        let b = try parameters(#"{"architecture": {"layers": [{"type": "linear", "units": 1, "bias": true}]}, "data": {"features": ["a"], "targets": ["y"]}, "seed": 3, "optimizer": "adam"}"#)
        #expect(a.canonicalText == b.canonicalText)
        #expect(a.canonicalText.contains(#""seed":3"#))
        let reparsed = try SequentialParameters(json: a.json, defaultSeed: 99)
        #expect(reparsed == a)
    }

    @Test func mlpIsDeterministicAcrossThreadCountsAndLearns() throws {
        let p = try parameters(Self.mlp)
        var seen: [TrainingProgress] = []
        let one = try train(csv(tableRows(400)), p, threads: 1, progress: { seen.append($0) })
        let two = try train(csv(tableRows(400)), p, threads: 2)
        #expect(one == two)
        let losses = seen.filter { $0.step == $0.steps }.compactMap(\.loss)
        #expect(losses.count >= 4 && losses.last! < losses.first!, "\(losses)")
        var other = p
        other.seed = 12
        #expect(try train(csv(tableRows(400)), other) != one)
    }

    @Test func npyAndSafetensorsGiveTheWeightsCSVGives() throws {
        let rows = tableRows(200)
        let p = try parameters(Self.mlp.replacingOccurrences(of: #"["a", "b"]"#, with: "[0, 1]").replacingOccurrences(of: #"["y"]"#, with: "[2]"))
        let fromCSV = try train(csv(rows), p)
        // .npy version 1.0, float64, C order.
        let header = "{'descr': '<f8', 'fortran_order': False, 'shape': (\(rows.count), 3), }"
        let padded = header + String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
        var npy: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(padded.utf8.count & 0xFF), UInt8(padded.utf8.count >> 8)] + Array(padded.utf8)
        for value in rows.joined() { withUnsafeBytes(of: Double(value).bitPattern.littleEndian) { npy.append(contentsOf: $0) } }
        #expect(try train(npy, p) == fromCSV)
        let safetensors = SafeTensors.encode(["data": Tensor(shape: [rows.count, 3], scalars: Array(rows.joined()))])
        #expect(try train(Array(safetensors), p) == fromCSV)
        #expect(throws: TrainingRunFailure.self) { try train(Array(npy.dropLast(3)), p) }
    }

    @Test func recurrentWindowedAndClassificationRuns() throws {
        let series = (0..<160).map { i -> [Float] in [sin(Float(i) / 5), cos(Float(i) / 7), Float(i % 3)] }
        let bytes = csv(series, header: "s,c,k")
        for (kind, extra) in [("gru", ""), ("lstm", #", "layers": 2"#)] {
            let p = try parameters(#"{"architecture": {"layers": [{"type": "\#(kind)", "units": 6\#(extra)}, {"type": "tanh"}, {"type": "linear", "units": 4}]}, "data": {"inputs": ["s", "c"], "targets": ["s", "c"], "window": 8, "horizon": 2}, "epochs": 2, "batch_size": 32, "optimizer": "adamw"}"#)
            #expect(try train(bytes, p, threads: 1) == train(bytes, p, threads: 2), "\(kind)")
        }
        let classify = try parameters(#"{"architecture": {"layers": [{"type": "linear", "units": 16}, {"type": "sigmoid"}, {"type": "linear", "units": 3}]}, "data": {"features": ["s", "c"], "targets": ["k"]}, "loss": "cross_entropy", "optimizer": "sgd", "momentum": 0.9, "lr": 0.1, "epochs": 3}"#)
        var losses: [Double] = []
        _ = try train(bytes, classify, progress: { if $0.step == $0.steps, let loss = $0.loss { losses.append(loss) } })
        #expect(losses.allSatisfy { $0.isFinite && $0 > 0 } && !losses.isEmpty)
        let badClass = csv([[0, 0, 7], [1, 1, 0]], header: "s,c,k")
        #expect(throws: TrainingRunFailure.self) { try train(badClass, classify) }
    }

    @Test func crossEntropyGradientMatchesFiniteDifferences() throws {
        let logits = Variable(Tensor(shape: [2, 3], scalars: [0.2, -1.0, 0.5, 1.5, 0.1, -0.3]), requiresGrad: true)
        let targets = Variable(Tensor(shape: [2, 3], scalars: [0, 0, 1, 1, 0, 0]))
        let loss = logits.softmaxCrossEntropy(targets)
        loss.backward()
        // -(log softmax(z0)[2] + log softmax(z1)[0]) / 2, computed in Double.
        func reference(_ z: [Float]) -> Double {
            func lse(_ r: ArraySlice<Float>) -> Double { log(r.map { exp(Double($0)) }.reduce(0, +)) }
            return ((lse(z[0..<3]) - Double(z[2])) + (lse(z[3..<6]) - Double(z[3]))) / 2
        }
        #expect(abs(Double(loss.value.scalar) - reference(logits.value.scalars)) < 1e-6)
        for i in 0..<6 {
            var up = logits.value.scalars, down = up
            up[i] += 1e-3
            down[i] -= 1e-3
            let numeric = (reference(up) - reference(down)) / 2e-3
            #expect(abs(Double(logits.grad!.scalars[i]) - numeric) < 1e-4, "logit \(i)")
        }
    }
}
