import Diagnostics
import Foundation
import Logging
import ML
import Primitives
import StreamSources

/// DeepLIFT (ML/Explain, rescale rule, zero baseline unless given) as the services' explainer:
/// for each forecast hour, the attribution of every input hour, in scaled units. Each row sums
/// to that hour's output change from the baseline (summation-to-delta).
public struct DeepLIFTForecastExplainer: ForecastExplainer {
    public init() {}

    public func explain(model: EnergyForecaster, scaledWindow: [Float], baseline: [Float]?) throws -> [[Float]] {
        // One copy of the weights for all 24 targets (the explainer must not touch the replica).
        let explainer = DeepLIFTGRUForecaster(model)
        return try (0..<EnergyForecaster.horizon).map { hour in
            try explainer.explain(window: scaledWindow, baseline: baseline, target: .output(hour)).attributions.map { Float($0) }
        }
    }
}

/// Shapiro–Wilk, Anderson–Darling and D'Agostino–Pearson (the Diagnostics module, checked
/// against scipy/statsmodels) on the serving snapshot's validation residuals.
public struct NormalityResidualDiagnostics: ResidualDiagnostics {
    public init() {}

    public func diagnose(residuals: [Double]) throws -> JSONValue {
        let report = try NormalityReport(residuals: residuals)
        return try JSONValue(parsing: Array(report.json().utf8))
    }
}

/// Connects each service's `mqtt://` and `kafka://` sources (StreamSources) and feeds their
/// messages to `ingest`, resuming a Kafka source after the service's recorded position. A
/// source that fails is reopened after a backoff (1 s doubling to 30 s). An `mqtt://` source at
/// QoS 1 that names no `client_id` (and no `clean=`) gets the persistent session
/// `mledger-ol-<service>[-<n>]`, so QoS 1 messages published while the service was away (a broker
/// restart, a reconnect, a node restart) arrive when it is back; `client_id=` chooses another,
/// `clean=true` opts out.
public actor StreamSourceConnector: StreamConnector {
    private var running: [String: [Task<Void, Never>]] = [:]
    private let logger: Logger

    public init(logger: Logger) { self.logger = logger }

    public func connect(_ service: OnlineLearningService) async {
        let name = service.spec.name
        for (index, source) in service.spec.sources.enumerated() where source != "http" {
            let logger = logger
            let url = Self.withPersistentSession(source, clientID: index == 0 ? "mledger-ol-\(name)" : "mledger-ol-\(name)-\(index)")
            let task = Task {
                var backoff: UInt64 = 1
                while !Task.isCancelled {
                    do {
                        let resume = await service.lastPosition(source: source).map { UInt64(max(0, $0)) }
                        for try await message in try StreamSources.messages(from: url, resumeAfter: resume) {
                            await service.ingest(payload: message.payload, source: source, position: message.position.map { Int64($0) })
                            backoff = 1
                        }
                    } catch {
                        if Task.isCancelled { break }
                        logger.warning("online learning: \(name): source \(source) failed (\(error)); reconnecting in \(backoff) s")
                    }
                    try? await Task.sleep(nanoseconds: backoff * 1_000_000_000)
                    backoff = min(30, backoff * 2)
                }
            }
            running[name, default: []].append(task)
        }
    }

    /// `source` with `client_id` added when it is an MQTT source at QoS 1 without `client_id` or
    /// `clean` (a fixed id makes the session persistent); any other source unchanged.
    static func withPersistentSession(_ source: String, clientID: String) -> String {
        guard source.hasPrefix("mqtt://") || source.hasPrefix("mqtts://"), var components = URLComponents(string: source) else { return source }
        let items = components.queryItems ?? []
        guard !items.contains(where: { $0.name == "client_id" || $0.name == "clean" }),
              items.first(where: { $0.name == "qos" })?.value ?? "1" != "0" else { return source }
        components.queryItems = items + [URLQueryItem(name: "client_id", value: clientID)]
        return components.string ?? source
    }

    public func disconnect(_ service: OnlineLearningService) async {
        for task in running.removeValue(forKey: service.spec.name) ?? [] { task.cancel() }
    }
}
