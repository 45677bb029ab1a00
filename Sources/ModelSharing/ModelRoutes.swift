import Contracts
import LedgerCrypto
import Foundation
import Hummingbird
import ObjectStore
import Primitives
import Registry
import RPC
import Verification

extension ModelSharingService {
    // MARK: POST /model

    func postModel<Context: IdentityRequestContext>(_ request: Request, context: Context) async throws -> Reply {
        switch try Self.bodyKind(request) {
        case .json:
            let (body, text) = try await jsonBody(request)
            let caller = try identity(context)
            let id = UUID()
            let plan = try await modelPlan(body, caller: caller, id: id)
            let address = try await anchorModel(company: caller.company, registration: plan.registration, weights: plan.resHash,
                                                artifactCommitment: nil)
            try await faults.afterAnchor?()
            let row = ModelRow(id: id, company: caller.company, developer: plan.registration.developerId, contractAddress: address.description,
                               status: plan.resHash == nil ? .registered : .finalized, unverified: false, created: Self.now(),
                               datasetId: plan.dataset, artifact: nil, metadata: text)
            try await registry.insert(row)
            return .json(.object(["model_id": .string(Self.text(id))]))
        case .multipart(let boundary):
            return .json(try await postModelMultipart(request, boundary: boundary, context: context))
        }
    }

    private func postModelMultipart<Context: IdentityRequestContext>(_ request: Request, boundary: String,
                                                                    context: Context) async throws -> JSONValue {
        let reader = MultipartReader(body: request.body, boundary: boundary, maxBytes: configuration.maxUploadBytes)
        let id = UUID()
        var metadata: (document: JSONValue, text: String)?
        var artifact: IngestedArtifact?
        var plan: ModelPlan?
        var caller: RequestIdentity?
        // Foreign model files (ONNX, PyTorch): held until the import checker accepts them.
        var pendingImport: PendingImport?
        var architecturePart: [UInt8]?
        do {
            while let head = try await reader.nextPart() {
                if head.name == "metadata" {
                    let part = try await metadataPart(reader, seen: metadata != nil)
                    metadata = part
                    let document = part.document
                    let who = try identity(context, metadata: document)
                    caller = who
                    // Validated before the file is read: a bad metadata part stores nothing.
                    plan = try await modelPlan(document, caller: who, id: id)
                } else if head.name == "model" {
                    guard artifact == nil, pendingImport == nil else { throw SharingError.invalidBody("more than one model part") }
                    guard let caller, let plan else { throw SharingError.invalidBody("the metadata part must come before the model part") }
                    try Self.checkFilename(head.filename)
                    if let pending = try await collectImport(reader, head: head, plan: plan) {
                        pendingImport = pending
                    } else {
                        artifact = try await ingest.ingest(part: reader, location: try ObjectNames.location(organization: caller.company, kind: "models", id: id),
                                                           scanFormat: nil)
                    }
                } else if head.name == "architecture" {
                    guard architecturePart == nil else { throw SharingError.invalidBody("more than one architecture part") }
                    architecturePart = try await reader.collectPart(limit: configuration.maxJSONBytes, field: "architecture")
                }
            }
            guard var metadata, var plan, let caller else { throw SharingError.invalidBody("missing part \"metadata\"") }
            if let pendingImport {
                artifact = try await storeImport(pendingImport, architecturePart: architecturePart, metadata: &metadata, plan: &plan,
                                                 organization: caller.company, id: id)
            }
            guard let artifact else { throw SharingError.invalidBody("missing part \"model\"") }
            if let claimed = plan.resHash, claimed != artifact.keccak {
                throw SharingError.invalidField("model_params.res_hash", reason: "does not match the file's keccak256 \(artifact.keccak)")
            }
            try await faults.afterStore?()
            let address = try await anchorModel(company: caller.company, registration: plan.registration, weights: artifact.keccak,
                                                artifactCommitment: artifact.chunkRoot)
            try await faults.afterAnchor?()
            let row = ModelRow(id: id, company: caller.company, developer: plan.registration.developerId, contractAddress: address.description,
                               status: .finalized, unverified: false, created: Self.now(), datasetId: plan.dataset,
                               artifact: artifact.info, metadata: metadata.text)
            try await registry.insert(row)
            return .object(["model_id": .string(Self.text(id))])
        } catch {
            if let artifact { await ingest.discard(artifact) }
            throw error
        }
    }

    struct ModelPlan {
        var registration: ModelRegistration
        var dataset: UUID?
        var resHash: Hash32?
    }

    /// Validates a model body (`{"model_params": {...}, "data_params": {"dataset_id"}}`, or the
    /// same fields flat) and resolves its dataset, which must be the caller's and final.
    func modelPlan(_ document: JSONValue, caller: RequestIdentity, id: UUID) async throws -> ModelPlan {
        let top = try Self.verificationFields { try JSONFields(document) }
        let nested = top.raw("model_params") != nil
        let params = nested ? try Self.verificationFields { try top.object("model_params") } : top
        let data = top.raw("data_params") != nil ? try Self.verificationFields { try top.object("data_params") } : params
        let datasetText = try Self.verificationFields { try data.nonEmptyString("dataset_id", maxBytes: 64) }
        let datasetField = data.name("dataset_id")
        let datasetId = try Self.uuid(datasetText, field: datasetField)
        guard let dataset = try await registry.dataset(id: datasetId), dataset.company == caller.company else {
            throw SharingError.notFound("\(datasetField): no dataset \(datasetText) of this organization")
        }
        guard dataset.status == .finalized else {
            throw SharingError.invalidField(datasetField, reason: "dataset \(datasetText) has no content commitment yet and cannot be cited")
        }
        var registration = try Self.verificationFields { () throws -> ModelRegistration in
            let developer = try caller.tokenDeveloper ?? params.nonEmptyString("developer_id")
            let hyper = try Self.jsonText(params.raw("params") ?? params.raw("hyper_parameters"), field: params.name("params")) ?? "{}"
            guard hyper.utf8.count <= 4096 else { throw VerificationError.invalidField(params.name("params"), reason: "is longer than 4096 bytes") }
            let architecture = try Self.jsonText(params.raw("architecture"), field: params.name("architecture"))
            return ModelRegistration(
                modelId: Self.text(id), developerId: developer,
                backend: try params.optionalString("backend", maxBytes: 64) ?? "unspecified",
                architectureHash: architecture.map { Keccak256.hash(Array($0.utf8)) } ?? .zero,
                hyperParameters: hyper, seeds: try params.optionalUIntArray("seeds", maxCount: 16) ?? [],
                trainingRecipe: try params.nonEmptyString("train_image", maxBytes: 256), datasets: [],
                inputShape: try Self.shape(params, "input_shape"), outputShape: try Self.shape(params, "output_shape"),
                parameterCount: try params.optionalUInt("parameter_count") ?? .zero)
        }
        registration.datasets = [try Self.address(dataset.contractAddress)]
        let resHash = try Self.verificationFields { try params.optionalHash("res_hash") }
        if resHash == .zero { throw SharingError.invalidField(params.name("res_hash"), reason: "must not be zero") }
        return ModelPlan(registration: registration, dataset: datasetId, resHash: resHash)
    }

    /// An object as its serialized JSON, a string as itself.
    static func jsonText(_ value: JSONValue?, field: String) throws(VerificationError) -> String? {
        switch value {
        case nil: return nil
        case .string(let text)?: return text
        case let value? where { if case .object = value { return true } else { return false } }():
            return value.serialized
        default: throw .invalidField(field, reason: "must be an object or a string")
        }
    }

    /// A shape given as an array of integers or as text ("28x28", "(3, 32, 32)").
    static func shape(_ params: JSONFields, _ key: String) throws(VerificationError) -> [UInt256] {
        if case .string(let text)? = params.raw(key) { return try DatasetContractRequest.parseShape(text, field: params.name(key)) }
        return try params.optionalUIntArray(key, maxCount: 8) ?? []
    }

    static func address(_ text: String) throws -> Address {
        guard let address = try? Address(bytes: Hex.decode(text)) else { throw SharingError.internalFailure("bad stored address \(text)") }
        return address
    }

    /// Deploys the `ModelRecord` from the company's account and, when the weights' hash is
    /// known, finalizes it with that hash (and the file's chunk commitment when there is a file).
    func anchorModel(company: String, registration: ModelRegistration, weights: Hash32?,
                     artifactCommitment: Hash32?) async throws -> Address {
        let sender = try await senders.sender(company: company)
        let (address, _) = try await sender.deploy(initCode: try reader.model.deployData(registration))
        if let weights {
            _ = try await sender.transact(to: address, data: try finalizeData(weights: weights, artifactCommitment: artifactCommitment))
        }
        return address
    }

    func finalizeData(weights: Hash32, artifactCommitment: Hash32?) throws -> [UInt8] {
        guard let artifactCommitment else { return try reader.model.finalize(weightsHash: weights, metricsHash: .zero) }
        return try reader.model.finalizeWithArtifact(weightsHash: weights, metricsHash: .zero, artifactCommitment: artifactCommitment)
    }

    // MARK: POST /model/unverified

    func postUnverifiedModel<Context: IdentityRequestContext>(_ request: Request, context: Context) async throws -> Reply {
        guard case .json = try Self.bodyKind(request, multipartAllowed: false) else { throw SharingError.unsupportedMediaType("JSON only") }
        let (body, text) = try await jsonBody(request)
        let caller = try identity(context)
        let id = UUID()
        let (registration, hash) = try Self.verificationFields { () throws -> (ModelRegistration, Hash32?) in
            let fields = try JSONFields(body)
            let hash = try fields.optionalHash("hash")
            if hash == .zero { throw VerificationError.invalidField("hash", reason: "must not be zero") }
            let registration = ModelRegistration(
                modelId: Self.text(id), developerId: try caller.tokenDeveloper ?? fields.nonEmptyString("developer_id"), backend: "unspecified",
                architectureHash: .zero, hyperParameters: "{}", seeds: [],
                trainingRecipe: try fields.optionalString("train_image", maxBytes: 256) ?? "", datasets: [],
                inputShape: [], outputShape: [], parameterCount: .zero, unverified: true)
            return (registration, hash)
        }
        let address = try await anchorModel(company: caller.company, registration: registration, weights: hash, artifactCommitment: nil)
        try await faults.afterAnchor?()
        try await registry.insert(ModelRow(id: id, company: caller.company, developer: registration.developerId,
                                           contractAddress: address.description, status: hash == nil ? .registered : .finalized,
                                           unverified: true, created: Self.now(), datasetId: nil, artifact: nil, metadata: text))
        return .json(.object(["model_id": .string(Self.text(id))]))
    }

    // MARK: PUT /model/{id}

    func putModelResult<Context: IdentityRequestContext>(_ id: UUID, request: Request, context: Context) async throws -> Reply {
        guard case .multipart(let boundary) = try Self.bodyKind(request) else {
            throw SharingError.unsupportedMediaType("PUT /model/{id} takes multipart/form-data with a part \"model\"")
        }
        let row = try await modelRow(id, context: context)
        guard row.status != .finalized else { throw SharingError.conflict("model \(Self.text(id)) is already finalized") }
        let reader = MultipartReader(body: request.body, boundary: boundary, maxBytes: configuration.maxUploadBytes)
        var artifact: IngestedArtifact?
        do {
            while let head = try await reader.nextPart() {
                guard head.name == "model" else { continue }
                guard artifact == nil else { throw SharingError.invalidBody("more than one model part") }
                try Self.checkFilename(head.filename)
                artifact = try await ingest.ingest(part: reader, location: try ObjectNames.location(organization: row.company, kind: "models", id: id),
                                                   scanFormat: nil)
            }
            guard let artifact else { throw SharingError.invalidBody("missing part \"model\"") }
            try await faults.afterStore?()
            let sender = try await senders.sender(company: row.company)
            do {
                _ = try await sender.transact(to: try Self.address(row.contractAddress),
                                              data: try finalizeData(weights: artifact.keccak, artifactCommitment: artifact.chunkRoot))
            } catch {
                if case .verification(.reverted(let reason)) = SharingError.from(error), reason == "finalized" {
                    throw SharingError.conflict("model \(Self.text(id)) is already finalized")
                }
                throw error
            }
            try await faults.afterAnchor?()
            try await registry.finalizeModel(id: id, artifact: artifact.info)
        } catch {
            if let artifact { await ingest.discard(artifact) }
            throw error
        }
        return .json(Self.modelJSON(try await modelRow(id, context: context)))
    }

    // MARK: Metadata and listings

    func modelRow<Context: IdentityRequestContext>(_ id: UUID, context: Context) async throws -> ModelRow {
        guard let row = try await registry.model(id: id), visible(company: row.company, context: context) else {
            throw SharingError.notFound("no model \(Self.text(id))")
        }
        return row
    }

    func modelMetadata<Context: IdentityRequestContext>(_ id: UUID, context: Context) async throws -> JSONValue {
        Self.modelJSON(try await modelRow(id, context: context))
    }

    /// The posted shape with every posted field as written, `res_hash` (`hash` for unverified
    /// models) set to the anchored weights hash once final, and extras beside.
    static func modelJSON(_ row: ModelRow) -> JSONValue {
        let posted = postedFields(row.metadata)
        var extras = recordExtras(idKey: "model_id", id: row.id, contract: row.contractAddress, status: row.status,
                                  created: row.created)
        extras.merge([
            "artifact_size": row.artifact.map { .integer($0.sizeBytes) } ?? .null,
            "keccak256": row.artifact.map { .string($0.keccak256) } ?? .null,
            "chunk_root": row.artifact.map { .string($0.chunkRoot) } ?? .null,
            // Who the record names: the token's `sub` under token auth, whatever the body said.
            "recorded_developer": .string(row.developer),
        ]) { _, new in new }
        if row.unverified {
            var fields = posted
            if let artifact = row.artifact { fields["hash"] = .string(artifact.keccak256) } else if fields["hash"] == nil { fields["hash"] = .null }
            for (key, value) in extras where fields[key] == nil { fields[key] = value }
            return .object(fields)
        }
        var params: [String: JSONValue]
        if case .object(let nested)? = posted["model_params"] { params = nested } else {
            params = posted.filter { $0.key != "data_params" && $0.key != "dataset_id" }
        }
        if let artifact = row.artifact { params["res_hash"] = .string(artifact.keccak256) } else if params["res_hash"] == nil { params["res_hash"] = .null }
        var data: [String: JSONValue] = [:]
        if case .object(let nested)? = posted["data_params"] { data = nested }
        data["dataset_id"] = row.datasetId.map { .string(text($0)) } ?? .null
        var fields = extras
        fields["model_params"] = .object(params)
        fields["data_params"] = .object(data)
        return .object(fields)
    }

    func listModels<Context: IdentityRequestContext>(_ request: Request, context: Context) async throws -> JSONValue {
        var (filter, page) = try listing(request, context: context)
        if let dataset = request.uri.queryParameters.get("dataset") { filter.datasetId = try Self.uuid(dataset, field: "dataset") }
        return Self.listed("models", try await registry.models(filter, page: page).map(Self.modelJSON), page)
    }
}
