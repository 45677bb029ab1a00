import Foundation

/// One second of a three-phase meter, in the reading format the online-learning service reads.
public struct ThreePhaseReading: Sendable, Equatable {
    /// Unix seconds.
    public var timestamp: Int64
    public var voltage: [Double]
    public var current: [Double]
    public var powerFactor: [Double]

    /// Active power P = Σ Vᵢ·Iᵢ·pfᵢ in watts.
    public var power: Double { (0..<3).reduce(0) { $0 + voltage[$1] * current[$1] * powerFactor[$1] } }

    /// `{"timestamp":…,"voltage":[…],"current":[…],"power_factor":[…]}`; Swift prints the
    /// shortest text that reads back as the same Double, so nothing is lost.
    public var json: String {
        func list(_ values: [Double]) -> String { "[" + values.map { "\($0)" }.joined(separator: ",") + "]" }
        return #"{"timestamp":\#(timestamp),"voltage":\#(list(voltage)),"current":\#(list(current)),"power_factor":\#(list(powerFactor))}"#
    }

    /// One object for a single reading, a JSON array for several.
    public static func payload(_ readings: ArraySlice<ThreePhaseReading>) -> [UInt8] {
        if readings.count == 1 { return Array(readings.first!.json.utf8) }
        return Array(("[" + readings.map(\.json).joined(separator: ",") + "]").utf8)
    }
}

/// Turns hourly mean power into 3,600 one-second readings with seeded noise (voltage,
/// power factor, phase balance and power all vary) whose hourly mean of P is the hourly
/// value up to floating-point rounding: the per-second powers are rescaled to the exact mean
/// before they are split into phases, and each current is solved from its phase's power.
public struct ReadingSynthesizer: Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// SplitMix64: small, fast, and the same sequence on every platform.
    private mutating func nextUInt64() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private mutating func uniform() -> Double { Double(nextUInt64() >> 11) / Double(1 << 53) }

    /// Standard normal (Box–Muller).
    private mutating func gaussian() -> Double {
        let u1 = max(uniform(), 1e-300)
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * uniform())
    }

    /// `seconds` readings starting at `start` (Unix seconds) whose mean power is `meanPower` watts.
    public mutating func hour(meanPower: Double, start: Int64, seconds: Int = 3600) -> [ThreePhaseReading] {
        var powers = (0..<seconds).map { _ in max(0, 1 + 0.05 * gaussian()) }
        let scale = powers.reduce(0, +) / Double(seconds)
        powers = powers.map { meanPower * $0 / scale }
        return powers.enumerated().map { second, power in
            var shares = (0..<3).map { _ in max(0.5, 1 + 0.03 * gaussian()) }
            let total = shares.reduce(0, +)
            shares = shares.map { $0 / total }
            let voltage = (0..<3).map { _ in 230 + 1.5 * gaussian() }
            let powerFactor = (0..<3).map { _ in min(1, max(0.85, 0.97 + 0.01 * gaussian())) }
            let current = (0..<3).map { power * shares[$0] / (voltage[$0] * powerFactor[$0]) }
            return ThreePhaseReading(timestamp: start + Int64(second), voltage: voltage, current: current, powerFactor: powerFactor)
        }
    }

    /// The `power_w` column of an hourly series CSV (header row naming it, one row an hour).
    public static func hourlySeries(csv: String) throws -> [Double] {
        var lines = csv.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !lines.isEmpty else { throw SeriesError.invalid("the file is empty") }
        let header = lines.removeFirst().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let column = header.firstIndex(of: "power_w") else { throw SeriesError.invalid("no power_w column in the header \(header)") }
        return try lines.enumerated().map { index, line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard column < fields.count, let value = Double(fields[column].trimmingCharacters(in: .whitespaces)), value.isFinite else {
                throw SeriesError.invalid("line \(index + 2): power_w is not a number")
            }
            return value
        }
    }

    public enum SeriesError: Error, CustomStringConvertible, Equatable {
        case invalid(String)
        public var description: String { switch self { case .invalid(let why): return "series CSV: \(why)" } }
    }
}
