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
        do {
            let (database, _, block) = try ChainDatabase.initialize(dataDirectory: datadir, genesisPath: genesis)
            database.store.close()
            print("initialized \(datadir): genesis block \(block.hash)")
        } catch {
            throw ValidationError("init failed: \(error)")
        }
    }
}
