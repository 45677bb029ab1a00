import LedgerCrypto
import Foundation
import ML
import Primitives

/// The model directory `mledger train` writes (architecture.json, weights.safetensors,
/// preprocessing.json, metrics.json), as translation reads and writes it. Imported models add
/// model.onnx (the source graph) and certificate.json.
public struct ModelDirectory {
    public var architecture: JSONValue
    public var weights: Data
    public var preprocessing: Data?

    public init(architecture: JSONValue, weights: Data, preprocessing: Data? = nil) {
        self.architecture = architecture
        self.weights = weights
        self.preprocessing = preprocessing
    }

    public static func read(_ directory: URL) throws -> ModelDirectory {
        func file(_ name: String) -> Data? { try? Data(contentsOf: directory.appendingPathComponent(name)) }
        guard let architectureData = file("architecture.json") else { throw ONNXError.translation("no architecture.json in \(directory.path)") }
        guard let weights = file("weights.safetensors") else { throw ONNXError.translation("no weights.safetensors in \(directory.path)") }
        let architecture: JSONValue
        do { architecture = try JSONValue(document: architectureData) } catch { throw ONNXError.translation("architecture.json: \(error)") }
        return ModelDirectory(architecture: architecture, weights: weights, preprocessing: file("preprocessing.json"))
    }

    /// Keccak-256 of weights.safetensors: the weights hash `mledger train` prints and the ledger anchors.
    public var weightsHash: String { Keccak256.hash([UInt8](weights)).description }

    public func network() throws -> NativeNetwork {
        let tensors: [String: Tensor]
        do { tensors = try SafeTensors.decode(weights).tensors } catch { throw ONNXError.translation("weights.safetensors: \(error)") }
        return try NativeNetwork(architecture: architecture, stateDict: tensors)
    }

    /// Writes the directory, each file atomically; `extra` files (model.onnx, certificate.json) beside.
    public func write(to directory: URL, extra: [String: Data] = [:]) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var files = extra
        files["architecture.json"] = architecture.canonicalData
        files["weights.safetensors"] = weights
        if let preprocessing { files["preprocessing.json"] = preprocessing }
        for (name, data) in files { try AtomicFile.write(data, to: directory.appendingPathComponent(name)) }
    }
}

/// Translation both ways with its certificate.
public enum ModelTranslation {
    public struct Exported: Sendable {
        public let onnx: Data
        public let certificate: EquivalenceCertificate
    }

    /// Native model directory → ONNX bytes, checked by MLedger's evaluator on the reference inputs.
    public static func export(_ directory: ModelDirectory, sourceModelId: String, mledgerVersion: String) throws -> Exported {
        let network = try directory.network()
        let provenance = ONNXExporter.Provenance(sourceModelId: sourceModelId, sourceWeightsHash: directory.weightsHash,
                                                 mledgerVersion: mledgerVersion)
        let model = try ONNXExporter.export(network, provenance: provenance)
        let bytes = try ONNXModelFile.encode(model)
        let certificate = try EquivalenceCertificate.make(network: network, onnxBytes: bytes, sourceModelId: sourceModelId,
                                                          sourceWeightsHash: directory.weightsHash)
        guard certificate.equivalent else {
            throw ONNXError.translation("the exported graph differs from the native model (max abs error \(certificate.maxAbsoluteError))")
        }
        return Exported(onnx: bytes, certificate: certificate)
    }

    public struct Imported {
        /// The native form, when the graph is a layer stack MLedger has layers for.
        public let directory: ModelDirectory?
        /// Native vs MLedger's evaluation of the source graph, for a native import.
        public let certificate: EquivalenceCertificate?
        /// Why the graph stays a graph (run by the evaluator), for a non-native import.
        public let evaluatorOnlyReason: String?
    }

    /// ONNX bytes → native model directory when the graph is a recognised layer stack (checked
    /// against the evaluator's run of the same file); otherwise the evaluator runs the graph
    /// itself, which must at least load.
    public static func importONNX(_ bytes: Data, name: String = "imported-onnx") throws -> Imported {
        let model = try ONNXModelFile.decode(bytes)
        _ = try ONNXEvaluator(model: model)
        let network: NativeNetwork
        do { network = try ONNXImporter.nativeNetwork(model, modelName: name) } catch let error as ONNXError {
            return Imported(directory: nil, certificate: nil, evaluatorOnlyReason: error.description)
        }
        let weights = SafeTensors.encode(network.stateDict(), metadata: ["format": "pt", "architecture": network.architecture["name"]?.stringValue ?? name])
        let directory = ModelDirectory(architecture: network.architecture, weights: weights)
        let sourceId = model.metadataProps.first { $0.key == ONNXExporter.MetadataKey.sourceModelId }?.value ?? name
        // The layer stack read from the graph must compute what the graph computes; when it
        // does not (a layout the reader does not follow), the graph stays a graph.
        let certificate: EquivalenceCertificate
        do {
            certificate = try EquivalenceCertificate.make(network: network, onnxBytes: bytes, sourceModelId: sourceId,
                                                          sourceWeightsHash: directory.weightsHash)
        } catch let error as ONNXError {
            return Imported(directory: nil, certificate: nil, evaluatorOnlyReason: "the layers read from the graph do not run like it: \(error)")
        }
        guard certificate.equivalent else {
            return Imported(directory: nil, certificate: nil, evaluatorOnlyReason:
                "the layers read from the graph differ from the graph's own evaluation (max abs error \(certificate.maxAbsoluteError))")
        }
        return Imported(directory: directory, certificate: certificate, evaluatorOnlyReason: nil)
    }

    /// A PyTorch checkpoint (`torch.save(state_dict)` zip or safetensors) with its architecture → model directory.
    public static func importCheckpoint(_ bytes: Data, architecture: JSONValue) throws -> ModelDirectory {
        let tensors: [String: Tensor]
        if bytes.starts(with: [0x50, 0x4b, 0x03, 0x04]) {
            tensors = try TorchCheckpoint.stateDict(bytes)
        } else {
            do { tensors = try SafeTensors.decode(bytes).tensors } catch {
                throw ONNXError.checkpoint("neither a torch.save zip nor safetensors (\(error))")
            }
        }
        let network = try NativeNetwork(architecture: architecture, stateDict: tensors)
        let weights = SafeTensors.encode(network.stateDict(), metadata: ["format": "pt", "architecture": architecture["name"]?.stringValue ?? "imported"])
        return ModelDirectory(architecture: architecture, weights: weights)
    }
}
