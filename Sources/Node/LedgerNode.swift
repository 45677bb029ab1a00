import Chain
import LedgerCrypto
import Foundation
import Hummingbird
import LedgerClient
import Logging
import Primitives
import RPC
import ServiceLifecycle

/// Why the node could not start.
public enum LedgerNodeError: Error, CustomStringConvertible {
    case notInitialized(dataDirectory: String)
    case open(String)

    public var description: String {
        switch self {
        case .notInitialized(let directory):
            return "no chain in \(directory): run `mledger init --genesis FILE --datadir \(directory)` first"
        case .open(let reason): return "cannot open the node: \(reason)"
        }
    }
}

/// The node's composition root: the chain database, the transaction pool (journaled under
/// the data directory), the EVM block executor and the sealer, the RPC dispatcher and event
/// hub. `run` serves JSON-RPC (and any extra services, such as the REST API) in a service
/// group that shuts down gracefully on SIGTERM and SIGINT.
public final class LedgerNode: @unchecked Sendable {
    public let dataDirectory: String
    public let database: ChainDatabase
    public let genesis: Genesis
    public let pool: TransactionPool
    public let hub: RPCEventHub
    public let backend: ChainNodeBackend
    public let dispatcher: RPCDispatcher
    /// Nil when the node has no sealer key (see `init`): it then serves RPC and admits
    /// transactions to the pool, but seals nothing.
    public let sealer: SealerService?
    /// State reads and execution for RPC and in-process clients.
    public let state: NodeStateBackend

    /// Opens an initialised data directory.
    ///
    /// - Parameter sealerKey: the key that signs blocks; it must belong to the sealer that
    ///   genesis names. When nil, the node uses the public development sealer key if genesis
    ///   names the development sealer (genesis/dev.json), otherwise the keystore file of the
    ///   sealer address under `DIR/keystore`, decrypted with the node passphrase
    ///   (`MLEDGER_PASSPHRASE` or the file named by `MLEDGER_PASSPHRASE_FILE`). Without any of
    ///   these the node does not seal.
    public init(dataDirectory: String, rpc configuration: RPCConfiguration = RPCConfiguration(),
                sealing: SealingMode = .instant, sealerKey: [UInt8]? = nil, durable: Bool = true) throws {
        self.dataDirectory = dataDirectory
        let chainPath = ChainDatabase.chainPath(dataDirectory: dataDirectory)
        guard FileManager.default.fileExists(atPath: chainPath) else {
            throw LedgerNodeError.notInitialized(dataDirectory: dataDirectory)
        }
        // `durable: false` (benchmarks that build long chains only) skips the fsync of each
        // block's batch: a crash may then lose the newest blocks, never mix them.
        database = try ChainDatabase.open(path: chainPath, sync: durable)
        guard database.head != nil, let genesis = try database.storedGenesis() else {
            database.store.close()
            throw LedgerNodeError.notInitialized(dataDirectory: dataDirectory)
        }
        self.genesis = genesis
        let journal = URL(fileURLWithPath: dataDirectory).appendingPathComponent("txpool.journal").path
        pool = try TransactionPool(
            config: TransactionPoolConfig(chainId: genesis.config.chainId, blockGasLimit: genesis.gasLimit,
                                          journalPath: journal),
            state: ChainStateReader(database: database))
        hub = RPCEventHub()
        backend = ChainNodeBackend(database: database, pool: pool, chainId: genesis.config.chainId,
                                   coinbase: (try? genesis.sealer) ?? .zero)
        state = NodeStateBackend(database: database, pool: pool, chainId: genesis.config.chainId)
        dispatcher = RPCDispatcher(node: backend, state: state, hub: hub, configuration: configuration)
        let hub = self.hub
        pool.addObserver { transactions in hub.publish(.pendingTransactions(transactions.map(\.hash))) }
        let sealerAddress = try genesis.sealer
        if let key = try sealerKey ?? Self.findSealerKey(dataDirectory: dataDirectory, sealer: sealerAddress) {
            guard (try? Secp256k1.address(ofPrivateKey: key)) == sealerAddress else {
                database.store.close()
                throw LedgerNodeError.open("the sealer key does not belong to the genesis sealer \(sealerAddress)")
            }
            let executor = EVMBlockExecutor(database: database, chainId: genesis.config.chainId)
            let sealer = SealerService(database: database, pool: pool, executor: executor, sealerKey: key,
                                       mode: sealing, coinbase: sealerAddress)
            sealer.setBlockHandler { block, receipts in hub.publishBlock(block, receipts: receipts) }
            self.sealer = sealer
        } else {
            sealer = nil
        }
    }

    /// Serves JSON-RPC on `host:port` until SIGTERM or SIGINT (or the task is cancelled),
    /// then stops the sealer and closes the pool journal and the database.
    public func run(host: String, port: Int, logger: Logger, services: [any Service] = [],
                    onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let application = RPCServer.makeApplication(dispatcher: dispatcher, host: host, port: port, logger: logger,
                                                    onListening: onListening)
        if sealer == nil {
            logger.warning("no sealer key for \((try? genesis.sealer)?.description ?? "the genesis sealer"): sealing is off; the node serves JSON-RPC and admits transactions to the pool")
        }
        sealer?.setErrorHandler { error in logger.error("sealing failed: \(error)") }
        sealer?.start()
        defer { close() }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [application] + services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    /// The sealer key when `dataDirectory` can provide one (see `init`).
    static func findSealerKey(dataDirectory: String, sealer: Address) throws -> [UInt8]? {
        if sealer == (try? DevelopmentAccounts.sealerAddress) { return DevelopmentAccounts.sealerKey }
        let keystore = URL(fileURLWithPath: dataDirectory).appendingPathComponent("keystore")
        let suffix = "--" + Hex.encode(sealer.bytes, prefix: false)
        guard let file = (try? FileManager.default.contentsOfDirectory(atPath: keystore.path))?
            .first(where: { $0.lowercased().hasSuffix(suffix) }) else { return nil }
        let environment = ProcessInfo.processInfo.environment
        var passphrase = environment["MLEDGER_PASSPHRASE"]
        if let path = environment["MLEDGER_PASSPHRASE_FILE"], let text = try? String(contentsOfFile: path, encoding: .utf8) {
            passphrase = text.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init)
        }
        guard let passphrase, !passphrase.isEmpty else {
            throw LedgerNodeError.open("the sealer key \(file) needs the node passphrase: set MLEDGER_PASSPHRASE or MLEDGER_PASSPHRASE_FILE")
        }
        do {
            return try Keystore.decrypt(fileAt: keystore.appendingPathComponent(file), passphrase: passphrase).privateKey
        } catch {
            throw LedgerNodeError.open("cannot decrypt the sealer key \(file): \(error)")
        }
    }

    /// Stops sealing and closes the pool journal and database (idempotent enough for exit).
    public func close() {
        sealer?.stop()
        try? pool.close()
        database.store.close()
    }
}

extension LedgerNode {
    /// The in-process `LedgerClient` for native service modules.
    public func makeClient() -> InProcessLedgerClient {
        InProcessLedgerClient(node: backend, state: state, hub: hub)
    }
}
