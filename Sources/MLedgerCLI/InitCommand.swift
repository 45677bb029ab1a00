import ArgumentParser
import Chain
import Foundation

/// `mledger init --genesis FILE --datadir DIR`: creates the chain database from a genesis
/// document; a data directory already holding another genesis is refused.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Create a chain in a data directory from a genesis file.")

    @Option(help: "Genesis file in geth's genesis format.")
    var genesis: String

    @Option(help: "Data directory to create or reuse.")
    var datadir: String

    func run() throws {
        try refuseDifferentGenesis()
        do {
            let (database, _, block) = try ChainDatabase.initialize(dataDirectory: datadir, genesisPath: genesis)
            database.store.close()
            print("initialized \(datadir): genesis block \(block.hash)")
        } catch {
            throw CommandFailure("init failed: \(error)")
        }
    }

    /// The genesis block hash does not cover the chain configuration (a different chain id
    /// gives the same block), so the stored genesis document is compared as a whole too.
    func refuseDifferentGenesis() throws {
        let path = ChainDatabase.chainPath(dataDirectory: datadir)
        guard FileManager.default.fileExists(atPath: path),
              let data = FileManager.default.contents(atPath: genesis) else { return }
        let database = try ChainDatabase.open(path: path)
        defer { database.store.close() }
        guard let stored = try database.storedGenesis(), let given = try? Genesis(json: [UInt8](data)) else { return }
        if stored != given {
            throw CommandFailure("init refused: \(datadir) already holds a chain with a different genesis (chain id \(stored.config.chainId)); use another --datadir")
        }
    }
}
