import Contracts
import Primitives

/// A `DatasetRecord` as the auditor knows it, each field matched against its proven slot.
public struct DatasetRecordState: Equatable, Sendable {
    public let address: Address
    public let datasetId: String
    public let owner: Address
    public let commitment: Hash32
    public let sizeBytes: UInt256
    public let sampleCount: UInt256
    public let sampleShape: [UInt256]
    public let schemaHash: Hash32
    public let statsScale: UInt256
    public let statistics: [FeatureStatistics]
    public let finalized: Bool
    /// `sharedWith[account]` for the accounts the audit asked about (the citing models' owners).
    public let sharedWith: [Address: Bool]
    public let codeHash: Hash32

    /// Whether a model owned by `account` may cite the record: finalized, and owned or shared.
    public func citable(by account: Address) -> Bool {
        finalized && (account == owner || sharedWith[account] == true)
    }
}

struct DatasetRead {
    let state: DatasetRecordState?
    let codeCheck: AuditCheck
    let storageCheck: AuditCheck
}

/// What the dataset getters answered.
struct DatasetGetters {
    var datasetId = "", owner = Address.zero, commitment = Hash32.zero, sizeBytes = UInt256.zero
    var sampleCount = UInt256.zero, sampleShape: [UInt256] = [], schemaHash = Hash32.zero, statsScale = UInt256.zero
    var statistics: [FeatureStatistics] = [], finalized = false, createdBlock = UInt256.zero
    var sharedWith: [Address: Bool] = [:]

    /// Words per `FeatureStatistics` item in storage: count, mean, variance, minimum, maximum.
    static let statisticsWords = 5
    /// The contract's bound on features (`MAX_FEATURES`).
    static let maxFeatures = 128

    /// The storage words these answers must match, by the artifact's layout.
    func expectedSlots(_ layout: StorageLayout) throws(AuditFailure) -> [ExpectedSlot] {
        typealias W = SlotComparison
        guard statistics.count <= Self.maxFeatures else {
            throw AuditFailure("getStatistics returned \(statistics.count) features, the contract holds at most \(Self.maxFeatures)")
        }
        var slots = [
            ExpectedSlot(variable: "owner", slot: try layout.slot("owner"), word: W.word(owner)),
            ExpectedSlot(variable: "commitment", slot: try layout.slot("commitment"), word: W.word(commitment)),
            ExpectedSlot(variable: "sizeBytes", slot: try layout.slot("sizeBytes"), word: sizeBytes),
            ExpectedSlot(variable: "sampleCount", slot: try layout.slot("sampleCount"), word: sampleCount),
            ExpectedSlot(variable: "sampleShape", slot: try layout.slot("sampleShape"), word: W.word(sampleShape.count)),
            ExpectedSlot(variable: "schemaHash", slot: try layout.slot("schemaHash"), word: W.word(schemaHash)),
            ExpectedSlot(variable: "statsScale", slot: try layout.slot("statsScale"), word: statsScale),
            ExpectedSlot(variable: "statistics", slot: try layout.slot("statistics"), word: W.word(statistics.count)),
            ExpectedSlot(variable: "finalized", slot: try layout.slot("finalized"), word: W.word(finalized)),
            ExpectedSlot(variable: "createdBlock", slot: try layout.slot("createdBlock"), word: createdBlock),
        ]
        for (i, dimension) in sampleShape.enumerated() {
            slots.append(ExpectedSlot(variable: "sampleShape", slot: try layout.arrayItem("sampleShape", index: i), word: dimension))
        }
        for (i, feature) in statistics.enumerated() {
            let words = [feature.count, feature.mean, feature.variance, feature.minimum, feature.maximum]
            for (w, word) in words.enumerated() {
                slots.append(ExpectedSlot(
                    variable: "statistics",
                    slot: try layout.arrayItem("statistics", index: i, wordsPerItem: Self.statisticsWords, word: w), word: word))
            }
        }
        for (account, flag) in sharedWith.sorted(by: { $0.key < $1.key }) {
            slots.append(ExpectedSlot(variable: "sharedWith", slot: try layout.mappingEntry("sharedWith", key: account),
                                      word: W.word(flag)))
        }
        return slots
    }
}

extension RecordReader {
    /// Every getter the audit needs, concurrently, then `sharedWith` for each citer other than the owner.
    func datasetGetters(_ address: Address, citers: [Address]) async throws -> DatasetGetters {
        let d = dataset
        async let id = settle(address, "datasetId") { try d.datasetId() }
        async let owner = settle(address, "owner") { try d.owner() }
        async let commitment = settle(address, "commitment") { try d.commitment() }
        async let size = settle(address, "sizeBytes") { try d.sizeBytes() }
        async let samples = settle(address, "sampleCount") { try d.sampleCount() }
        async let shape = settle(address, "getSampleShape") { try d.sampleShape() }
        async let schema = settle(address, "schemaHash") { try d.schemaHash() }
        async let scale = settle(address, "statsScale") { try d.statsScale() }
        async let statistics = settle(address, "getStatistics") { try d.statistics() }
        async let finalized = settle(address, "finalized") { try d.finalized() }
        async let created = settle(address, "createdBlock") { try d.createdBlock() }
        // Every getter has ended before the first failure is thrown (see `settle`).
        let answers = (await id, await owner, await commitment, await size, await samples, await shape,
                       await schema, await scale, await statistics, await finalized, await created)
        var g = DatasetGetters()
        g.datasetId = try answers.0.get(); g.owner = try answers.1.get(); g.commitment = try answers.2.get()
        g.sizeBytes = try answers.3.get(); g.sampleCount = try answers.4.get(); g.sampleShape = try answers.5.get()
        g.schemaHash = try answers.6.get(); g.statsScale = try answers.7.get(); g.statistics = try answers.8.get()
        g.finalized = try answers.9.get(); g.createdBlock = try answers.10.get()
        for citer in Set(citers) where citer != g.owner {
            g.sharedWith[citer] = try await get(address, "sharedWith") { try d.sharedWith(citer) }
        }
        return g
    }

    /// Reads the dataset record at `address`, with `sharedWith` for each of `citers`.
    func readDataset(_ address: Address, citers: [Address]) async throws -> DatasetRead {
        let codeName = "dataset-code-hash@\(address)"
        let storageName = "dataset-storage-proof@\(address)"
        var getters = DatasetGetters()
        var expected: [ExpectedSlot] = []
        var unreadable: String?
        do {
            getters = try await datasetGetters(address, citers: citers)
            expected = try getters.expectedSlots(StorageLayout(dataset.artifact))
        } catch let failure as AuditFailure {
            unreadable = failure.description
        }
        if let unreadable {
            let code = try await codeCheck(address, name: codeName, expected: dataset.artifact)
            return DatasetRead(state: nil, codeCheck: code, storageCheck: .fail(storageName, unreadable))
        }
        let account: ProvenAccount
        do {
            account = try await prove(address, slots: expected.map(\.slot))
        } catch let failure as AuditFailure {
            return DatasetRead(state: nil, codeCheck: .fail(codeName, failure.description),
                               storageCheck: .fail(storageName, failure.description))
        }
        let code = Self.codeCheck(account, name: codeName, expected: dataset.artifact)
        let mismatches = SlotComparison.mismatches(expected, account)
        guard mismatches.isEmpty else {
            return DatasetRead(state: nil, codeCheck: code, storageCheck: .fail(
                storageName, "proven storage differs from the getters: " + mismatches.joined(separator: "; ")))
        }
        let state = DatasetRecordState(address: address, datasetId: getters.datasetId, owner: getters.owner,
                                       commitment: getters.commitment, sizeBytes: getters.sizeBytes,
                                       sampleCount: getters.sampleCount, sampleShape: getters.sampleShape,
                                       schemaHash: getters.schemaHash, statsScale: getters.statsScale,
                                       statistics: getters.statistics, finalized: getters.finalized,
                                       sharedWith: getters.sharedWith, codeHash: account.codeHash)
        return DatasetRead(state: state, codeCheck: code, storageCheck: .pass(
            storageName, SlotComparison.summary(expected, blockNumber: blockNumber, stateRoot: stateRoot)))
    }
}
