import Foundation
import ML
import Primitives

/// One anchored snapshot of a service, as the service remembers it (the chain holds the
/// record; this is what the service needs to serve it again after a restart).
public struct SnapshotEntry: Sendable, Codable, Equatable {
    public var id: UUID
    /// Empty while the snapshot is being anchored.
    public var contractAddress: String
    public var weightsHash: String
    public var parent: String?
    public var step: Int
    public var validationMSE: Double
    public var firstHour: Int64
    public var lastHour: Int64
    public var positions: [String: Int64]
    public var created: Double
    public var scalerMin: Float
    public var scalerMax: Float
    public var lowerOffsets: [Float]
    public var upperOffsets: [Float]
    public var residuals: [Double]

    var json: JSONValue {
        .object([
            "model_id": .string(id.uuidString.lowercased()), "contract_address": .string(contractAddress),
            "weights_hash": .string(weightsHash), "parent": parent.map { .string($0) } ?? .null, "step": .int(step),
            "validation_mse": .double(validationMSE), "first_hour": .string(Self.iso(firstHour)), "last_hour": .string(Self.iso(lastHour)),
            "positions": .object(positions.mapValues { .integer($0) }), "created": .double(created),
            "scaler": .object(["min": .double(Double(scalerMin)), "max": .double(Double(scalerMax))]),
        ])
    }

    static func iso(_ hour: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: Double(hour) * 3600))
    }
}

/// Everything a service must find again after `kill -9`: the transformer's open and closed
/// hours, the scaler, the last position taken from each source, the snapshot chain and the
/// snapshot being anchored. One JSON file, replaced whole (write a temporary, rename), so the
/// positions always describe exactly the data the buffers hold.
public struct ServiceState: Sendable, Codable, Equatable {
    public var aggregator: HourlyAggregator
    public var buffer: HourlyBuffer
    public var positions: [String: Int64] = [:]
    public var scalerMin: Float?
    public var scalerMax: Float?
    public var readingsSinceStep = 0
    public var hoursSinceStep = 0
    public var trainingSteps = 0
    public var acceptedReadings: Int64 = 0
    public var closedHours: Int64 = 0
    public var gapHours: Int64 = 0
    public var recentGaps: [HourGap] = []
    public var snapshots: [SnapshotEntry] = []
    public var pending: SnapshotEntry?
    public var bestValidationMSE: Double?
    public var lastValidationMSE: Double?

    public init(spec: OnlineServiceSpec) {
        aggregator = HourlyAggregator(latenessSeconds: spec.latenessSeconds)
        buffer = HourlyBuffer(capacity: spec.maxHours)
    }

    public var scaler: MinMaxScaler? {
        guard let lo = scalerMin, let hi = scalerMax else { return nil }
        return MinMaxScaler(minimum: lo, maximum: hi)
    }
}

/// The files of one service under `<datadir>/online-learning/<name>/`: `spec.json` (the
/// declaration), `state.json` (`ServiceState`), `training.safetensors` (the weights being
/// trained and Adam's state) and `serving.safetensors` (a copy of the anchored snapshot served).
public struct ServiceFiles: Sendable {
    public let directory: URL

    public init(root: URL, name: String) { directory = root.appendingPathComponent(name, isDirectory: true) }

    var spec: URL { directory.appendingPathComponent("spec.json") }
    var state: URL { directory.appendingPathComponent("state.json") }
    var training: URL { directory.appendingPathComponent("training.safetensors") }
    /// The serving snapshot's weights (also in the object store): `mledger ol report` reads
    /// them from here so it needs neither the registry nor the store's credentials.
    var serving: URL { directory.appendingPathComponent("serving.safetensors") }

    package func create() throws { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) }

    package func writeSpec(_ spec: OnlineServiceSpec) throws { try AtomicFile.write(Data(spec.json.serialized.utf8), to: self.spec) }

    package func readSpec() throws -> OnlineServiceSpec? {
        guard let data = try? Data(contentsOf: spec) else { return nil }
        guard let json = JSONValue.parse(Array(data)) else { throw OnlineLearningError(status: 500, "\(spec.path) is not JSON") }
        return try OnlineServiceSpec(json: json)
    }

    package func writeState(_ state: ServiceState) throws {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try AtomicFile.write(try encoder.encode(state), to: self.state)
    }

    package func readState() throws -> ServiceState? {
        guard let data = try? Data(contentsOf: state) else { return nil }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try decoder.decode(ServiceState.self, from: data)
    }

    package func writeTraining(_ weights: [UInt8]) throws { try AtomicFile.write(Data(weights), to: training) }

    package func readTraining() -> [UInt8]? { (try? Data(contentsOf: training)).map { [UInt8]($0) } }

    package func writeServing(_ weights: [UInt8]) throws { try AtomicFile.write(Data(weights), to: serving) }

    package func readServing() -> [UInt8]? { (try? Data(contentsOf: serving)).map { [UInt8]($0) } }

    package func remove() throws { try FileManager.default.removeItem(at: directory) }
}
