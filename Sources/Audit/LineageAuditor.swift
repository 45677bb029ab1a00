import Contracts
import LedgerClient
import Primitives

/// Audits a model's lineage trusting nothing but what the chain proves (issue 6, item 5).
///
/// Given a `LedgerClient` (the JSON-RPC one for `mledger audit`), it
/// 1. walks every header from genesis to the head and checks each seal against the sealer the
///    genesis header names (`chain-seals`);
/// 2. reads the model record, its parents and every cited dataset record at that sealed head,
///    through the typed getters, and proves the same values with `eth_getProof` against the
///    head's state root (`model-storage-proof@…`, `dataset-storage-proof@…`), including each
///    account's code hash, which must equal the committed artifact's (`model-code-hash@…`,
///    `dataset-code-hash@…`);
/// 3. checks the lineage rules on the proven state (`lineage`);
/// 4. optionally hashes the model artifact file against `weightsHash` (`weights-hash`) and scans
///    dataset files against their records (`dataset-file@PATH`).
/// Findings are checks in the report; only an unreachable node (`LedgerClientError.transport`)
/// throws.
public struct LineageAuditor: Sendable {
    /// Parents followed before the lineage is declared too deep.
    public static let maxDepth = 64

    public let client: any LedgerClient
    /// When given, the chain's genesis must hash to it (pins the audit to one chain).
    public let expectedGenesisHash: Hash32?
    /// When given, the genesis header must name this sealer.
    public let expectedSealer: Address?
    let model: ModelRecordBinding
    let dataset: DatasetRecordBinding

    public init(client: any LedgerClient, expectedGenesisHash: Hash32? = nil, expectedSealer: Address? = nil) throws {
        self.client = client
        self.expectedGenesisHash = expectedGenesisHash
        self.expectedSealer = expectedSealer
        model = try ModelRecordBinding()
        dataset = try DatasetRecordBinding()
    }

    /// Audits the model record at `modelAddress`; `artifactPath` and `datasetPaths` add the file
    /// checks. With a `checkpoint` (the auditor's own, from an earlier audit of this chain) only
    /// the headers above it are walked; the report carries the checkpoint to keep for next time.
    public func audit(model modelAddress: Address, artifactPath: String? = nil, datasetPaths: [String] = [],
                      checkpoint: AuditCheckpoint? = nil) async throws -> AuditReport {
        let headNumber: UInt64
        do { headNumber = try await client.blockNumber() } catch let error as LedgerClientError {
            if case .transport = error { throw error }
            return AuditReport(model: modelAddress, blockNumber: 0,
                               checks: [.fail(ChainSealAudit.name, "eth_blockNumber: \(error)")])
        }
        let chain: SealedChain
        do {
            chain = try await ChainSealAudit(client: client, expectedGenesisHash: expectedGenesisHash,
                                             expectedSealer: expectedSealer, checkpoint: checkpoint).run(head: headNumber)
        } catch let error as LedgerClientError {
            if case .transport = error { throw error }
            // Without verified headers there is no state root to prove anything against.
            return AuditReport(model: modelAddress, blockNumber: headNumber,
                               checks: [.fail(ChainSealAudit.name, "headers could not be read: \(error)")])
        }
        var checks = [chain.check]
        let reader = RecordReader(client: client, blockNumber: chain.head.number, stateRoot: chain.head.stateRoot,
                                  model: model, dataset: dataset)

        // The model and its parents, in chain order.
        var models: [(address: Address, state: ModelRecordState?)] = []
        var visited = Set<Address>()
        var next: Address? = modelAddress
        var stopped: String?
        while let address = next {
            guard visited.insert(address).inserted else {
                stopped = "the parent chain returns to \(address): a cycle"
                break
            }
            guard models.count < Self.maxDepth else {
                stopped = "the parent chain is deeper than \(Self.maxDepth) models"
                break
            }
            let read = try await reader.readModel(address)
            checks += [read.codeCheck, read.storageCheck]
            models.append((address, read.state))
            next = read.state.flatMap { $0.parent == .zero ? nil : $0.parent }
        }

        // Every dataset any model of the chain cites, with the owners whose sharing matters.
        var citers: [Address: [Address]] = [:]
        var order: [Address] = []
        for state in models.compactMap(\.state) {
            for address in state.datasets {
                if citers[address] == nil { order.append(address) }
                citers[address, default: []].append(state.owner)
            }
        }
        var datasets: [Address: DatasetRecordState?] = [:]
        for address in order {
            let read = try await reader.readDataset(address, citers: citers[address] ?? [])
            checks += [read.codeCheck, read.storageCheck]
            datasets[address] = read.state
        }

        checks.append(LineageRules.check(models: models, datasets: datasets, stopped: stopped,
                                         modelCodeHash: model.artifact.runtimeCodeHash,
                                         datasetCodeHash: dataset.artifact.runtimeCodeHash))
        if let artifactPath {
            checks.append(FileChecks.weights(path: artifactPath, model: models.first?.state))
        }
        let candidates = order.compactMap { datasets[$0] ?? nil }
        for path in datasetPaths {
            checks.append(FileChecks.dataset(path: path, candidates: candidates))
        }
        return AuditReport(model: modelAddress, blockNumber: chain.head.number, checks: checks, checkpoint: chain.checkpoint,
                           lineage: models.compactMap(\.state))
    }
}
