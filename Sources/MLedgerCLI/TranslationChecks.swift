import Foundation
import ML
import ONNX
import Primitives

/// `--check-inputs` / `--check-outputs` of `translate` and `import`: runs given inputs through
/// the native model and MLedger's ONNX evaluator so other runtimes (onnxruntime, PyTorch,
/// scikit-learn) can be compared with both. Files: `{"shape": [...], "values": [...]}` in;
/// `{"native": {...} | null, "evaluator": {"<output>": {...}}}` out.
enum TranslationChecks {
    static func tensorJSON(shape: [Int], values: [Float]) -> JSONValue {
        .object(["shape": .array(shape.map { .int($0) }), "values": .array(values.map { .double(Double($0)) })])
    }

    static func readInputs(_ path: String) throws -> (shape: [Int], values: [Float]) {
        let document = try JSONValue(document: Data(contentsOf: URL(fileURLWithPath: path)))
        guard let shape = document["shape"]?.arrayValue?.compactMap(\.intValue),
              let values = document["values"]?.arrayValue?.compactMap({ $0.doubleValue.map { Float($0) } }),
              shape.reduce(1, *) == values.count
        else { throw MLError.invalidInput("\(path): expected {\"shape\": [...], \"values\": [...]} with matching sizes") }
        return (shape, values)
    }

    static func write(inputs path: String, to outPath: String, network: NativeNetwork?, onnx: Data) throws {
        let (shape, values) = try readInputs(path)
        var native: JSONValue = .null
        if let network {
            let out = try network.forward(Tensor(shape: shape, scalars: values))
            native = tensorJSON(shape: out.shape, values: out.scalars)
        }
        let evaluator = try ONNXEvaluator(data: onnx)
        let outputs = try evaluator.run([evaluator.inputNames[0]: ONNXTensor(shape: shape, floats: values)])
        let evaluated = JSONValue.object(outputs.mapValues { tensorJSON(shape: $0.shape, values: $0.floats) })
        try JSONValue.object(["native": native, "evaluator": evaluated]).canonicalData.write(to: URL(fileURLWithPath: outPath), options: .atomic)
    }
}
