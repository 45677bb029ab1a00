import ArgumentParser
import Chain
import Foundation
import LedgerClient
import ServiceLifecycle
import Verification
import ModelSharing
import ObjectStore
import Registry
import Logging
import Node
import OnlineLearning
import RPC
import Training
import Translation
import Auth

/// `mledger run`: the node with its JSON-RPC server (HTTP and WebSocket on one port) and, when a
/// passphrase is at hand, the REST API (model sharing and verification) on `--api-addr`.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run the node and its JSON-RPC server until SIGTERM or SIGINT.")

    @Option(help: "Data directory created by `mledger init`.")
    var datadir: String?

    @Flag(help: "Use a throw-away data directory initialised from genesis/dev.json (development keys only).")
    var dev = false

    @Option(help: "Genesis file for --dev.")
    var genesis: String = "genesis/dev.json"

    @Option(name: .customLong("rpc-addr"), help: "JSON-RPC listen address HOST:PORT.")
    var rpcAddress: String = "127.0.0.1:8545"

    @Option(name: .customLong("api-addr"), help: "Service REST API listen address HOST:PORT.")
    var apiAddress: String = "127.0.0.1:8080"

    @Option(name: .customLong("max-upload-bytes"), help: "Largest model-sharing upload (a whole multipart request body).")
    var maxUploadBytes: Int64 = 10 << 30

    @Option(help: "Sealing mode: instant or interval.")
    var seal: String = "instant"

    @Option(name: .customLong("block-time"), help: "Block interval in milliseconds for --seal interval.")
    var blockTime: UInt64 = 1_000

    @Flag(name: .customLong("empty-blocks"), help: "With --seal interval, seal a block even when no transaction waits.")
    var emptyBlocks = false

    // Training service (Sources/Training).
    @Option(name: .customLong("train-workers"), help: "Training jobs run at the same time.")
    var trainWorkers = 1
    @Option(name: .customLong("train-threads"), help: "Kernel threads per built-in training job (weights do not depend on it).")
    var trainThreads = ProcessInfo.processInfo.activeProcessorCount
    @Option(name: .customLong("train-timeout"), help: "Seconds a process or container training job may run before it is killed.")
    var trainTimeout: Double = 3600
    @Option(name: .customLong("container-command"),
            help: "Command template for OCI train images: {image}, {workdir}, {seed} (e.g. 'podman run --rm -v {workdir}:/work -w /work {image}').")
    var containerCommand: String?
    @Flag(name: .customLong("train-autostart"), inversion: .prefixedNo,
          help: "Queue training at once for models registered with a built-in train_image (energy-gru, sequential).")
    var trainAutoStart = true
    // Auth: --auth, --oidc-*, --company-claim, --rpc-auth, --rpc-debug, --audit-log, --rate-limit, --company-quota-bytes.
    @OptionGroup var access: AuthOptions
    // Online learning: services declared by JSON files (see Sources/OnlineLearning/README.md).
    @Option(name: .customLong("ol"), help: "Online-learning service declaration (JSON file); repeatable.")
    var onlineLearning: [String] = []
    // End of online learning options.

    func validate() throws {
        guard dev || datadir != nil else { throw ValidationError("give --datadir DIR or --dev") }
        guard seal == "instant" || seal == "interval" else { throw ValidationError("--seal must be instant or interval") }
        guard blockTime > 0 else { throw ValidationError("--block-time must be positive") }
        guard maxUploadBytes > 0 else { throw ValidationError("--max-upload-bytes must be positive") }
        guard trainWorkers >= 1, trainThreads >= 1, trainTimeout > 0 else {
            throw ValidationError("--train-workers, --train-threads and --train-timeout must be positive")
        }
        _ = try Self.hostAndPort(rpcAddress, option: "--rpc-addr")
        _ = try Self.hostAndPort(apiAddress, option: "--api-addr")
    }

    func run() async throws {
        var logger = Logger(label: "mledger")
        logger.logLevel = .info
        let directory: String
        if dev {
            directory = NSTemporaryDirectory() + "mledger-dev-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
            do {
                let (database, _, _) = try ChainDatabase.initialize(dataDirectory: directory, genesisPath: Self.locate(genesis))
                database.store.close()
            } catch {
                throw CommandFailure("--dev: \(error)")
            }
            logger.info("development chain in \(directory) (throw-away; dev keys are public)")
        } else {
            directory = datadir ?? "."
        }
        defer { if dev { try? FileManager.default.removeItem(atPath: directory) } }
        let (host, port) = try Self.hostAndPort(rpcAddress, option: "--rpc-addr")
        let mode: SealingMode = seal == "instant" ? .instant : .interval(milliseconds: blockTime, emptyBlocks: emptyBlocks)
        try AuthOptions.checkSecretFiles(dataDirectory: directory)
        let passphrase = servicePassphrase(logger: logger)
        let rpcConfiguration = try await access.rpcConfiguration(rpcHost: host, dataDirectory: directory, passphrase: passphrase,
                                                                 dev: dev, logger: logger)
        let node: LedgerNode
        do {
            node = try LedgerNode(dataDirectory: directory, rpc: rpcConfiguration, sealing: mode)
        } catch {
            throw CommandFailure("\(error)")
        }
        logger.info("chain \(node.genesis.config.chainId) at block \(node.database.head?.number ?? 0), \(node.pool.count) pooled transactions restored")
        if node.sealer != nil {
            let sealerAddress = (try? node.genesis.sealer)?.description ?? "?"
            logger.info("sealing \(seal == "instant" ? "instantly" : "every \(blockTime) ms") as \(sealerAddress)")
        }
        let readyLogger = logger
        var services = [any Service]()
        if let passphrase {
            let (apiHost, apiPort) = try Self.hostAndPort(apiAddress, option: "--api-addr")
            let keyring = try CompanyKeyring(dataDirectory: URL(fileURLWithPath: directory), passphrase: passphrase,
                                             cost: dev ? .light : .standard)
            // One REST application: model sharing (registry and objects in the data directory)
            // with the verification routes beside it, sharing one sender per company account.
            let root = URL(fileURLWithPath: directory)
            let registry: Registry
            do { registry = try Registry(dataDirectory: root) } catch { throw CommandFailure("registry: \(error)") }
            // Files under <datadir>/objects unless MLEDGER_S3_* names an S3 server (ObjectStore's rule).
            let objects: ObjectStoreConfiguration
            let store: any ObjectStore
            do {
                objects = try ObjectStoreConfiguration.fromEnvironment()
                // Per-company S3 keys are sealed under the node passphrase, like the company keys.
                store = try objects.makeStore(dataDirectory: directory, secrets: SecretBox(passphrase: passphrase, cost: dev ? .light : .standard))
            } catch { throw CommandFailure("object store: \(error)") }
            logger.info("model sharing: \(objects)")
            var sharing = ModelSharingService(
                verification: try VerificationService(client: node.makeClient(), keyring: keyring, registry: registry), registry: registry,
                store: store,
                configuration: ModelSharingConfiguration(maxUploadBytes: maxUploadBytes), logger: logger)
            // Access first: the services below take copies of `sharing`.
            sharing.access = try await access.restAccess(apiHost: apiHost, dataDirectory: directory, passphrase: passphrase,
                                                         dev: dev, logger: logger)
            // Translation: POST /model imports .onnx and .pt files through the ONNX module's importer.
            sharing.importChecker = ModelImportChecker()
            var trainingSettings = TrainingConfiguration()
            trainingSettings.workers = trainWorkers
            trainingSettings.threads = trainThreads
            trainingSettings.processTimeoutSeconds = trainTimeout
            trainingSettings.containerCommand = containerCommand
            trainingSettings.mledgerVersion = MLedgerCommand.version
            trainingSettings.autoStart = trainAutoStart
            trainingSettings.checkpointRoot = root.appendingPathComponent("training-checkpoints")
            let training = TrainingService(sharing: sharing, configuration: trainingSettings, logger: logger)
            do { try await training.start() } catch { throw CommandFailure("training: \(error)") }
            // Online learning: its services keep state under <datadir>/online-learning and add routes.
            let onlineLearning = OnlineLearningHub(dataDirectory: root, sharing: sharing, logger: logger,
                                                   explainer: DeepLIFTForecastExplainer(), diagnostics: NormalityResidualDiagnostics(),
                                                   streams: StreamSourceConnector(logger: logger))
            do { try await onlineLearning.start(declarations: try OnlineLearningHub.declarations(files: self.onlineLearning)) } catch {
                throw CommandFailure("online learning: \(error)")
            }
            // Services built on model sharing add their routes here.
            let extraRoutes: [any SharingRouteProvider] = [
                training,  // /train
                TranslationRoutes(sharing: sharing, mledgerVersion: MLedgerCommand.version),  // POST /translate/{id}
                OnlineLearningRoutes(hub: onlineLearning),  // /ol, KServe /v1 and /v2
            ]
            services.append(try await ModelSharingService.makeApplication(
                service: sharing, extraRoutes: extraRoutes, host: apiHost, port: apiPort, logger: logger) { boundPort in
                readyLogger.info("REST API listening on http://\(apiHost):\(boundPort)")
            })
        }
        try await node.run(host: host, port: port, logger: logger, services: services) { boundPort in
            readyLogger.info("JSON-RPC listening on http://\(host):\(boundPort) (WebSocket on the same port)")
        }
    }

    /// The node passphrase the REST services sign with (company keys): MLEDGER_PASSPHRASE or
    /// the file MLEDGER_PASSPHRASE_FILE names; on a --dev chain without one, the public dev
    /// passphrase. Without a passphrase the REST API stays off (it could not sign).
    func servicePassphrase(logger: Logger) -> String? {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["MLEDGER_PASSPHRASE_FILE"], let line = try? readPassphrase(file: path) { return line }
        if let value = environment["MLEDGER_PASSPHRASE"], !value.isEmpty { return value }
        if dev {
            logger.info("REST API: company keys of this throw-away chain use the public dev passphrase \"mledger dev\"")
            return "mledger dev"
        }
        logger.warning("REST API off: it signs with company keys and needs the node passphrase (MLEDGER_PASSPHRASE or MLEDGER_PASSPHRASE_FILE)")
        return nil
    }

    /// `path` as given when it exists; otherwise, for a relative path, the same path under the
    /// checkout the binary was built in (`.build/<config>/mledger` → `../../`), so
    /// `mledger run --dev` works from any directory.
    static func locate(_ path: String) -> String {
        guard !FileManager.default.fileExists(atPath: path), !path.hasPrefix("/") else { return path }
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = executable.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent(path).path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return path
    }

    static func hostAndPort(_ text: String, option: String) throws -> (String, Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (0...65_535).contains(port), colon != text.startIndex else {
            throw ValidationError("\(option) must be HOST:PORT, got \(text)")
        }
        return (String(text[..<colon]), port)
    }
}
