import ArgumentParser
import Chain
import Foundation

/// `mledger verify-chain --datadir DIR`: re-checks every block's seal, links, timestamps and
/// body and receipt roots. Re-executing blocks to check state roots needs the EVM and is
/// reported as not yet available.
struct VerifyChainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-chain", abstract: "Verify every block's seal and roots from genesis.")

    @Option(help: "Data directory of the chain.")
    var datadir: String

    func run() throws {
        let path = ChainDatabase.chainPath(dataDirectory: datadir)
        guard FileManager.default.fileExists(atPath: path) else {
            throw CommandFailure("no chain in \(datadir): run `mledger init` first")
        }
        let database = try ChainDatabase.open(path: path)
        defer { database.store.close() }
        guard let genesis = try database.storedGenesis() else { throw CommandFailure("no genesis stored in \(datadir)") }
        do {
            let count = try database.verifyChain(sealer: try genesis.sealer)
            print("verified \(count) blocks: seals, parent links, timestamps, transaction, receipt and withdrawal roots, blooms")
            print("state re-execution: not available yet (block execution lands with the EVM); state roots were not re-derived")
        } catch {
            throw CommandFailure("chain verification failed: \(error)")
        }
    }
}
