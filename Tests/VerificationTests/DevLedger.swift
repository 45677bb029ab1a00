import Chain
import Foundation
import LedgerClient
import Node

/// A throw-away dev chain (genesis/dev.json) in a temporary data directory, executing and
/// sealing instantly, reached through the in-process `LedgerClient`.
final class DevLedger: @unchecked Sendable {
    let directory: URL
    let node: LedgerNode
    let client: InProcessLedgerClient

    static var genesisPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("genesis/dev.json").path
    }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("mledger-devledger-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let (database, _, _) = try ChainDatabase.initialize(dataDirectory: directory.path, genesisPath: Self.genesisPath)
        database.store.close()
        node = try LedgerNode(dataDirectory: directory.path, sealing: .instant)
        node.sealer?.start()
        client = node.makeClient()
    }

    /// A keyring in the same data directory (light scrypt cost: tests only).
    func keyring() throws -> CompanyKeyring {
        try CompanyKeyring(dataDirectory: directory, passphrase: "test passphrase", cost: .light)
    }

    func close() {
        node.close()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs `body` with a fresh ledger and always closes it.
    static func with<T>(_ body: (DevLedger) async throws -> T) async throws -> T {
        let ledger = try DevLedger()
        defer { ledger.close() }
        return try await body(ledger)
    }
}
