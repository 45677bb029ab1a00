import ArgumentParser
import Foundation
import ML
import ONNX
import Primitives

/// `mledger translate`: a native model directory → ONNX (opset 17) with its equivalence certificate.
struct TranslateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "translate",
        abstract: "Translate a model directory (as `mledger train` writes it) to ONNX, with an equivalence certificate.")

    @Option(help: "Model directory (architecture.json, weights.safetensors).")
    var model: String

    @Option(help: "Output ONNX file; the certificate goes beside it as <out>.certificate.json.")
    var out: String

    @Option(help: "Source model id recorded in the file's metadata (default: the directory name).")
    var modelId: String?

    @Option(help: "Also run these inputs ({\"shape\", \"values\"}) through the native model and the ONNX evaluator.")
    var checkInputs: String?

    @Option(help: "Where --check-inputs writes both outputs.")
    var checkOutputs: String?

    func run() throws {
        let source = URL(fileURLWithPath: model)
        let directory = try ModelDirectory.read(source)
        let started = Date()
        let exported = try ModelTranslation.export(directory, sourceModelId: modelId ?? source.lastPathComponent,
                                                   mledgerVersion: MLedgerCommand.version)
        let elapsed = Date().timeIntervalSince(started)
        let output = URL(fileURLWithPath: out)
        try exported.onnx.write(to: output, options: .atomic)
        try Data(exported.certificate.canonicalJSON.utf8).write(to: URL(fileURLWithPath: out + ".certificate.json"), options: .atomic)
        print("onnx: \(out) (\(exported.onnx.count) bytes, \(String(format: "%.1f", elapsed * 1000)) ms)")
        print(exported.certificate.summary)
        print("certificate keccak256: \(exported.certificate.keccak)")
        if let checkInputs, let checkOutputs {
            try TranslationChecks.write(inputs: checkInputs, to: checkOutputs, network: try directory.network(), onnx: exported.onnx)
        }
    }
}

/// `mledger import`: ONNX or a PyTorch checkpoint → a model directory.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import an ONNX file, or a PyTorch checkpoint (.pt state dict or safetensors) with its architecture JSON, into a model directory.")

    @Option(help: "ONNX file to import.")
    var onnx: String?

    @Option(help: "PyTorch checkpoint: torch.save(state_dict) .pt file or safetensors.")
    var pt: String?

    @Option(help: "Architecture JSON (mledger-ml/1 layers) for --pt.")
    var arch: String?

    @Option(help: "Output model directory.")
    var out: String

    @Option(help: "Also run these inputs ({\"shape\", \"values\"}) through the imported model and the ONNX evaluator.")
    var checkInputs: String?

    @Option(help: "Where --check-inputs writes the outputs.")
    var checkOutputs: String?

    func validate() throws {
        guard (onnx == nil) != (pt == nil) else { throw ValidationError("give exactly one of --onnx and --pt") }
        if pt != nil, arch == nil { throw ValidationError("--pt needs --arch") }
    }

    func run() throws {
        let output = URL(fileURLWithPath: out)
        if let onnx {
            let bytes = try read(onnx)
            let imported = try ModelTranslation.importONNX(bytes, name: URL(fileURLWithPath: onnx).deletingPathExtension().lastPathComponent)
            if let directory = imported.directory, let certificate = imported.certificate {
                try directory.write(to: output, extra: ["model.onnx": bytes, "certificate.json": Data(certificate.canonicalJSON.utf8)])
                print("imported as native layers: \(out)")
                print("weights keccak256: \(directory.weightsHash)")
                print(certificate.summary)
                if let checkInputs, let checkOutputs {
                    try TranslationChecks.write(inputs: checkInputs, to: checkOutputs, network: try directory.network(), onnx: bytes)
                }
            } else {
                try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
                try bytes.write(to: output.appendingPathComponent("model.onnx"), options: .atomic)
                print("imported as an ONNX graph run by MLedger's evaluator: \(out)/model.onnx")
                print("(no native layer form: \(imported.evaluatorOnlyReason ?? "unknown"))")
                if let checkInputs, let checkOutputs {
                    try TranslationChecks.write(inputs: checkInputs, to: checkOutputs, network: nil, onnx: bytes)
                }
            }
        } else if let pt, let arch {
            let architecture = try JSONValue(document: read(arch))
            let directory = try ModelTranslation.importCheckpoint(try read(pt), architecture: architecture)
            try directory.write(to: output)
            print("imported checkpoint: \(out)")
            print("weights keccak256: \(directory.weightsHash)")
            if let checkInputs, let checkOutputs {
                let network = try directory.network()
                let (shape, values) = try TranslationChecks.readInputs(checkInputs)
                let result = try network.forward(Tensor(shape: shape, scalars: values))
                try JSONValue.object(["native": TranslationChecks.tensorJSON(shape: result.shape, values: result.scalars)])
                    .canonicalData.write(to: URL(fileURLWithPath: checkOutputs), options: .atomic)
            }
        }
    }

    private func read(_ path: String) throws -> Data {
        do { return try Data(contentsOf: URL(fileURLWithPath: path)) } catch { throw ValidationError("cannot read \(path)") }
    }
}
