import Chain
import Foundation
import Hummingbird
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
/// the data directory), the RPC dispatcher and event hub, and, once block execution exists,
/// the sealer. `run` serves JSON-RPC as a service in a service group that shuts down
/// gracefully on SIGTERM and SIGINT.
public final class LedgerNode: @unchecked Sendable {
    public let dataDirectory: String
    public let database: ChainDatabase
    public let genesis: Genesis
    public let pool: TransactionPool
    public let hub: RPCEventHub
    public let backend: ChainNodeBackend
    public let dispatcher: RPCDispatcher
    /// Nil until an executor is given (the EVM adapter): the node then serves read-only
    /// RPC and admits transactions to the pool, but seals nothing.
    public let sealer: SealerService?

    /// Opens an initialised data directory.
    public init(dataDirectory: String, rpc configuration: RPCConfiguration = RPCConfiguration(),
                executor: (any BlockExecutor)? = nil, sealerKey: [UInt8]? = nil,
                sealing: SealingMode = .instant) throws {
        self.dataDirectory = dataDirectory
        let chainPath = ChainDatabase.chainPath(dataDirectory: dataDirectory)
        guard FileManager.default.fileExists(atPath: chainPath) else {
            throw LedgerNodeError.notInitialized(dataDirectory: dataDirectory)
        }
        database = try ChainDatabase.open(path: chainPath, sync: true)
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
        // State reads come from the committed tries; code execution waits for the EVM.
        dispatcher = RPCDispatcher(node: backend, state: TrieStateBackend(database: database, pool: pool), hub: hub,
                                   configuration: configuration)
        let hub = self.hub
        pool.addObserver { transactions in hub.publish(.pendingTransactions(transactions.map(\.hash))) }
        if let executor, let sealerKey {
            let sealer = SealerService(database: database, pool: pool, executor: executor, sealerKey: sealerKey,
                                       mode: sealing, coinbase: (try? genesis.sealer) ?? .zero)
            sealer.setBlockHandler { block, receipts in hub.publishBlock(block, receipts: receipts) }
            self.sealer = sealer
        } else {
            sealer = nil
        }
    }

    /// Serves JSON-RPC on `host:port` until SIGTERM or SIGINT (or the task is cancelled),
    /// then stops the sealer and closes the pool journal and the database.
    public func run(host: String, port: Int, logger: Logger,
                    onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let application = RPCServer.makeApplication(dispatcher: dispatcher, host: host, port: port, logger: logger,
                                                    onListening: onListening)
        if sealer == nil {
            logger.warning("block execution not available yet: sealing is off; the node serves read-only JSON-RPC and admits transactions to the pool")
        }
        sealer?.start()
        defer { close() }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [application], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    /// Stops sealing and closes the pool journal and database (idempotent enough for exit).
    public func close() {
        sealer?.stop()
        try? pool.close()
        database.store.close()
    }
}
