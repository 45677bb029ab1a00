import Chain
import Contracts
import LedgerCrypto
import LedgerClient
import Primitives
import RPC

/// Which MLedger record a contract is, told by its runtime code hash against the committed
/// artifacts (so a contract with other code is never decoded as a record).
package enum RecordKind: String, Equatable, Sendable {
    case dataset
    case model
    case modelUnverified = "model_unverified"
}

/// Reads `DatasetRecord` and `ModelRecord` state through `LedgerClient.call` and the typed
/// bindings, at the latest block.
package struct RecordReader: Sendable {
    package let client: any LedgerClient
    package let dataset: DatasetRecordBinding
    package let model: ModelRecordBinding

    /// The record kind at `address`; nil when it holds no code or other code.
    package func kind(of address: Address) async throws -> RecordKind? {
        let code = try await client.code(of: address, at: .latest)
        guard !code.isEmpty else { return nil }
        let hash = Keccak256.hash(code)
        if hash == dataset.artifact.runtimeCodeHash { return .dataset }
        if hash == model.artifact.runtimeCodeHash {
            return try await read(model.unverified(), at: address) ? .modelUnverified : .model
        }
        return nil
    }

    func datasetState(at address: Address) async throws -> DatasetRecordState {
        let b = dataset
        let content = DatasetContent(
            commitment: try await read(b.commitment(), at: address), sizeBytes: try await read(b.sizeBytes(), at: address),
            sampleCount: try await read(b.sampleCount(), at: address), sampleShape: try await read(b.sampleShape(), at: address),
            schemaHash: try await read(b.schemaHash(), at: address))
        return DatasetRecordState(
            address: address, owner: try await read(b.owner(), at: address), organization: nil,
            datasetId: try await read(b.datasetId(), at: address), content: content,
            statsScale: try await read(b.statsScale(), at: address), statistics: try await read(b.statistics(), at: address),
            finalized: try await read(b.finalized(), at: address), createdBlock: try await read(b.createdBlock(), at: address))
    }

    func modelState(at address: Address) async throws -> ModelRecordState {
        let b = model
        let registration = ModelRegistration(
            modelId: try await read(b.modelId(), at: address), developerId: try await read(b.developerId(), at: address),
            backend: try await read(b.backend(), at: address), architectureHash: try await read(b.architectureHash(), at: address),
            hyperParameters: try await read(b.hyperParameters(), at: address), seeds: try await read(b.seeds(), at: address),
            trainingRecipe: try await read(b.trainingRecipe(), at: address), datasets: try await read(b.datasets(), at: address),
            inputShape: try await read(b.inputShape(), at: address), outputShape: try await read(b.outputShape(), at: address),
            parameterCount: try await read(b.parameterCount(), at: address), parent: try await read(b.parent(), at: address),
            relation: try await read(b.relation(), at: address), unverified: try await read(b.unverified(), at: address))
        return ModelRecordState(
            address: address, owner: try await read(b.owner(), at: address), organization: nil, registration: registration,
            hyperParametersHash: try await read(b.hyperParametersHash(), at: address),
            weightsHash: try await read(b.weightsHash(), at: address), metricsHash: try await read(b.metricsHash(), at: address),
            artifactCommitment: try await read(b.artifactCommitment(), at: address),
            finalized: try await read(b.finalized(), at: address), createdBlock: try await read(b.createdBlock(), at: address))
    }

    /// One view call, decoded strictly.
    package func read<R>(_ call: ContractCall<R>, at address: Address) async throws -> R {
        var request = CallRequest()
        request.to = address
        request.input = call.data
        let output = try await client.call(request, at: .latest)
        return try call.decode(output)
    }
}
