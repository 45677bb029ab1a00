import Prometheus

/// Online-learning figures on the REST API's Prometheus registry (`GET /metrics`). Label values
/// come from closed sets (drop reasons, outcomes) and from declared service names.
///
/// - `mledger_ol_dropped_total{service, reason}`: messages or readings dropped (`DropReason`);
/// - `mledger_ol_readings_total{service}`: readings accepted by the transformer;
/// - `mledger_ol_hours_total{service}`: hourly means closed; `mledger_ol_gap_hours_total{service}`: hours missing;
/// - `mledger_ol_training_steps_total{service}`, `mledger_ol_training_coalesced_total{service}`:
///   steps run, and step requests merged into a pending one because training lagged;
/// - `mledger_ol_snapshots_total{service, outcome}`: snapshots anchored (`anchored`) or failed (`failed`).
public final class OnlineMetrics: Sendable {
    let registry: PrometheusCollectorRegistry

    public init(registry: PrometheusCollectorRegistry) { self.registry = registry }

    private static let dropped = MetricNameDescriptor(metricName: "mledger_ol_dropped", unitName: "total",
                                                      helpText: "Online-learning messages or readings dropped, by reason")
    private static let readings = MetricNameDescriptor(metricName: "mledger_ol_readings", unitName: "total",
                                                       helpText: "Readings accepted by the transformer")
    private static let hours = MetricNameDescriptor(metricName: "mledger_ol_hours", unitName: "total", helpText: "Hourly means closed")
    private static let gaps = MetricNameDescriptor(metricName: "mledger_ol_gap_hours", unitName: "total", helpText: "Hours with no readings")
    private static let steps = MetricNameDescriptor(metricName: "mledger_ol_training_steps", unitName: "total", helpText: "Training steps run")
    private static let coalesced = MetricNameDescriptor(metricName: "mledger_ol_training_coalesced", unitName: "total",
                                                        helpText: "Training requests merged into a pending one because training lagged")
    private static let snapshots = MetricNameDescriptor(metricName: "mledger_ol_snapshots", unitName: "total",
                                                        helpText: "Snapshots anchored or failed")

    func drop(_ service: String, _ reason: DropReason, _ count: Int) {
        guard count > 0 else { return }
        registry.makeCounter(descriptor: Self.dropped, labels: [("service", service), ("reason", reason.rawValue)]).increment(by: Int64(count))
    }

    func accepted(_ service: String, _ count: Int) {
        guard count > 0 else { return }
        registry.makeCounter(descriptor: Self.readings, labels: [("service", service)]).increment(by: Int64(count))
    }

    func closed(_ service: String, hours: Int, gapHours: Int64) {
        if hours > 0 { registry.makeCounter(descriptor: Self.hours, labels: [("service", service)]).increment(by: Int64(hours)) }
        if gapHours > 0 { registry.makeCounter(descriptor: Self.gaps, labels: [("service", service)]).increment(by: gapHours) }
    }

    func trainingStep(_ service: String) { registry.makeCounter(descriptor: Self.steps, labels: [("service", service)]).increment() }
    func coalescedStep(_ service: String) { registry.makeCounter(descriptor: Self.coalesced, labels: [("service", service)]).increment() }
    func snapshot(_ service: String, anchored: Bool) {
        registry.makeCounter(descriptor: Self.snapshots, labels: [("service", service), ("outcome", anchored ? "anchored" : "failed")]).increment()
    }
}
