import Foundation
import ML
import Primitives

/// Why a service declaration or a request was refused: an HTTP status and a message that names
/// the field.
public struct OnlineLearningError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: Int
    public var message: String
    public var field: String?

    public init(status: Int, _ message: String, field: String? = nil) {
        self.status = status
        self.message = message
        self.field = field
    }

    static func invalid(_ field: String, _ reason: String) -> OnlineLearningError {
        OnlineLearningError(status: 422, "\(field): \(reason)", field: field)
    }

    public var description: String { message }

    public var body: JSONValue {
        var members: [String: JSONValue] = ["error": .string(message)]
        if let field { members["field"] = .string(field) }
        return .object(members)
    }
}

/// The declaration of an online-learning service (`--ol FILE.json`, `POST /ol`).
///
///     {"name": "house-1", "model": "energy-gru" | "<registered model id>",
///      "sources": ["http", "mqtt://host:1883/topic", "kafka://host:9092/topic"],
///      "organization_id": "acme", "developer_id": "dev-1",
///      "transformer": {"lateness_seconds": 300, "window": 36, "horizon": 24, "max_hours": 17520,
///                      "fields": {"timestamp": "timestamp", "voltage": "voltage", "current": "current", "power_factor": "power_factor"}},
///      "batch": {"hours": 24} | {"readings": 100000},
///      "training": {"seed": 42, "epochs_per_step": 1, "max_batches_per_step": 64, "validation_fraction": 0.1},
///      "snapshot": {"min_relative_improvement": 0.01, "min_interval_seconds": 0},
///      "explainer": false}
public struct OnlineServiceSpec: Sendable, Equatable {
    public enum BatchPolicy: Sendable, Equatable {
        case hours(Int)
        case readings(Int)
    }

    public var name: String
    /// `energy-gru` (fresh weights from `seed`) or the id of a registered model of the company.
    public var model: String
    public var sources: [String]
    public var company: String
    public var developer: String
    public var fields = ReadingFields()
    public var latenessSeconds = 300.0
    public var window = EnergyForecaster.windowLength
    public var horizon = EnergyForecaster.horizon
    public var maxHours = 24 * 730
    public var batch = BatchPolicy.hours(24)
    public var seed: UInt64 = 42
    public var epochsPerStep = 1
    public var maxBatchesPerStep = 64
    public var validationFraction = 0.1
    public var minRelativeImprovement = 0.01
    public var minSnapshotIntervalSeconds = 0.0
    public var explainer = false

    public static let freshModel = EnergyForecaster.architectureName

    /// The starting registered model, when `model` names one.
    public var startingModelId: UUID? { model == Self.freshModel ? nil : UUID(uuidString: model) }

    /// Reads a declaration; the caller's identity (when the request carries one) fills
    /// `organization_id`/`developer_id` and must agree with them when they are given.
    public init(json: JSONValue, company callerCompany: String? = nil, developer callerDeveloper: String? = nil) throws {
        guard case .object(let top) = json else { throw OnlineLearningError.invalid("body", "must be a JSON object") }
        func string(_ key: String, in object: [String: JSONValue], path: String) throws -> String? {
            guard let value = object[key], !value.isNull else { return nil }
            guard case .string(let text) = value else { throw OnlineLearningError.invalid(path + key, "must be a string") }
            return text
        }
        func number(_ key: String, in object: [String: JSONValue], path: String, range: ClosedRange<Double>) throws -> Double? {
            guard let value = object[key], !value.isNull else { return nil }
            guard let number = value.doubleValue, number.isFinite, range.contains(number) else {
                throw OnlineLearningError.invalid(path + key, "must be a number in \(range.lowerBound)…\(range.upperBound)")
            }
            return number
        }
        func integer(_ key: String, in object: [String: JSONValue], path: String, range: ClosedRange<Int>) throws -> Int? {
            guard let value = object[key], !value.isNull else { return nil }
            guard let number = value.intValue, range.contains(number) else {
                throw OnlineLearningError.invalid(path + key, "must be an integer in \(range.lowerBound)…\(range.upperBound)")
            }
            return number
        }
        func section(_ key: String) throws -> [String: JSONValue] {
            guard let value = top[key], !value.isNull else { return [:] }
            guard case .object(let members) = value else { throw OnlineLearningError.invalid(key, "must be an object") }
            return members
        }
        let known: Set<String> = ["name", "model", "sources", "organization_id", "developer_id", "transformer", "batch", "training",
                                  "snapshot", "explainer"]
        if let unknown = top.keys.sorted().first(where: { !known.contains($0) }) {
            throw OnlineLearningError.invalid(unknown, "is not a field of an online-learning service")
        }
        guard let name = try string("name", in: top, path: "") else { throw OnlineLearningError.invalid("name", "is required") }
        guard Self.isValidName(name) else {
            throw OnlineLearningError.invalid("name", "must be 1 to 64 characters of a-z, 0-9, '-' and '_', starting with a letter or digit")
        }
        self.name = name
        model = try string("model", in: top, path: "") ?? Self.freshModel
        guard model == Self.freshModel || (model.utf8.count == 36 && UUID(uuidString: model) != nil) else {
            throw OnlineLearningError.invalid("model", "must be \"\(Self.freshModel)\" or the id (UUID) of a registered model")
        }
        let declaredCompany = try string("organization_id", in: top, path: "")
        if let callerCompany, let declaredCompany, callerCompany != declaredCompany {
            throw OnlineLearningError.invalid("organization_id", "differs from the caller's organization")
        }
        guard let company = callerCompany ?? declaredCompany, !company.isEmpty else {
            throw OnlineLearningError.invalid("organization_id", "is required (the company whose account anchors the snapshots)")
        }
        self.company = company
        developer = try callerDeveloper ?? string("developer_id", in: top, path: "") ?? "online-learning"

        guard case .array(let list) = top["sources"] ?? .array([.string("http")]) else {
            throw OnlineLearningError.invalid("sources", "must be an array of strings")
        }
        var sources = [String]()
        for (index, item) in list.enumerated() {
            guard case .string(let source) = item, Self.isValidSource(source) else {
                throw OnlineLearningError.invalid("sources[\(index)]", "must be \"http\", \"mqtt://host:port/topic\" or \"kafka://host:port/topic\"")
            }
            guard !sources.contains(source) else { throw OnlineLearningError.invalid("sources[\(index)]", "is listed twice") }
            sources.append(source)
        }
        self.sources = sources

        let transformer = try section("transformer")
        latenessSeconds = try number("lateness_seconds", in: transformer, path: "transformer.", range: 0...86_400) ?? latenessSeconds
        window = try integer("window", in: transformer, path: "transformer.", range: 2...1024) ?? window
        horizon = try integer("horizon", in: transformer, path: "transformer.", range: 1...1024) ?? horizon
        guard horizon == EnergyForecaster.horizon else {
            throw OnlineLearningError.invalid("transformer.horizon", "energy-gru forecasts \(EnergyForecaster.horizon) hours")
        }
        maxHours = try integer("max_hours", in: transformer, path: "transformer.", range: 100...1_000_000) ?? maxHours
        if let value = transformer["fields"], !value.isNull {
            guard case .object(let names) = value else { throw OnlineLearningError.invalid("transformer.fields", "must be an object") }
            for key in names.keys.sorted() {
                guard let text = try string(key, in: names, path: "transformer.fields."), !text.isEmpty else {
                    throw OnlineLearningError.invalid("transformer.fields.\(key)", "must be a non-empty string")
                }
                switch key {
                case "timestamp": fields.timestamp = text
                case "voltage": fields.voltage = text
                case "current": fields.current = text
                case "power_factor": fields.powerFactor = text
                default: throw OnlineLearningError.invalid("transformer.fields.\(key)", "is not a reading field (timestamp, voltage, current, power_factor)")
                }
            }
        }

        let batchSection = try section("batch")
        let hours = try integer("hours", in: batchSection, path: "batch.", range: 1...100_000)
        let readings = try integer("readings", in: batchSection, path: "batch.", range: 1...100_000_000)
        switch (hours, readings) {
        case (let h?, nil): batch = .hours(h)
        case (nil, let r?): batch = .readings(r)
        case (nil, nil): break
        default: throw OnlineLearningError.invalid("batch", "give either hours or readings, not both")
        }

        let training = try section("training")
        if let value = training["seed"], !value.isNull {
            guard let seed = value.uint64Value else { throw OnlineLearningError.invalid("training.seed", "must be a non-negative integer") }
            self.seed = seed
        }
        epochsPerStep = try integer("epochs_per_step", in: training, path: "training.", range: 1...100) ?? epochsPerStep
        maxBatchesPerStep = try integer("max_batches_per_step", in: training, path: "training.", range: 1...100_000) ?? maxBatchesPerStep
        validationFraction = try number("validation_fraction", in: training, path: "training.", range: 0.01...0.5) ?? validationFraction

        let snapshot = try section("snapshot")
        minRelativeImprovement = try number("min_relative_improvement", in: snapshot, path: "snapshot.", range: 0...1) ?? minRelativeImprovement
        minSnapshotIntervalSeconds = try number("min_interval_seconds", in: snapshot, path: "snapshot.", range: 0...31_536_000)
            ?? minSnapshotIntervalSeconds

        if let value = top["explainer"], !value.isNull {
            guard case .bool(let on) = value else { throw OnlineLearningError.invalid("explainer", "must be true or false") }
            explainer = on
        }
    }

    static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...64).contains(bytes.count) else { return false }
        func allowed(_ b: UInt8) -> Bool { (b >= 97 && b <= 122) || (b >= 48 && b <= 57) || b == 45 || b == 95 }
        return bytes.allSatisfy(allowed) && bytes[0] != 45 && bytes[0] != 95
    }

    static func isValidSource(_ source: String) -> Bool {
        if source == "http" { return true }
        for scheme in ["mqtt://", "mqtts://", "kafka://"] where source.hasPrefix(scheme) {
            let rest = source.dropFirst(scheme.count)
            guard let slash = rest.firstIndex(of: "/"), slash != rest.startIndex, rest.index(after: slash) != rest.endIndex else { return false }
            return source.utf8.count <= 512
        }
        return false
    }

    /// The declaration as JSON (what `GET /ol/{name}` shows, and what is stored).
    public var json: JSONValue {
        let batchJSON: JSONValue = switch batch {
        case .hours(let h): .object(["hours": .int(h)])
        case .readings(let r): .object(["readings": .int(r)])
        }
        return .object([
            "name": .string(name), "model": .string(model), "sources": .array(sources.map { .string($0) }),
            "organization_id": .string(company), "developer_id": .string(developer),
            "transformer": .object([
                "lateness_seconds": .double(latenessSeconds), "window": .int(window), "horizon": .int(horizon), "max_hours": .int(maxHours),
                "fields": .object(["timestamp": .string(fields.timestamp), "voltage": .string(fields.voltage),
                                   "current": .string(fields.current), "power_factor": .string(fields.powerFactor)]),
            ]),
            "batch": batchJSON,
            "training": .object(["seed": .unsigned(.init(seed)), "epochs_per_step": .int(epochsPerStep),
                                 "max_batches_per_step": .int(maxBatchesPerStep), "validation_fraction": .double(validationFraction)]),
            "snapshot": .object(["min_relative_improvement": .double(minRelativeImprovement),
                                 "min_interval_seconds": .double(minSnapshotIntervalSeconds)]),
            "explainer": .bool(explainer),
        ])
    }
}
