import Primitives

/// Per-feature statistics as `DatasetRecord` stores them: fixed-point int256 values in two's
/// complement (real value = stored / statsScale); `count` is the number of observed values.
public struct FeatureStatistics: Hashable, Sendable {
    public var count: UInt256
    public var mean: UInt256
    public var variance: UInt256
    public var minimum: UInt256
    public var maximum: UInt256

    public init(count: UInt256, mean: UInt256, variance: UInt256, minimum: UInt256, maximum: UInt256) {
        self.count = count
        self.mean = mean
        self.variance = variance
        self.minimum = minimum
        self.maximum = maximum
    }

    var abiValue: ABIValue { .tuple([.uint(count), .int(mean), .int(variance), .int(minimum), .int(maximum)]) }

    init(abiValue: ABIValue) throws(ABIError) {
        let f = try abiValue.asTuple()
        guard f.count == 5 else { throw .wrongCount(type: "FeatureStatistics", expected: 5, got: f.count) }
        self.init(count: try f[0].asUInt(), mean: try f[1].asInt(), variance: try f[2].asInt(),
                  minimum: try f[3].asInt(), maximum: try f[4].asInt())
    }
}

/// What a dataset's bytes are: the content part of a `DatasetRecord`.
public struct DatasetContent: Hashable, Sendable {
    /// Merkle root (Keccak-256) over fixed-size chunks of the file.
    public var commitment: Hash32
    public var sizeBytes: UInt256
    public var sampleCount: UInt256
    public var sampleShape: [UInt256]
    public var schemaHash: Hash32

    public init(commitment: Hash32, sizeBytes: UInt256, sampleCount: UInt256, sampleShape: [UInt256], schemaHash: Hash32) {
        self.commitment = commitment
        self.sizeBytes = sizeBytes
        self.sampleCount = sampleCount
        self.sampleShape = sampleShape
        self.schemaHash = schemaHash
    }

    var abiValues: [ABIValue] {
        [.hash(commitment), .uint(sizeBytes), .uint(sampleCount), .array(sampleShape.map { .uint($0) }), .hash(schemaHash)]
    }
}

/// A decoded `DatasetRecord` log.
public enum DatasetRecordEvent: Hashable, Sendable {
    case registered(owner: Address, datasetId: String, commitment: Hash32)
    case contentUpdated(DatasetContent)
    case statisticsUpdated(statsScale: UInt256, featureCount: UInt256)
    case finalized(owner: Address, commitment: Hash32)
    case sharingChanged(grantee: Address, shared: Bool)
}

/// Typed encode/decode for `contracts/DatasetRecord.vy`, driven by its committed ABI: deploy data,
/// call data for every function, decoders for every getter result and every event.
public struct DatasetRecordBinding: Sendable {
    public let artifact: ContractArtifact
    var abi: ContractABI { artifact.abi }

    public init() throws(ContractArtifactError) { artifact = try .named("DatasetRecord") }

    /// Init code plus constructor arguments: the data of the deploying transaction.
    public func deployData(datasetId: String, content: DatasetContent) throws(ABIError) -> [UInt8] {
        try abi.constructor.deployData(initCode: artifact.initCode, arguments: [.string(datasetId)] + content.abiValues)
    }

    // State-changing calls (owner only, before finalize unless noted).

    public func updateContent(_ content: DatasetContent) throws(ABIError) -> [UInt8] {
        try abi.transaction("updateContent", content.abiValues)
    }

    public func setStatistics(statsScale: UInt256, _ statistics: [FeatureStatistics]) throws(ABIError) -> [UInt8] {
        try abi.transaction("setStatistics", [.uint(statsScale), .array(statistics.map(\.abiValue))])
    }

    public func finalize() throws(ABIError) -> [UInt8] { try abi.transaction("finalize") }

    /// Allowed after finalize too: sharing is not part of the dataset's content.
    public func share(_ grantee: Address) throws(ABIError) -> [UInt8] { try abi.transaction("share", [.address(grantee)]) }

    public func unshare(_ grantee: Address) throws(ABIError) -> [UInt8] { try abi.transaction("unshare", [.address(grantee)]) }

    // Getters.

    public func owner() throws(ABIError) -> ContractCall<Address> { try abi.view("owner") { v throws(ABIError) in try v.asAddress() } }
    public func datasetId() throws(ABIError) -> ContractCall<String> { try abi.view("datasetId") { v throws(ABIError) in try v.asString() } }
    public func commitment() throws(ABIError) -> ContractCall<Hash32> { try abi.view("commitment") { v throws(ABIError) in try v.asHash() } }
    public func sizeBytes() throws(ABIError) -> ContractCall<UInt256> { try abi.view("sizeBytes") { v throws(ABIError) in try v.asUInt() } }
    public func sampleCount() throws(ABIError) -> ContractCall<UInt256> { try abi.view("sampleCount") { v throws(ABIError) in try v.asUInt() } }
    public func sampleShape() throws(ABIError) -> ContractCall<[UInt256]> { try abi.view("getSampleShape") { v throws(ABIError) in try ABIConvert.uints(v) } }
    public func statsScale() throws(ABIError) -> ContractCall<UInt256> { try abi.view("statsScale") { v throws(ABIError) in try v.asUInt() } }
    public func schemaHash() throws(ABIError) -> ContractCall<Hash32> { try abi.view("schemaHash") { v throws(ABIError) in try v.asHash() } }
    public func finalized() throws(ABIError) -> ContractCall<Bool> { try abi.view("finalized") { v throws(ABIError) in try v.asBool() } }
    public func createdBlock() throws(ABIError) -> ContractCall<UInt256> { try abi.view("createdBlock") { v throws(ABIError) in try v.asUInt() } }

    public func statistics() throws(ABIError) -> ContractCall<[FeatureStatistics]> {
        try abi.view("getStatistics") { v throws(ABIError) in
            var out: [FeatureStatistics] = []
            for item in try v.asArray() { out.append(try FeatureStatistics(abiValue: item)) }
            return out
        }
    }

    public func sharedWith(_ account: Address) throws(ABIError) -> ContractCall<Bool> {
        try abi.view("sharedWith", [.address(account)]) { v throws(ABIError) in try v.asBool() }
    }

    /// True when a model deployed by `account` may cite the record (finalized, and owned or shared).
    public func canBeCitedBy(_ account: Address) throws(ABIError) -> ContractCall<Bool> {
        try abi.view("canBeCitedBy", [.address(account)]) { v throws(ABIError) in try v.asBool() }
    }

    /// Decodes one of the contract's logs.
    public func decodeEvent(topics: [Hash32], data: [UInt8]) throws(ABIError) -> DatasetRecordEvent {
        let event = try abi.matchEvent(topics: topics)
        let f = try event.decode(topics: topics, data: data).map { (field: ABIEventField) throws(ABIError) -> ABIValue in
            try ABIConvert.value(field)
        }
        switch event.name {
        case "DatasetRegistered":
            return .registered(owner: try f[0].asAddress(), datasetId: try f[1].asString(), commitment: try f[2].asHash())
        case "ContentUpdated":
            return .contentUpdated(DatasetContent(commitment: try f[0].asHash(), sizeBytes: try f[1].asUInt(),
                                                  sampleCount: try f[2].asUInt(), sampleShape: try ABIConvert.uints(f[3]),
                                                  schemaHash: try f[4].asHash()))
        case "StatisticsUpdated":
            return .statisticsUpdated(statsScale: try f[0].asUInt(), featureCount: try f[1].asUInt())
        case "DatasetFinalized":
            return .finalized(owner: try f[0].asAddress(), commitment: try f[1].asHash())
        case "SharingChanged":
            return .sharingChanged(grantee: try f[0].asAddress(), shared: try f[1].asBool())
        default:
            throw .missingEntry("binding for event \(event.name)")
        }
    }
}
