import Foundation
import ML

/// A stretch of UTC hours with no closed mean (`first...last`, hour indexes since the epoch).
public struct HourGap: Sendable, Equatable, Codable {
    public var first: Int64
    public var last: Int64
    public var hours: Int64 { last - first + 1 }

    public init(first: Int64, last: Int64) {
        self.first = first
        self.last = last
    }
}

/// Readings → hourly mean power by UTC hour. The same code serves training and inference.
///
/// An hour stays open until the newest timestamp seen (the watermark) passes its end by the
/// lateness window; readings of an open hour are accepted in any order, a second reading with
/// the same timestamp is a duplicate, and a reading of an hour already closed is late. Both are
/// dropped and counted. When an hour closes after a hole, the hole is reported as a gap.
public struct HourlyAggregator: Sendable, Codable, Equatable {
    struct OpenHour: Sendable, Codable, Equatable {
        var sum = 0.0
        var count = 0
        var seen = Set<Double>()

        /// False for a timestamp already seen in this hour.
        mutating func add(_ reading: Reading) -> Bool {
            guard seen.insert(reading.timestamp).inserted else { return false }
            sum += reading.power
            count += 1
            return true
        }
    }

    public enum Outcome: Sendable, Equatable {
        case accepted, duplicate, late
    }

    public var latenessSeconds: Double
    var open: [Int64: OpenHour] = [:]
    public private(set) var watermark: Double?
    public private(set) var lastClosedHour: Int64?

    public init(latenessSeconds: Double) { self.latenessSeconds = latenessSeconds }

    public static func hour(of timestamp: Double) -> Int64 { Int64((timestamp / 3600).rounded(.down)) }

    public mutating func add(_ reading: Reading) -> Outcome {
        let hour = Self.hour(of: reading.timestamp)
        if let closed = lastClosedHour, hour <= closed { return .late }
        // Mutated in place in the dictionary: a copy taken out and written back would share the
        // `seen` set with the stored one, so every insert would copy the whole hour's set
        // (quadratic in readings per hour; it capped ingestion near 28,000 readings/s).
        guard open[hour, default: OpenHour()].add(reading) else { return .duplicate }
        watermark = max(watermark ?? reading.timestamp, reading.timestamp)
        return .accepted
    }

    /// Closes every open hour whose end the watermark has passed by the lateness window (or all,
    /// with `force`), oldest first: each with its mean, and the gap before it when there is one.
    public mutating func closeReady(force: Bool = false) -> (hours: [(hour: Int64, mean: Double, count: Int)], gaps: [HourGap]) {
        guard let watermark else { return ([], []) }
        var hours = [(hour: Int64, mean: Double, count: Int)]()
        var gaps = [HourGap]()
        for hour in open.keys.sorted() {
            let end = Double(hour + 1) * 3600
            guard force || watermark >= end + latenessSeconds else { break }
            let slot = open.removeValue(forKey: hour)!
            if let previous = lastClosedHour, hour > previous + 1 { gaps.append(HourGap(first: previous + 1, last: hour - 1)) }
            lastClosedHour = hour
            hours.append((hour, slot.sum / Double(slot.count), slot.count))
        }
        return (hours, gaps)
    }

    public var openHourCount: Int { open.count }
}

/// The closed hourly means, oldest first, at most `capacity` (the oldest are dropped).
public struct HourlyBuffer: Sendable, Codable, Equatable {
    public private(set) var hours: [Int64] = []
    public private(set) var values: [Double] = []
    public var capacity: Int

    public init(capacity: Int) { self.capacity = capacity }

    public mutating func append(hour: Int64, value: Double) {
        precondition(hours.last.map { hour > $0 } ?? true, "hours close in order")
        hours.append(hour)
        values.append(value)
        if hours.count > capacity {
            let excess = hours.count - capacity
            hours.removeFirst(excess)
            values.removeFirst(excess)
        }
    }

    public var count: Int { hours.count }

    /// Start indexes of every run of `length` consecutive hours (windows never cross a gap),
    /// oldest first.
    public func windowStarts(length: Int) -> [Int] {
        guard length >= 1, hours.count >= length else { return [] }
        var starts = [Int]()
        for start in 0...(hours.count - length) where hours[start + length - 1] - hours[start] == Int64(length - 1) {
            starts.append(start)
        }
        return starts
    }

    /// The most recent `length` values when they are consecutive hours ending at the last one.
    public func latestWindow(length: Int) -> [Double]? {
        guard hours.count >= length, hours[hours.count - 1] - hours[hours.count - length] == Int64(length - 1) else { return nil }
        return Array(values.suffix(length))
    }
}

/// Min-max scaling with stored parameters, and the cutting of a scaled series into supervised
/// windows of `window` inputs and `horizon` targets.
public enum WindowMaker {
    /// Windows starting at `starts` of the (already scaled) `series`.
    public static func dataset(_ series: [Float], starts: [Int], window: Int, horizon: Int) throws -> SupervisedDataset {
        var inputs = [Float]()
        var targets = [Float]()
        inputs.reserveCapacity(starts.count * window)
        targets.reserveCapacity(starts.count * horizon)
        for start in starts {
            inputs += series[start..<(start + window)]
            targets += series[(start + window)..<(start + window + horizon)]
        }
        return try SupervisedDataset(inputs: Tensor(shape: [starts.count, window, 1], scalars: inputs),
                                     targets: Tensor(shape: [starts.count, horizon], scalars: targets))
    }

    /// The empirical `q`-quantile (linear interpolation between order statistics, NumPy's
    /// default), of a non-empty sample.
    public static func quantile(_ sample: [Double], _ q: Double) -> Double {
        let sorted = sample.sorted()
        guard sorted.count > 1 else { return sorted.first ?? 0 }
        let position = q * Double(sorted.count - 1)
        let low = Int(position.rounded(.down))
        let high = min(low + 1, sorted.count - 1)
        return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
    }
}
