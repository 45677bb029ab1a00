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
/// source that fails is reopened after a backoff (1 s doubling to 30 s); MQTT sessions are
/// persistent, so QoS 1 messages published meanwhile arrive after the reconnect.
public actor StreamSourceConnector: StreamConnector {
    private var running: [String: [Task<Void, Never>]] = [:]
    private let logger: Logger

    public init(logger: Logger) { self.logger = logger }

    public func connect(_ service: OnlineLearningService) async {
        let name = service.spec.name
        for source in service.spec.sources where source != "http" {
            let logger = logger
            let task = Task {
                var backoff: UInt64 = 1
                while !Task.isCancelled {
                    do {
                        let resume = await service.lastPosition(source: source).map { UInt64(max(0, $0)) }
                        for try await message in try StreamSources.messages(from: source, resumeAfter: resume) {
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

    public func disconnect(_ service: OnlineLearningService) async {
        for task in running.removeValue(forKey: service.spec.name) ?? [] { task.cancel() }
    }
}
