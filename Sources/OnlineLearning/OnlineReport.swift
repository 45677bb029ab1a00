import LedgerCrypto
import Diagnostics
import Foundation
import ML
import Primitives

/// `mledger ol report`: the serving snapshot evaluated again on the validation windows it was
/// chosen on, from the service's files alone. Nothing is written and no lock is taken, so it
/// runs beside a live node: every file it reads is replaced whole by rename, never edited.
public struct OnlineReport: Sendable {
    /// One hour of the chart: the actual hourly mean and the forecast with its 90 % band (W).
    public struct Point: Sendable, Equatable {
        public var hour: Int64
        public var actual: Double
        public var forecast: Double
        public var lower: Double
        public var upper: Double
    }

    public var service: String
    public var snapshot: SnapshotEntry
    public var validationWindows: Int
    /// Recomputed now on scaled data; equals `snapshot.validationMSE` unless the files disagree.
    public var validationMSE: Double
    public var normality: NormalityReport
    /// 5 % / 95 % quantiles of all validation residuals, raw units (W).
    public var interval: ResidualInterval
    /// Share of validation targets inside their forecast's per-step 90 % band.
    public var bandCoverage: Double
    /// The last hours of the validation period, tiled by whole forecasts (oldest first).
    public var points: [Point]

    /// Reads `<datadir>/online-learning/<name>/`: the declaration, the state file and the
    /// serving snapshot's weights (checked against the anchored Keccak-256).
    public static func make(dataDirectory: URL, name: String, hours: Int) throws -> OnlineReport {
        guard OnlineServiceSpec.isValidName(name) else { throw OnlineLearningError(status: 400, "\(name) is not a service name") }
        guard hours >= 1 else { throw OnlineLearningError(status: 400, "--hours must be at least 1") }
        let files = ServiceFiles(root: dataDirectory.appendingPathComponent("online-learning", isDirectory: true), name: name)
        guard let spec = try files.readSpec(), let state = try files.readState() else {
            throw OnlineLearningError(status: 404, "no online-learning service \(name) under \(dataDirectory.path)")
        }
        guard let snapshot = state.snapshots.last else { throw OnlineLearningError(status: 409, "service \(name) has no anchored snapshot yet") }
        guard let weights = files.readServing() else {
            throw OnlineLearningError(status: 409, "\(files.serving.path) is missing: start the node once so the service writes its serving weights")
        }
        let hash = Keccak256.hash(weights).description
        guard hash == snapshot.weightsHash else {
            throw OnlineLearningError(status: 409, "\(files.serving.path) hashes to \(hash), the serving snapshot anchors \(snapshot.weightsHash)")
        }
        let model = EnergyForecaster(seed: 0)
        try model.loadStateDict(OnlineTrainingEngine.decode(weights))

        // The buffer as the snapshot's step saw it: the hours of its recorded data range.
        let kept = state.buffer.hours.indices.filter { state.buffer.hours[$0] >= snapshot.firstHour && state.buffer.hours[$0] <= snapshot.lastHour }
        guard let first = kept.first, state.buffer.hours[first] == snapshot.firstHour else {
            throw OnlineLearningError(status: 409, "the hourly buffer no longer holds the snapshot's first hour \(SnapshotEntry.iso(snapshot.firstHour))")
        }
        var buffer = HourlyBuffer(capacity: kept.count)
        for i in kept { buffer.append(hour: state.buffer.hours[i], value: state.buffer.values[i]) }
        let starts = buffer.windowStarts(length: spec.window + spec.horizon)
        guard starts.count >= OnlineTrainingEngine.minimumWindows else { throw OnlineLearningError(status: 409, "too few windows in the snapshot's range") }
        let validationStarts = Array(starts.suffix(OnlineTrainingEngine.validationCount(windows: starts.count, fraction: spec.validationFraction)))
        let scaler = MinMaxScaler(minimum: snapshot.scalerMin, maximum: snapshot.scalerMax)
        let scaled = buffer.values.map { scaler.scale(Float($0)) }
        let validation = try WindowMaker.dataset(scaled, starts: validationStarts, window: spec.window, horizon: spec.horizon)
        let checked = ValidationOutcome(model: model, validation: validation, horizon: spec.horizon, scaler: scaler)

        let span = Double(scaler.invert(1) - scaler.invert(0))
        let raw = checked.residuals.map { $0 * span }
        var inside = 0
        for (k, r) in raw.enumerated() {
            let step = k % spec.horizon
            if r >= Double(snapshot.lowerOffsets[step]), r <= Double(snapshot.upperOffsets[step]) { inside += 1 }
        }

        // Whole forecasts that tile the end of the validation period, the newest last.
        var points = [Point]()
        var index = validationStarts.count - 1
        while index >= 0, points.count < hours {
            let start = validationStarts[index]
            var tile = [Point]()
            for j in 0..<spec.horizon {
                let forecast = Double(scaler.invert(checked.forecasts[index * spec.horizon + j]))
                let target = start + spec.window + j
                tile.append(Point(hour: buffer.hours[target], actual: buffer.values[target], forecast: forecast,
                                  lower: forecast + Double(snapshot.lowerOffsets[j]), upper: forecast + Double(snapshot.upperOffsets[j])))
            }
            points.insert(contentsOf: tile, at: 0)
            index -= spec.horizon
        }
        if points.count > hours { points.removeFirst(points.count - hours) }

        return OnlineReport(
            service: name, snapshot: snapshot, validationWindows: validationStarts.count, validationMSE: checked.mse,
            normality: try NormalityReport(residuals: checked.residuals), interval: try ResidualInterval(residuals: raw, coverage: 0.9),
            bandCoverage: Double(inside) / Double(max(1, raw.count)), points: points)
    }

    /// The figures as one JSON object (p-values null where a test does not apply).
    public var json: JSONValue {
        let normality = JSONValue.parse(Array(self.normality.json().utf8)) ?? .null
        return .object([
            "service": .string(service), "snapshot": snapshot.json,
            "validation_windows": .int(validationWindows), "validation_mse": .double(validationMSE),
            "recorded_validation_mse": .double(snapshot.validationMSE),
            "p_values": .object([
                "shapiro_wilk": self.normality.shapiroWilk.map { .double($0.pValue) } ?? .null,
                "anderson_darling": self.normality.andersonDarling.map { .double($0.pValue) } ?? .null,
                "dagostino_pearson": self.normality.dAgostinoPearson.map { .double($0.pValue) } ?? .null,
            ]),
            "normality": normality,
            "interval": .object(["coverage": .double(interval.coverage), "lower_offset": .double(interval.lowerOffset),
                                 "upper_offset": .double(interval.upperOffset)]),
            "band_coverage": .double(bandCoverage),
            "points": .int(points.count),
            "first_hour": points.first.map { .string(SnapshotEntry.iso($0.hour)) } ?? .null,
            "last_hour": points.last.map { .string(SnapshotEntry.iso($0.hour)) } ?? .null,
        ])
    }
}
