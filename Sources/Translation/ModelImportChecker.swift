import Foundation
import ML
import ModelSharing
import ONNX
import Primitives

/// What `POST /model` does with ONNX graphs and PyTorch checkpoints: before anything is stored
/// or anchored, the file goes through MLedger's importer (ONNX: decoded, every node checked by
/// the evaluator, layer stacks turned native and certified; PyTorch: the restricted unpickler
/// or the safetensors reader, then the posted architecture). A file the importer refuses is a
/// 422 naming why; an accepted one is stored byte for byte under backend `onnx` or `pytorch`.
public struct ModelImportChecker: ImportedModelChecker {
    public var maxFileBytes = ONNXModelFile.maximumBytes

    public init() {}

    /// `onnx` for a posted backend `onnx` or a `.onnx` file; `pytorch` for a posted backend
    /// `pytorch` or a `.pt`/`.pth` file; anything else is stored as posted.
    public func importBackend(posted: String, filename: String?) -> String? {
        switch posted.lowercased() {
        case "onnx": return "onnx"
        case "pytorch", "torch": return "pytorch"
        default: break
        }
        let name = filename?.lowercased() ?? ""
        if name.hasSuffix(".onnx") { return "onnx" }
        if name.hasSuffix(".pt") || name.hasSuffix(".pth") { return "pytorch" }
        return nil
    }

    public func check(_ upload: ImportedModelUpload) throws -> [String: JSONValue] {
        do {
            switch upload.backend {
            case "onnx": return ["import": try Self.onnxSummary(upload.file)]
            case "pytorch": return ["import": try Self.checkpointSummary(upload.file, architecture: upload.architecture)]
            default: throw ImportRefusal("backend \(upload.backend) is not imported")
            }
        } catch let refusal as ImportRefusal {
            throw refusal
        } catch {
            throw ImportRefusal("\(upload.filename ?? "the file") cannot be imported as \(upload.backend): \(error)")
        }
    }

    /// The graph must load into MLedger's evaluator; a layer stack is also read as native
    /// layers, certified against the evaluator.
    static func onnxSummary(_ bytes: Data) throws -> JSONValue {
        let imported = try ModelTranslation.importONNX(bytes)
        let evaluator = try ONNXEvaluator(data: bytes)
        var summary: [String: JSONValue] = [
            "format": .string("onnx"),
            "opset": .integer(ONNXModelFile.opset(evaluator.model)),
            "inputs": .array(evaluator.inputNames.map { .string($0) }),
            "outputs": .array(evaluator.outputNames.map { .string($0) }),
            "native": .bool(imported.directory != nil),
        ]
        if let certificate = imported.certificate {
            summary["certificate_keccak256"] = .string(certificate.keccak.description)
            summary["max_abs_error"] = .double(Double(certificate.maxAbsoluteError))
        }
        if let reason = imported.evaluatorOnlyReason { summary["evaluator_only_reason"] = .string(reason) }
        return .object(summary)
    }

    /// A `torch.save(state_dict)` zip or safetensors file, whose tensors must fit the architecture.
    static func checkpointSummary(_ bytes: Data, architecture: JSONValue?) throws -> JSONValue {
        guard let architecture else {
            throw ImportRefusal("a PyTorch checkpoint holds only weights: post its mledger-ml/1 architecture as a part \"architecture\" or as model_params.architecture")
        }
        let directory = try ModelTranslation.importCheckpoint(bytes, architecture: architecture)
        let network = try directory.network()
        let parameters = network.stateDict().values.reduce(0) { $0 + $1.scalars.count }
        return .object([
            "format": .string(bytes.starts(with: [0x50, 0x4b, 0x03, 0x04]) ? "torch.save" : "safetensors"),
            "architecture": architecture,
            "parameter_count": .int(parameters),
            "native_weights_keccak256": .string(directory.weightsHash),
        ])
    }
}
