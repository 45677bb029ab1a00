import Foundation
import Primitives

/// A model file in a format another module reads (an ONNX graph, a PyTorch checkpoint) posted
/// to `POST /model`, held in memory until its checker accepts it.
public struct ImportedModelUpload: Sendable {
    /// The backend the model is registered under (`onnx`, `pytorch`).
    public var backend: String
    /// The file part's name as posted.
    public var filename: String?
    /// The file's exact bytes: what is stored, hashed and served back.
    public var file: Data
    /// The architecture document for weights-only checkpoints: the `architecture` part, else
    /// `model_params.architecture` of the metadata.
    public var architecture: JSONValue?

    public init(backend: String, filename: String?, file: Data, architecture: JSONValue?) {
        self.backend = backend
        self.filename = filename
        self.file = file
        self.architecture = architecture
    }
}

/// Reads foreign model files before anything is stored or anchored. `mledger run` plugs in the
/// ONNX module's importer (Translation's `ModelImportChecker`), so model sharing itself knows no
/// model format.
public protocol ImportedModelChecker: Sendable {
    /// Largest file the checker reads (the file is held in memory while it is checked).
    var maxFileBytes: Int { get }
    /// The backend a posted model file is imported under, from the posted `backend` and the
    /// file name; nil for files the checker does not read (they are stored as they are).
    func importBackend(posted: String, filename: String?) -> String?
    /// Throws `ImportRefusal` for a file that cannot be imported; on success returns the fields
    /// added to the model's `model_params` (what the import found).
    func check(_ upload: ImportedModelUpload) throws -> [String: JSONValue]
}

/// Why an imported model file was refused (answered as a 422 naming the `model` part).
public struct ImportRefusal: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension ModelSharingService {
    /// A model part the import checker reads, collected while the multipart body streams by.
    struct PendingImport {
        var backend: String
        var filename: String?
        var file: Data
    }

    /// When the plugged-in checker reads this model part, collects it (within the checker's
    /// limit) instead of streaming it to the store.
    func collectImport(_ reader: MultipartReader, head: MultipartPartHead, plan: ModelPlan) async throws -> PendingImport? {
        guard let checker = importChecker,
              let backend = checker.importBackend(posted: plan.registration.backend, filename: head.filename) else { return nil }
        let bytes = try await reader.collectPart(limit: checker.maxFileBytes, field: "model")
        return PendingImport(backend: backend, filename: head.filename, file: Data(bytes))
    }

    /// Checks a collected model file and stores it: the registration is amended with the
    /// import's backend and the stored metadata with what the import found. A refused file
    /// stores and anchors nothing.
    func storeImport(_ pending: PendingImport, architecturePart: [UInt8]?, metadata: inout (document: JSONValue, text: String),
                     plan: inout ModelPlan, organization: String, id: UUID) async throws -> IngestedArtifact {
        guard let checker = importChecker else { throw SharingError.internalFailure("no import checker") }
        var architecture: JSONValue?
        if let architecturePart {
            guard let document = JSONValue.parse(architecturePart), case .object = document else {
                throw SharingError.invalidField("architecture", reason: "must be a JSON object (an mledger-ml/1 architecture)")
            }
            architecture = document
        } else {
            let params = metadata.document["model_params"] ?? metadata.document
            switch params["architecture"] {
            case .object?: architecture = params["architecture"]
            case .string(let text)?: architecture = JSONValue.parse(Array(text.utf8))
            default: break
            }
        }
        let added: [String: JSONValue]
        do {
            added = try checker.check(ImportedModelUpload(backend: pending.backend, filename: pending.filename, file: pending.file,
                                                          architecture: architecture))
        } catch let refusal as ImportRefusal {
            throw SharingError.invalidField("model", reason: refusal.description)
        }
        plan.registration.backend = pending.backend
        let amended = Self.importedDocument(metadata.document, backend: pending.backend, added: added)
        metadata = (amended, amended.serialized)
        return try await ingest.ingest(bytes: pending.file, location: try ObjectNames.location(organization: organization, kind: "models", id: id))
    }

    /// The posted document with `backend` set and the import's fields added to `model_params`
    /// (or to the flat fields).
    static func importedDocument(_ posted: JSONValue, backend: String, added: [String: JSONValue]) -> JSONValue {
        guard case .object(var top) = posted else { return posted }
        var fields: [String: JSONValue]
        let nested: Bool
        if case .object(let params)? = top["model_params"] { fields = params; nested = true } else { fields = top; nested = false }
        fields["backend"] = .string(backend)
        for (key, value) in added { fields[key] = value }
        if nested { top["model_params"] = .object(fields) } else { top = fields }
        return .object(top)
    }
}
