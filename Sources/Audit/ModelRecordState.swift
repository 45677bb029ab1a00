import Contracts
import Primitives

/// A `ModelRecord` as the auditor knows it: the fields lineage and weights checks need, each
/// read by its getter and matched against the storage slot proven at the audited block.
public struct ModelRecordState: Equatable, Sendable {
    public let address: Address
    public let modelId: String
    public let owner: Address
    public let parent: Address
    public let relation: ModelRelation
    public let unverified: Bool
    public let finalized: Bool
    public let weightsHash: Hash32
    public let metricsHash: Hash32
    /// Root of the weights file's 64 KiB chunk tree (`finalizeWithArtifact`); zero when not anchored.
    public let artifactCommitment: Hash32
    public let datasets: [Address]
    /// The account's code hash, proven from the state root.
    public let codeHash: Hash32
}

/// The result of reading one model record: its state (nil when it could not be read) and the
/// code-hash and storage-proof checks about it.
struct ModelRead {
    let state: ModelRecordState?
    let codeCheck: AuditCheck
    let storageCheck: AuditCheck
}

/// What the model getters answered.
struct ModelGetters {
    var modelId = "", owner = Address.zero, parent = Address.zero, relation = ModelRelation.none
    var unverified = false, finalized = false, weightsHash = Hash32.zero, metricsHash = Hash32.zero
    var architectureHash = Hash32.zero, hyperParametersHash = Hash32.zero, artifactCommitment = Hash32.zero
    var parameterCount = UInt256.zero, createdBlock = UInt256.zero, datasets: [Address] = []

    /// The storage words these answers must match, by the artifact's layout.
    func expectedSlots(_ layout: StorageLayout) throws(AuditFailure) -> [ExpectedSlot] {
        typealias W = SlotComparison
        var slots = [
            ExpectedSlot(variable: "owner", slot: try layout.slot("owner"), word: W.word(owner)),
            ExpectedSlot(variable: "parent", slot: try layout.slot("parent"), word: W.word(parent)),
            ExpectedSlot(variable: "relation", slot: try layout.slot("relation"), word: UInt256(UInt64(relation.rawValue))),
            ExpectedSlot(variable: "unverified", slot: try layout.slot("unverified"), word: W.word(unverified)),
            ExpectedSlot(variable: "finalized", slot: try layout.slot("finalized"), word: W.word(finalized)),
            ExpectedSlot(variable: "weightsHash", slot: try layout.slot("weightsHash"), word: W.word(weightsHash)),
            ExpectedSlot(variable: "metricsHash", slot: try layout.slot("metricsHash"), word: W.word(metricsHash)),
            ExpectedSlot(variable: "artifactCommitment", slot: try layout.slot("artifactCommitment"), word: W.word(artifactCommitment)),
            ExpectedSlot(variable: "architectureHash", slot: try layout.slot("architectureHash"), word: W.word(architectureHash)),
            ExpectedSlot(variable: "hyperParametersHash", slot: try layout.slot("hyperParametersHash"),
                         word: W.word(hyperParametersHash)),
            ExpectedSlot(variable: "parameterCount", slot: try layout.slot("parameterCount"), word: parameterCount),
            ExpectedSlot(variable: "createdBlock", slot: try layout.slot("createdBlock"), word: createdBlock),
            ExpectedSlot(variable: "datasets", slot: try layout.slot("datasets"), word: W.word(datasets.count)),
        ]
        for (i, dataset) in datasets.enumerated() {
            slots.append(ExpectedSlot(variable: "datasets", slot: try layout.arrayItem("datasets", index: i), word: W.word(dataset)))
        }
        return slots
    }
}

extension RecordReader {
    /// Every getter the audit needs, concurrently.
    func modelGetters(_ address: Address) async throws -> ModelGetters {
        let m = model
        async let id = settle(address, "modelId") { try m.modelId() }
        async let owner = settle(address, "owner") { try m.owner() }
        async let parent = settle(address, "parent") { try m.parent() }
        async let relation = settle(address, "relation") { try m.relation() }
        async let unverified = settle(address, "unverified") { try m.unverified() }
        async let finalized = settle(address, "finalized") { try m.finalized() }
        async let weights = settle(address, "weightsHash") { try m.weightsHash() }
        async let metrics = settle(address, "metricsHash") { try m.metricsHash() }
        async let architecture = settle(address, "architectureHash") { try m.architectureHash() }
        async let hyper = settle(address, "hyperParametersHash") { try m.hyperParametersHash() }
        async let parameters = settle(address, "parameterCount") { try m.parameterCount() }
        async let created = settle(address, "createdBlock") { try m.createdBlock() }
        async let datasets = settle(address, "getDatasets") { try m.datasets() }
        async let artifact = settle(address, "artifactCommitment") { try m.artifactCommitment() }
        // Every getter has ended before the first failure is thrown.
        let answers = (await id, await owner, await parent, await relation, await unverified, await finalized,
                       await weights, await metrics, await architecture, await hyper, await parameters,
                       await created, await datasets, await artifact)
        var g = ModelGetters()
        g.modelId = try answers.0.get(); g.owner = try answers.1.get(); g.parent = try answers.2.get()
        g.relation = try answers.3.get(); g.unverified = try answers.4.get(); g.finalized = try answers.5.get()
        g.weightsHash = try answers.6.get(); g.metricsHash = try answers.7.get(); g.architectureHash = try answers.8.get()
        g.hyperParametersHash = try answers.9.get(); g.parameterCount = try answers.10.get()
        g.createdBlock = try answers.11.get(); g.datasets = try answers.12.get()
        g.artifactCommitment = try answers.13.get()
        return g
    }

    /// Reads the model record at `address` and checks its code and storage.
    func readModel(_ address: Address) async throws -> ModelRead {
        let codeName = "model-code-hash@\(address)"
        let storageName = "model-storage-proof@\(address)"
        var getters = ModelGetters()
        var expected: [ExpectedSlot] = []
        var unreadable: String?
        do {
            getters = try await modelGetters(address)
            expected = try getters.expectedSlots(StorageLayout(model.artifact))
        } catch let failure as AuditFailure {
            unreadable = failure.description
        }
        if let unreadable {
            // Not readable as a ModelRecord: still prove the account to report its code.
            let code = try await codeCheck(address, name: codeName, expected: model.artifact)
            return ModelRead(state: nil, codeCheck: code, storageCheck: .fail(storageName, unreadable))
        }
        let account: ProvenAccount
        do {
            account = try await prove(address, slots: expected.map(\.slot))
        } catch let failure as AuditFailure {
            return ModelRead(state: nil, codeCheck: .fail(codeName, failure.description),
                             storageCheck: .fail(storageName, failure.description))
        }
        let code = Self.codeCheck(account, name: codeName, expected: model.artifact)
        let mismatches = SlotComparison.mismatches(expected, account)
        guard mismatches.isEmpty else {
            return ModelRead(state: nil, codeCheck: code, storageCheck: .fail(
                storageName, "proven storage differs from the getters: " + mismatches.joined(separator: "; ")))
        }
        let state = ModelRecordState(address: address, modelId: getters.modelId, owner: getters.owner,
                                     parent: getters.parent, relation: getters.relation, unverified: getters.unverified,
                                     finalized: getters.finalized, weightsHash: getters.weightsHash,
                                     metricsHash: getters.metricsHash, artifactCommitment: getters.artifactCommitment,
                                     datasets: getters.datasets,
                                     codeHash: account.codeHash)
        return ModelRead(state: state, codeCheck: code, storageCheck: .pass(
            storageName, SlotComparison.summary(expected, blockNumber: blockNumber, stateRoot: stateRoot)))
    }

    /// Proves the account alone and compares its code hash with the artifact's.
    func codeCheck(_ address: Address, name: String, expected artifact: ContractArtifact) async throws -> AuditCheck {
        do {
            return Self.codeCheck(try await prove(address, slots: []), name: name, expected: artifact)
        } catch let failure as AuditFailure {
            return .fail(name, failure.description)
        }
    }

    static func codeCheck(_ account: ProvenAccount, name: String, expected artifact: ContractArtifact) -> AuditCheck {
        if account.codeHash == artifact.runtimeCodeHash {
            return .pass(name, "proven codeHash \(account.codeHash) equals the committed \(artifact.name) artifact (\(artifact.compiler))")
        }
        if account.codeHash == ProvenAccount.emptyCodeHash {
            return .fail(name, "the account has no code; expected the \(artifact.name) artifact's \(artifact.runtimeCodeHash)")
        }
        return .fail(name, "proven codeHash \(account.codeHash) differs from the committed \(artifact.name) artifact's \(artifact.runtimeCodeHash)")
    }
}
