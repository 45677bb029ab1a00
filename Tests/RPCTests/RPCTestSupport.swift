import Chain
import Foundation
import Primitives
import RPC
import Storage

/// Shared helpers: an in-memory node on the dev genesis, calls through the dispatcher and
/// signed dev-account transactions.
enum RPCTestSupport {
    /// genesis/dev.json of this checkout.
    static var devGenesisPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("genesis/dev.json").path
    }

    static func devGenesis() throws -> Genesis {
        guard let data = FileManager.default.contents(atPath: devGenesisPath) else {
            throw GenesisError.unreadableFile(path: devGenesisPath, reason: "missing")
        }
        return try Genesis(json: [UInt8](data))
    }

    /// Stand-in account state for the pool: the dev genesis balances, nonces 0.
    final class GenesisState: PoolStateReader, @unchecked Sendable {
        let genesis: Genesis
        init(genesis: Genesis) { self.genesis = genesis }
        func nonce(of address: Address) -> UInt64 { genesis.alloc[address]?.nonce ?? 0 }
        func balance(of address: Address) -> UInt256 { genesis.alloc[address]?.balance ?? .zero }
    }

    struct Node {
        let backend: ChainNodeBackend
        let dispatcher: RPCDispatcher
        let hub: RPCEventHub
        let genesisBlock: Block
        let genesis: Genesis
    }

    /// A node over an in-memory database initialised from the dev genesis.
    static func memoryNode(configuration: RPCConfiguration = RPCConfiguration()) throws -> Node {
        let genesis = try devGenesis()
        let (block, nodes) = try genesis.block()
        let database = try ChainDatabase(store: MemoryStore())
        try database.initialize(genesis: block, stateNodes: nodes, document: [UInt8](FileManager.default.contents(atPath: devGenesisPath) ?? Data()))
        let pool = try TransactionPool(config: TransactionPoolConfig(chainId: genesis.config.chainId, blockGasLimit: genesis.gasLimit),
                                       state: GenesisState(genesis: genesis))
        let backend = ChainNodeBackend(database: database, pool: pool, chainId: genesis.config.chainId,
                                       coinbase: try genesis.sealer)
        let hub = RPCEventHub()
        pool.addObserver { transactions in hub.publish(.pendingTransactions(transactions.map(\.hash))) }
        return Node(backend: backend, dispatcher: RPCDispatcher(node: backend, hub: hub, configuration: configuration),
                    hub: hub, genesisBlock: block, genesis: genesis)
    }

    /// Sends `body` and parses the reply (nil for no reply).
    static func send(_ dispatcher: RPCDispatcher, _ body: String) -> JSONValue? {
        dispatcher.handle(body: Array(body.utf8)).flatMap { JSONValue.parse(Array($0.utf8)) }
    }

    static func call(_ dispatcher: RPCDispatcher, _ method: String, _ params: String = "[]") -> JSONValue? {
        send(dispatcher, #"{"jsonrpc":"2.0","id":1,"method":"\#(method)","params":\#(params)}"#)
    }

    static func errorCode(_ reply: JSONValue?) -> Int64? {
        reply?["error"]?["code"]?.integerValue
    }

    static func errorMessage(_ reply: JSONValue?) -> String? { reply?["error"]?["message"]?.stringValue }

    /// A gas-free EIP-1559 transfer signed by dev account `account`.
    static func signedTransfer(chainId: UInt64, nonce: UInt64, account: Int = 0, gasLimit: UInt64 = 21_000) throws -> Transaction {
        let payload = DynamicFeeTransaction(chainId: chainId, nonce: nonce, maxPriorityFeePerGas: .zero, maxFeePerGas: .zero,
                                            gasLimit: gasLimit, to: try DevelopmentAccounts.accountAddresses[1], value: 1)
        return try Transaction(.dynamicFee(payload)).signed(privateKey: DevelopmentAccounts.accountKeys[account])
    }
}
