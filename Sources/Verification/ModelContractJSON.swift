import Contracts
import Foundation
import RPC
import Primitives

/// `POST /contract/model` (`{"model_params": {"developer_id", "organization_id", "train_image",
/// "res_hash"}, "data_params": {"dataset_id"}}`) and `POST /contract/model_unverified`
/// (`{"developer_id", "organization_id", "hash"}`).
///
/// `data_params.dataset_id` is the address of a finalized `DatasetRecord` that the organization
/// owns or was granted. `res_hash` (`hash` for unverified models) is the trained weights' hash:
/// when given, the record is finalized with it right after deployment; when null, the owner
/// finalizes later with `POST /contract/{address}/finalize?res_hash=...`. Optional extras in
/// `model_params` (or at the top of an unverified body): `model_id`, `backend`,
/// `architecture_hash`, `hyper_parameters` (object, stored as canonical JSON, or string),
/// `seeds`, `input_shape`, `output_shape`, `parameter_count`, `parent`, `relation`
/// (`translated-from`, `fine-tuned-from`, `online-snapshot-of`), `metrics_hash`.
struct ModelContractRequest: Equatable {
    var organization: String
    var registration: ModelRegistration
    var weightsHash: Hash32?
    var metricsHash: Hash32

    /// `POST /contract/model`.
    init(verifiedBody body: JSONValue?) throws(VerificationError) {
        let top = try JSONFields(body)
        let params = try top.object("model_params")
        let data = try top.object("data_params")
        let dataset = try JSONFields.address(try data.nonEmptyString("dataset_id", maxBytes: 42), field: data.name("dataset_id"))
        try self.init(params: params, developerKey: "developer_id", hashKey: "res_hash",
                      trainingRecipe: try params.nonEmptyString("train_image", maxBytes: 256), datasets: [dataset],
                      unverified: false)
    }

    /// `POST /contract/model_unverified`: no datasets, no training recipe.
    init(unverifiedBody body: JSONValue?) throws(VerificationError) {
        let top = try JSONFields(body)
        try self.init(params: top, developerKey: "developer_id", hashKey: "hash",
                      trainingRecipe: try top.optionalString("train_image", maxBytes: 256) ?? "", datasets: [],
                      unverified: true)
    }

    private init(params: JSONFields, developerKey: String, hashKey: String, trainingRecipe: String,
                 datasets: [Address], unverified: Bool) throws(VerificationError) {
        organization = try params.nonEmptyString("organization_id")
        let developer = try params.nonEmptyString(developerKey)
        weightsHash = try params.optionalHash(hashKey)
        if weightsHash == .zero { throw .invalidField(params.name(hashKey), reason: "must not be zero") }
        metricsHash = try params.optionalHash("metrics_hash") ?? .zero
        let hyperParameters: String
        switch params.raw("hyper_parameters") {
        case nil: hyperParameters = "{}"
        case .string(let text)?: hyperParameters = text
        case let value?:
            guard case .object = value else { throw .invalidField(params.name("hyper_parameters"), reason: "must be an object or a string") }
            hyperParameters = value.serialized
        }
        guard hyperParameters.utf8.count <= 4096 else {
            throw .invalidField(params.name("hyper_parameters"), reason: "canonical JSON is longer than 4096 bytes")
        }
        let parent = try params.optionalAddress("parent") ?? .zero
        let relation = try Self.relation(try params.optionalString("relation", maxBytes: 32), field: params.name("relation"))
        guard (parent == .zero) == (relation == .none) else {
            throw .invalidField(params.name("relation"), reason: "is required exactly when parent is given")
        }
        registration = ModelRegistration(
            modelId: try params.optionalString("model_id") ?? UUID().uuidString.lowercased(),
            developerId: developer,
            backend: try params.optionalString("backend", maxBytes: 64) ?? "unspecified",
            architectureHash: try params.optionalHash("architecture_hash") ?? .zero,
            hyperParameters: hyperParameters,
            seeds: try params.optionalUIntArray("seeds", maxCount: 16) ?? [],
            trainingRecipe: trainingRecipe,
            datasets: datasets,
            inputShape: try params.optionalUIntArray("input_shape", maxCount: 8) ?? [],
            outputShape: try params.optionalUIntArray("output_shape", maxCount: 8) ?? [],
            parameterCount: try params.optionalUInt("parameter_count") ?? .zero,
            parent: parent, relation: relation, unverified: unverified)
    }

    static let relationNames: [ModelRelation: String] = [
        .translatedFrom: "translated-from", .fineTunedFrom: "fine-tuned-from", .onlineSnapshotOf: "online-snapshot-of",
    ]

    static func relation(_ text: String?, field: String) throws(VerificationError) -> ModelRelation {
        guard let text else { return .none }
        guard let match = relationNames.first(where: { $0.value == text })?.key else {
            throw .invalidField(field, reason: "must be one of translated-from, fine-tuned-from, online-snapshot-of")
        }
        return match
    }
}

/// A `ModelRecord` as read from chain state, in the shape its POST took.
struct ModelRecordState: Equatable {
    var address: Address
    var owner: Address
    var organization: String?
    var registration: ModelRegistration
    var hyperParametersHash: Hash32
    var weightsHash: Hash32
    var metricsHash: Hash32
    /// Chunk-tree root of the weights file (`finalizeWithArtifact`); zero when not given.
    var artifactCommitment: Hash32 = .zero
    var finalized: Bool
    var createdBlock: UInt256

    /// Fields common to both model shapes: the MLedger extras.
    private var extras: [String: JSONValue] {
        let r = registration
        var fields: [String: JSONValue] = [
            "model_id": .string(r.modelId),
            "backend": .string(r.backend),
            "architecture_hash": .string(r.architectureHash.description),
            "hyper_parameters": JSONValue.parse(Array(r.hyperParameters.utf8)).flatMap { doc -> JSONValue? in
                if case .object = doc { return doc } else { return nil }
            } ?? .string(r.hyperParameters),
            "hyper_parameters_hash": .string(hyperParametersHash.description),
            "seeds": .array(r.seeds.map(JSONRender.uint)),
            "input_shape": .array(r.inputShape.map(JSONRender.uint)),
            "output_shape": .array(r.outputShape.map(JSONRender.uint)),
            "parameter_count": JSONRender.uint(r.parameterCount),
            "metrics_hash": .string(metricsHash.description),
        ]
        if artifactCommitment != .zero { fields["artifact_commitment"] = .string(artifactCommitment.description) }
        if r.parent != .zero {
            fields["parent"] = .string(r.parent.description)
            fields["relation"] = ModelContractRequest.relationNames[r.relation].map { .string($0) } ?? .null
        }
        return fields
    }

    private var storedWeightsHash: JSONValue { finalized ? .string(weightsHash.description) : .null }

    private var common: [String: JSONValue] {
        ["contract_address": .string(address.description), "owner": .string(owner.description),
         "finalized": .bool(finalized), "created_block": JSONRender.uint(createdBlock)]
    }

    var json: JSONValue {
        let org = JSONValue.string(organization ?? owner.description)
        if registration.unverified {
            var fields = extras.merging(common) { a, _ in a }
            fields["developer_id"] = .string(registration.developerId)
            fields["organization_id"] = org
            fields["hash"] = storedWeightsHash
            if !registration.trainingRecipe.isEmpty { fields["train_image"] = .string(registration.trainingRecipe) }
            return .object(fields)
        }
        var params = extras
        params["developer_id"] = .string(registration.developerId)
        params["organization_id"] = org
        params["train_image"] = .string(registration.trainingRecipe)
        params["res_hash"] = storedWeightsHash
        var data: [String: JSONValue] = ["dataset_id": registration.datasets.first.map { .string($0.description) } ?? .null]
        if registration.datasets.count > 1 { data["dataset_ids"] = .array(registration.datasets.map { .string($0.description) }) }
        var fields = common
        fields["model_params"] = .object(params)
        fields["data_params"] = .object(data)
        return .object(fields)
    }
}
