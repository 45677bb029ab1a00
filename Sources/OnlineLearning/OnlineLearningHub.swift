import Foundation
import Logging
import ML
import ModelSharing
import Primitives

/// Seam for DeepLIFT (or any attribution method): attributions of one scaled input window,
/// `[horizon][window]`, for the served network. Plugged into `OnlineLearningHub.explainer`.
public protocol ForecastExplainer: Sendable {
    func explain(model: EnergyForecaster, scaledWindow: [Float], baseline: [Float]?) throws -> [[Float]]
}

/// Seam for normality diagnostics of the serving snapshot's validation residuals (scaled
/// units): a JSON object of test results. Plugged into `OnlineLearningHub.diagnostics`.
public protocol ResidualDiagnostics: Sendable {
    func diagnose(residuals: [Double]) throws -> JSONValue
}

/// Seam for the stream layer: told when a service starts (connect its `mqtt://`/`kafka://`
/// sources, resuming after `lastPosition(source:)`) and when it is removed.
public protocol StreamConnector: Sendable {
    func connect(_ service: OnlineLearningService) async
    func disconnect(_ service: OnlineLearningService) async
}

/// Every online-learning service of a node, kept under `<datadir>/online-learning/` and started
/// again with the node.
public actor OnlineLearningHub {
    public nonisolated let root: URL
    nonisolated let sharing: ModelSharingService
    nonisolated let metrics: OnlineMetrics
    nonisolated let logger: Logger
    public nonisolated let explainer: (any ForecastExplainer)?
    public nonisolated let diagnostics: (any ResidualDiagnostics)?
    public nonisolated let streams: (any StreamConnector)?
    private var services: [String: OnlineLearningService] = [:]
    /// Snapshot of `services` readable without entering the actor (the inference path).
    nonisolated let directory = ServiceDirectory()

    public init(dataDirectory: URL, sharing: ModelSharingService, logger: Logger, explainer: (any ForecastExplainer)? = nil,
                diagnostics: (any ResidualDiagnostics)? = nil, streams: (any StreamConnector)? = nil) {
        root = dataDirectory.appendingPathComponent("online-learning", isDirectory: true)
        self.sharing = sharing
        metrics = OnlineMetrics(registry: sharing.metrics.registry)
        self.logger = logger
        self.explainer = explainer
        self.diagnostics = diagnostics
        self.streams = streams
    }

    /// Starts the services declared by earlier runs (`POST /ol`), then those of `declarations`
    /// (`--ol` files), which replace a stored declaration of the same name but keep its state.
    public func start(declarations: [OnlineServiceSpec]) async throws {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        for name in names.sorted() where OnlineServiceSpec.isValidName(name) {
            let files = ServiceFiles(root: root, name: name)
            guard !declarations.contains(where: { $0.name == name }), let spec = try files.readSpec() else { continue }
            try await launch(spec)
        }
        for spec in declarations { try await launch(spec) }
    }

    /// Declares and starts a service; a name in use is a 409 unless `replace`.
    @discardableResult
    public func declare(_ spec: OnlineServiceSpec) async throws -> OnlineLearningService {
        guard services[spec.name] == nil else { throw OnlineLearningError(status: 409, "online-learning service \(spec.name) exists", field: "name") }
        guard !FileManager.default.fileExists(atPath: ServiceFiles(root: root, name: spec.name).directory.path) else {
            throw OnlineLearningError(status: 409, "online-learning service \(spec.name) has state on disk", field: "name")
        }
        _ = try sharing.companyAddress(company: spec.company)
        return try await launch(spec)
    }

    @discardableResult
    private func launch(_ spec: OnlineServiceSpec) async throws -> OnlineLearningService {
        let files = ServiceFiles(root: root, name: spec.name)
        try files.create()
        let service = try OnlineLearningService(spec: spec, files: files, sharing: sharing, metrics: metrics, logger: logger)
        do { try await service.start() } catch {
            if services[spec.name] == nil, (try? files.readState()) == nil { try? files.remove() }
            throw error
        }
        try files.writeSpec(spec)
        services[spec.name] = service
        directory.set(services)
        await streams?.connect(service)
        logger.info("online learning: service \(spec.name) started (sources: \(spec.sources.joined(separator: ", ")))")
        return service
    }

    /// Stops a service and deletes its state (its anchored snapshots stay on chain and listed).
    public func remove(_ name: String) async throws {
        guard let service = services.removeValue(forKey: name) else { throw OnlineLearningError(status: 404, "no online-learning service \(name)") }
        directory.set(services)
        await streams?.disconnect(service)
        await service.stop()
        try service.files.remove()
    }

    /// Stops every service (state written).
    public func stopAll() async {
        for service in services.values { await service.stop() }
    }

    public nonisolated func service(_ name: String) -> OnlineLearningService? { directory.get(name) }

    public nonisolated var all: [OnlineLearningService] { directory.all }
}

/// Name → service, behind a lock, for readers that must not wait on the hub's actor.
final class ServiceDirectory: @unchecked Sendable {
    private let lock = NSLock()
    private var services: [String: OnlineLearningService] = [:]
    func set(_ value: [String: OnlineLearningService]) { lock.withLock { services = value } }
    func get(_ name: String) -> OnlineLearningService? { lock.withLock { services[name] } }
    var all: [OnlineLearningService] { lock.withLock { services.keys.sorted().compactMap { services[$0] } } }
}

extension OnlineLearningHub {
    /// Reads `--ol` declaration files (each must name its `organization_id`).
    public static func declarations(files: [String]) throws -> [OnlineServiceSpec] {
        var specs = [OnlineServiceSpec]()
        for path in files {
            guard let data = FileManager.default.contents(atPath: path) else { throw OnlineLearningError(status: 400, "cannot read \(path)") }
            guard let json = JSONValue.parse(Array(data)) else { throw OnlineLearningError(status: 400, "\(path) is not JSON") }
            let spec: OnlineServiceSpec
            do { spec = try OnlineServiceSpec(json: json) } catch { throw OnlineLearningError(status: 400, "\(path): \(error)") }
            guard !specs.contains(where: { $0.name == spec.name }) else { throw OnlineLearningError(status: 400, "\(path): service \(spec.name) declared twice") }
            specs.append(spec)
        }
        return specs
    }
}
