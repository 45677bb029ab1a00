import Chain
import Foundation
import LedgerClient
import Node
import Primitives
import RPC

/// A throw-away dev node (genesis/dev.json in a temporary data directory) serving JSON-RPC on
/// 127.0.0.1, with a `JSONRPCLedgerClient` pointed at it.
final class DevChain: @unchecked Sendable {
    let node: LedgerNode
    let directory: String
    let server: LoopbackServer
    let client: JSONRPCLedgerClient

    /// genesis/dev.json of this checkout, found from this file's path.
    static var devGenesisPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("genesis/dev.json").path
    }

    private init(node: LedgerNode, directory: String, server: LoopbackServer) throws {
        self.node = node
        self.directory = directory
        self.server = server
        client = try JSONRPCLedgerClient(url: server.url, timeoutSeconds: 10)
    }

    static func start() async throws -> DevChain {
        let directory = NSTemporaryDirectory() + "mledger-audit-test-\(UUID().uuidString)"
        let (database, _, _) = try ChainDatabase.initialize(dataDirectory: directory, genesisPath: devGenesisPath)
        database.store.close()
        let node = try LedgerNode(dataDirectory: directory)
        do {
            return try DevChain(node: node, directory: directory, server: try await LoopbackServer.rpc(node))
        } catch {
            node.close()
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    func stop() async {
        await server.stop()
        node.close()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
