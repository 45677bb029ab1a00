import Primitives

/// How a model relates to its parent (`ModelRecord.relation`; 0 means no parent).
public enum ModelRelation: UInt8, Hashable, Sendable, CaseIterable {
    case none = 0
    case translatedFrom = 1
    case fineTunedFrom = 2
    case onlineSnapshotOf = 3
}

/// Everything a `ModelRecord` is deployed with.
public struct ModelRegistration: Hashable, Sendable {
    public var modelId: String
    public var developerId: String
    /// Backend and format, for example `mledger/safetensors` or `onnx`.
    public var backend: String
    public var architectureHash: Hash32
    /// Canonical JSON; the contract stores its Keccak-256 as `hyperParametersHash`.
    public var hyperParameters: String
    public var seeds: [UInt256]
    /// Built-in trainer name or container image reference with digest.
    public var trainingRecipe: String
    public var datasets: [Address]
    public var inputShape: [UInt256]
    public var outputShape: [UInt256]
    public var parameterCount: UInt256
    /// `Address.zero` when the model has no parent.
    public var parent: Address
    public var relation: ModelRelation
    /// Registered without controlled training: lineage marks it unverified.
    public var unverified: Bool

    public init(modelId: String, developerId: String, backend: String, architectureHash: Hash32,
                hyperParameters: String, seeds: [UInt256], trainingRecipe: String, datasets: [Address],
                inputShape: [UInt256], outputShape: [UInt256], parameterCount: UInt256,
                parent: Address = .zero, relation: ModelRelation = .none, unverified: Bool = false) {
        self.modelId = modelId
        self.developerId = developerId
        self.backend = backend
        self.architectureHash = architectureHash
        self.hyperParameters = hyperParameters
        self.seeds = seeds
        self.trainingRecipe = trainingRecipe
        self.datasets = datasets
        self.inputShape = inputShape
        self.outputShape = outputShape
        self.parameterCount = parameterCount
        self.parent = parent
        self.relation = relation
        self.unverified = unverified
    }

    var abiValues: [ABIValue] {
        [.string(modelId), .string(developerId), .string(backend), .hash(architectureHash), .string(hyperParameters),
         .array(seeds.map { .uint($0) }), .string(trainingRecipe), .array(datasets.map { .address($0) }),
         .array(inputShape.map { .uint($0) }), .array(outputShape.map { .uint($0) }), .uint(parameterCount),
         .address(parent), .number(UInt64(relation.rawValue)), .bool(unverified)]
    }
}

/// A decoded `ModelRecord` log.
public enum ModelRecordEvent: Hashable, Sendable {
    case registered(owner: Address, parent: Address, modelId: String, relation: ModelRelation, unverified: Bool,
                    architectureHash: Hash32, hyperParametersHash: Hash32, datasets: [Address])
    case finalized(owner: Address, weightsHash: Hash32, metricsHash: Hash32)
    case recipeAnchored(owner: Address, hyperParametersHash: Hash32, seeds: [UInt256], trainingRecipe: String)
}

/// Typed encode/decode for `contracts/ModelRecord.vy`, driven by its committed ABI.
public struct ModelRecordBinding: Sendable {
    public let artifact: ContractArtifact
    var abi: ContractABI { artifact.abi }

    public init() throws(ContractArtifactError) { artifact = try .named("ModelRecord") }

    /// Init code plus constructor arguments: the data of the deploying transaction.
    public func deployData(_ registration: ModelRegistration) throws(ABIError) -> [UInt8] {
        try abi.constructor.deployData(initCode: artifact.initCode, arguments: registration.abiValues)
    }

    /// Records the weights' and metrics' hashes; the contract accepts it once, from the owner.
    public func finalize(weightsHash: Hash32, metricsHash: Hash32) throws(ABIError) -> [UInt8] {
        try abi.transaction("finalize", [.hash(weightsHash), .hash(metricsHash)])
    }

    /// `finalize` plus the root of the weights file's 64 KiB chunk commitment (non-zero), so that
    /// downloads can check each chunk against the chain.
    public func finalizeWithArtifact(weightsHash: Hash32, metricsHash: Hash32, artifactCommitment: Hash32) throws(ABIError) -> [UInt8] {
        try abi.transaction("finalizeWithArtifact", [.hash(weightsHash), .hash(metricsHash), .hash(artifactCommitment)])
    }

    /// Fixes the recipe of a controlled training run before its first step: canonical
    /// hyper-parameters, seeds and trainer identity. The contract takes it once, from the owner,
    /// only before `finalize`.
    public func anchorRecipe(hyperParameters: String, seeds: [UInt256], trainingRecipe: String) throws(ABIError) -> [UInt8] {
        try abi.transaction("anchorRecipe", [.string(hyperParameters), .array(seeds.map { .uint($0) }), .string(trainingRecipe)])
    }

    /// True once `anchorRecipe` ran.
    public func recipeAnchored() throws(ABIError) -> ContractCall<Bool> { try abi.view("recipeAnchored") { v throws(ABIError) in try v.asBool() } }

    /// Zero for records finalized without an artifact commitment.
    public func artifactCommitment() throws(ABIError) -> ContractCall<Hash32> {
        try abi.view("artifactCommitment") { v throws(ABIError) in try v.asHash() }
    }

    public func owner() throws(ABIError) -> ContractCall<Address> { try abi.view("owner") { v throws(ABIError) in try v.asAddress() } }
    public func modelId() throws(ABIError) -> ContractCall<String> { try abi.view("modelId") { v throws(ABIError) in try v.asString() } }
    public func developerId() throws(ABIError) -> ContractCall<String> { try abi.view("developerId") { v throws(ABIError) in try v.asString() } }
    public func backend() throws(ABIError) -> ContractCall<String> { try abi.view("backend") { v throws(ABIError) in try v.asString() } }
    public func architectureHash() throws(ABIError) -> ContractCall<Hash32> { try abi.view("architectureHash") { v throws(ABIError) in try v.asHash() } }
    public func hyperParameters() throws(ABIError) -> ContractCall<String> { try abi.view("hyperParameters") { v throws(ABIError) in try v.asString() } }
    public func hyperParametersHash() throws(ABIError) -> ContractCall<Hash32> { try abi.view("hyperParametersHash") { v throws(ABIError) in try v.asHash() } }
    public func seeds() throws(ABIError) -> ContractCall<[UInt256]> { try abi.view("getSeeds") { v throws(ABIError) in try ABIConvert.uints(v) } }
    public func trainingRecipe() throws(ABIError) -> ContractCall<String> { try abi.view("trainingRecipe") { v throws(ABIError) in try v.asString() } }
    public func datasets() throws(ABIError) -> ContractCall<[Address]> { try abi.view("getDatasets") { v throws(ABIError) in try ABIConvert.addresses(v) } }
    public func inputShape() throws(ABIError) -> ContractCall<[UInt256]> { try abi.view("getInputShape") { v throws(ABIError) in try ABIConvert.uints(v) } }
    public func outputShape() throws(ABIError) -> ContractCall<[UInt256]> { try abi.view("getOutputShape") { v throws(ABIError) in try ABIConvert.uints(v) } }
    public func parameterCount() throws(ABIError) -> ContractCall<UInt256> { try abi.view("parameterCount") { v throws(ABIError) in try v.asUInt() } }
    public func parent() throws(ABIError) -> ContractCall<Address> { try abi.view("parent") { v throws(ABIError) in try v.asAddress() } }
    public func relation() throws(ABIError) -> ContractCall<ModelRelation> { try abi.view("relation") { v throws(ABIError) in try Self.relation(v) } }
    public func unverified() throws(ABIError) -> ContractCall<Bool> { try abi.view("unverified") { v throws(ABIError) in try v.asBool() } }
    public func weightsHash() throws(ABIError) -> ContractCall<Hash32> { try abi.view("weightsHash") { v throws(ABIError) in try v.asHash() } }
    public func metricsHash() throws(ABIError) -> ContractCall<Hash32> { try abi.view("metricsHash") { v throws(ABIError) in try v.asHash() } }
    public func finalized() throws(ABIError) -> ContractCall<Bool> { try abi.view("finalized") { v throws(ABIError) in try v.asBool() } }
    public func createdBlock() throws(ABIError) -> ContractCall<UInt256> { try abi.view("createdBlock") { v throws(ABIError) in try v.asUInt() } }

    /// Decodes one of the contract's logs.
    public func decodeEvent(topics: [Hash32], data: [UInt8]) throws(ABIError) -> ModelRecordEvent {
        let event = try abi.matchEvent(topics: topics)
        let f = try event.decode(topics: topics, data: data).map { (field: ABIEventField) throws(ABIError) -> ABIValue in
            try ABIConvert.value(field)
        }
        switch event.name {
        case "ModelRegistered":
            return .registered(owner: try f[0].asAddress(), parent: try f[1].asAddress(), modelId: try f[2].asString(),
                               relation: try Self.relation(f[3]), unverified: try f[4].asBool(),
                               architectureHash: try f[5].asHash(), hyperParametersHash: try f[6].asHash(),
                               datasets: try ABIConvert.addresses(f[7]))
        case "ModelFinalized":
            return .finalized(owner: try f[0].asAddress(), weightsHash: try f[1].asHash(), metricsHash: try f[2].asHash())
        case "RecipeAnchored":
            return .recipeAnchored(owner: try f[0].asAddress(), hyperParametersHash: try f[1].asHash(),
                                   seeds: try ABIConvert.uints(f[2]), trainingRecipe: try f[3].asString())
        default:
            throw .missingEntry("binding for event \(event.name)")
        }
    }

    static func relation(_ v: ABIValue) throws(ABIError) -> ModelRelation {
        guard let raw = try v.asUInt().uint64, raw <= 255, let r = ModelRelation(rawValue: UInt8(raw)) else {
            throw .valueOutOfRange(type: "ModelRelation")
        }
        return r
    }
}
