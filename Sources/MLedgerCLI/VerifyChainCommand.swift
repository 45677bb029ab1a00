import ArgumentParser
import Chain
import Foundation
import Node

/// `mledger verify-chain --datadir DIR`: re-checks every block's seal, links, timestamps and
/// body and receipt roots, then re-executes every block from genesis with the EVM and checks
/// its receipts, gas used and state root.
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
        } catch {
            throw CommandFailure("chain verification failed: \(error)")
        }
        do {
            let count = try database.reexecuteChain(genesis: genesis)
            print("re-executed \(count) blocks: genesis allocation, receipts, gas used and state roots match")
        } catch {
            throw CommandFailure("chain re-execution failed: \(error)")
        }
    }
}
