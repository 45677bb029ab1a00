import Contracts
import Foundation
import Hummingbird
import ML
import ModelSharing
import ONNX
import Primitives

/// `POST /translate/{model_id}`: the caller's finalized native model → an ONNX model
/// registered as its child (relation `translatedFrom`, backend `onnx`), the equivalence
/// certificate stored in the child's metadata and its Keccak-256 anchored as the child's
/// `metricsHash`. `GET /model/{new}` serves the .onnx; `GET /model/{new}/metadata` shows the
/// certificate under `model_params.translation`.
public struct TranslationRoutes: SharingRouteProvider {
    public let sharing: ModelSharingService
    public let mledgerVersion: String
    /// Largest source model file translated.
    public var maxModelBytes = 256 << 20

    public init(sharing: ModelSharingService, mledgerVersion: String) {
        self.sharing = sharing
        self.mledgerVersion = mledgerVersion
    }

    public func addRoutes(to router: Router<SharingRequestContext>) {
        router.post("/translate/:id") { _, context in
            await sharing.respondJSON { try await translate(try ModelSharingService.pathID(context), context: context) }
        }
    }

    func translate(_ id: UUID, context: SharingRequestContext) async throws -> JSONValue {
        let caller = try sharing.caller(context)
        let source = try await sharing.finalizedModelFile(id: id, company: caller.company, maxBytes: maxModelBytes)
        let directory = try Self.modelDirectory(source)
        let exported: ModelTranslation.Exported
        do {
            exported = try ModelTranslation.export(directory, sourceModelId: id.uuidString.lowercased(), mledgerVersion: mledgerVersion)
        } catch let error as ONNXError {
            throw SharingError.invalidField("model_id", reason: "model \(id.uuidString.lowercased()) cannot be translated: \(error)")
        }
        let certificate = exported.certificate
        let child = try await sharing.registerDerivedModel(company: caller.company, DerivedModel(
            parent: id, relation: .translatedFrom, backend: "onnx", artifact: exported.onnx, metricsHash: certificate.keccak,
            addedFields: ["translation": .object([
                "format": .string("onnx"),
                "opset": .integer(certificate.opset),
                "certificate_keccak256": .string(certificate.keccak.description),
                "certificate": certificate.json,
            ])]))
        return .object([
            "model_id": .string(child.uuidString.lowercased()),
            "source_model_id": .string(id.uuidString.lowercased()),
            "onnx_keccak256": .string(certificate.onnxHash),
            "certificate_keccak256": .string(certificate.keccak.description),
            "max_abs_error": .double(Double(certificate.maxAbsoluteError)),
            "max_rel_error": .double(Double(certificate.maxRelativeError)),
        ])
    }

    /// The native model behind a stored file: safetensors weights, with the architecture posted
    /// with the model (`model_params.architecture`, an `mledger-ml/1` document) or named in the
    /// file's metadata (`energy-gru`).
    static func modelDirectory(_ source: FinalizedModelFile) throws -> ModelDirectory {
        let decoded: (tensors: [String: Tensor], metadata: [String: String])
        do { decoded = try SafeTensors.decode(source.bytes) } catch {
            throw SharingError.invalidField("model_id", reason: "the model's file is not MLedger safetensors weights (\(error)); only native models are translated")
        }
        let params = source.posted["model_params"] ?? source.posted
        var architecture: JSONValue?
        switch params["architecture"] {
        case .object?: architecture = params["architecture"]
        case .string(let text)?: architecture = JSONValue.parse(Array(text.utf8))
        default: break
        }
        if architecture?["layers"] == nil {
            architecture = decoded.metadata["architecture"] == EnergyForecaster.architectureName ? EnergyForecaster.architecture : nil
        }
        guard let architecture else {
            throw SharingError.invalidField("model_params.architecture", reason: "the model names no mledger-ml/1 architecture to translate")
        }
        return ModelDirectory(architecture: architecture, weights: source.bytes)
    }
}
