import Foundation
import Primitives

/// Field names of a reading message (the defaults follow the seed's devices).
public struct ReadingFields: Sendable, Equatable, Codable {
    public var timestamp = "timestamp"
    public var voltage = "voltage"
    public var current = "current"
    public var powerFactor = "power_factor"

    public init() {}
}

/// One decoded reading: when, and the total active power P = Σ Vᵢ·Iᵢ·pfᵢ over its phases.
public struct Reading: Sendable, Equatable {
    public var timestamp: Double
    public var power: Double

    public init(timestamp: Double, power: Double) {
        self.timestamp = timestamp
        self.power = power
    }
}

/// Why a message (or one reading of an array) was dropped. The raw values are the `reason`
/// label of `mledger_ol_dropped_total`, a closed set.
public enum DropReason: String, Sendable, CaseIterable, Codable {
    case notJSON = "not_json"
    case notObject = "not_object"
    case emptyMessage = "empty_message"
    case missingField = "missing_field"
    case badTimestamp = "bad_timestamp"
    case badPhases = "bad_phases"
    case nonFinite = "non_finite"
    case duplicate
    case late
    case replayed
}

/// Decodes reading messages: one JSON object or an array of them. A bad element of an array is
/// dropped on its own; the others are kept.
public enum ReadingDecoder {
    public struct Outcome: Sendable, Equatable {
        public var readings: [Reading] = []
        public var dropped: [DropReason: Int] = [:]
    }

    public static func decode(_ payload: [UInt8], fields: ReadingFields = ReadingFields()) -> Outcome {
        var outcome = Outcome()
        guard let document = JSONValue.parse(payload) else {
            outcome.dropped[.notJSON, default: 0] += 1
            return outcome
        }
        let items: [JSONValue]
        switch document {
        case .array(let array):
            if array.isEmpty { outcome.dropped[.emptyMessage, default: 0] += 1 }
            items = array
        case .object: items = [document]
        default:
            outcome.dropped[.notObject, default: 0] += 1
            return outcome
        }
        for item in items {
            switch reading(item, fields: fields) {
            case .success(let reading): outcome.readings.append(reading)
            case .failure(let failure): outcome.dropped[failure.reason, default: 0] += 1
            }
        }
        return outcome
    }

    struct Failure: Error { let reason: DropReason }

    /// One reading object, or why it is unusable.
    static func reading(_ item: JSONValue, fields: ReadingFields) -> Result<Reading, Failure> {
        guard case .object(let members) = item else { return .failure(Failure(reason: .notObject)) }
        guard let stamp = members[fields.timestamp], let voltage = members[fields.voltage],
              let current = members[fields.current], let factor = members[fields.powerFactor] else {
            return .failure(Failure(reason: .missingField))
        }
        guard let timestamp = Self.timestamp(stamp) else { return .failure(Failure(reason: .badTimestamp)) }
        guard let v = numbers(voltage), let i = numbers(current), let pf = numbers(factor),
              !v.isEmpty, v.count == i.count, v.count == pf.count else {
            return .failure(Failure(reason: .badPhases))
        }
        var power = 0.0
        for k in v.indices { power += v[k] * i[k] * pf[k] }
        guard power.isFinite, v.allSatisfy(\.isFinite), i.allSatisfy(\.isFinite), pf.allSatisfy(\.isFinite) else {
            return .failure(Failure(reason: .nonFinite))
        }
        return .success(Reading(timestamp: timestamp, power: power))
    }

    static func numbers(_ value: JSONValue) -> [Double]? {
        guard case .array(let items) = value, items.count <= 16 else { return nil }
        var out = [Double]()
        for item in items {
            guard let number = item.doubleValue else { return nil }
            out.append(number)
        }
        return out
    }

    /// Unix seconds (a number) or RFC 3339 text; nil for anything else or a non-finite value.
    static func timestamp(_ value: JSONValue) -> Double? {
        if let number = value.doubleValue { return number.isFinite && abs(number) < 1e11 ? number : nil }
        if case .string(let text) = value { return RFC3339.seconds(text) }
        return nil
    }
}

/// RFC 3339 date-times (`2024-01-02T03:04:05Z`, fractional seconds, `±hh:mm` offsets) to Unix
/// seconds; nil for anything else. A small parser, not a formatter per message.
public enum RFC3339 {
    public static func seconds(_ text: String) -> Double? {
        let b = Array(text.utf8)
        guard b.count >= 20 else { return nil }
        func digits(_ at: Int, _ n: Int) -> Int? {
            guard at + n <= b.count else { return nil }
            var v = 0
            for k in at..<(at + n) {
                guard b[k] >= 48, b[k] <= 57 else { return nil }
                v = v * 10 + Int(b[k] - 48)
            }
            return v
        }
        guard let year = digits(0, 4), b[4] == 45, let month = digits(5, 2), b[7] == 45, let day = digits(8, 2),
              b[10] == 84 || b[10] == 116 || b[10] == 32, let hour = digits(11, 2), b[13] == 58, let minute = digits(14, 2),
              b[16] == 58, let second = digits(17, 2) else { return nil }
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60 else { return nil }
        var index = 19
        var fraction = 0.0
        if index < b.count, b[index] == 46 {
            index += 1
            var scale = 0.1
            let start = index
            while index < b.count, b[index] >= 48, b[index] <= 57 {
                fraction += Double(b[index] - 48) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        guard index < b.count else { return nil }
        var offset = 0
        if b[index] == 90 || b[index] == 122 {
            index += 1
        } else if b[index] == 43 || b[index] == 45 {
            guard let oh = digits(index + 1, 2), b.count > index + 3, b[index + 3] == 58, let om = digits(index + 4, 2), oh < 24, om < 60 else { return nil }
            offset = (oh * 60 + om) * 60 * (b[index] == 43 ? 1 : -1)
            index += 6
        } else { return nil }
        guard index == b.count else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        return Double(days * 86_400 + hour * 3600 + minute * 60 + second - offset) + fraction
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's civil-days algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
