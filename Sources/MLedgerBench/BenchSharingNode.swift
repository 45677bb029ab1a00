import Chain
import Foundation
import LedgerClient
import Logging
import ModelSharing
import Node
import ObjectStore
import Registry
import Verification
#if canImport(Glibc)
import Glibc
#endif

/// A throw-away in-process dev node (instant sealing) with the model-sharing service over it
/// (registry and files store in the same temporary data directory), for the REST benches.
final class BenchSharingNode {
    let root: URL
    let node: LedgerNode
    let logger = Logger(label: "mledger-bench") { _ in SwiftLogNoOpLogHandler() }
    let service: ModelSharingService

    init(name: String, genesisPath: String) throws {
        let directory = NSTemporaryDirectory() + "mledger-bench-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        root = URL(fileURLWithPath: directory)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let (database, _, _) = try ChainDatabase.initialize(dataDirectory: directory, genesisPath: genesisPath)
        database.store.close()
        node = try LedgerNode(dataDirectory: directory, sealing: .instant)
        node.sealer?.start()
        let keyring = try CompanyKeyring(dataDirectory: root, passphrase: "mledger bench", cost: .light)
        let registry = try Registry(dataDirectory: root)
        service = ModelSharingService(
            verification: try VerificationService(client: node.makeClient(), keyring: keyring, registry: registry), registry: registry,
            store: FileObjectStore(root: root.appendingPathComponent("objects").path), logger: logger)
    }

    /// Closes the node and deletes the data directory.
    func close() {
        node.close()
        try? FileManager.default.removeItem(at: root)
    }
}
