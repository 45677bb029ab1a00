import Chain
import Foundation
import LedgerClient
import Logging
import ModelSharing
import Node
import ObjectStore
import Registry
import Verification

/// A throw-away development chain with the model-sharing service over it, laid out in a fresh
/// temporary data directory exactly as `mledger run --dev` lays out its own (chain, company
/// keyring, `registry.sqlite`, `objects/`). Tests and benchmarks build their stacks from this one
/// type so that a change in how the node wires sharing is made once.
package final class DevSharingStack: @unchecked Sendable {
    package let directory: URL
    package let node: LedgerNode
    package let client: InProcessLedgerClient
    package let registry: Registry
    package let store: any ObjectStore
    /// A value type: callers that set `faults` or configuration do so before they build routers.
    package var service: ModelSharingService

    /// `genesis/dev.json` of the MLedger checkout this file was compiled from.
    package static var checkoutGenesisPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("genesis/dev.json").path
    }

    /// - Parameters:
    ///   - label: part of the temporary directory's name, so leftovers say who made them.
    ///   - makeStore: the object store over the new data directory (default: files under `objects/`).
    package init(label: String, genesisPath: String = DevSharingStack.checkoutGenesisPath,
                configuration: ModelSharingConfiguration = ModelSharingConfiguration(),
                faults: SharingFaults = SharingFaults(),
                makeStore: (URL) throws -> any ObjectStore = { FileObjectStore(root: $0.appendingPathComponent("objects").path) },
                logger: Logger = Logger(label: "mledger-dev-stack")) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mledger-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var node: LedgerNode?
        do {
            let (database, _, _) = try ChainDatabase.initialize(dataDirectory: directory.path, genesisPath: genesisPath)
            database.store.close()
            let started = try LedgerNode(dataDirectory: directory.path, sealing: .instant)
            node = started
            started.sealer?.start()
            let client = started.makeClient()
            // `.light` scrypt: these keyrings protect throw-away development keys only.
            let keyring = try CompanyKeyring(dataDirectory: directory, passphrase: "mledger dev stack", cost: .light)
            let registry = try Registry(dataDirectory: directory)
            let store = try makeStore(directory)
            var service = ModelSharingService(verification: try VerificationService(client: client, keyring: keyring, registry: registry),
                                              registry: registry, store: store, configuration: configuration, logger: logger)
            service.faults = faults
            (self.directory, self.node, self.client, self.registry, self.store, self.service) = (directory, started, client, registry, store, service)
        } catch {
            // Nothing half-made is left behind: no running sealer, no temporary directory.
            node?.close()
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    /// Stops the node and removes the data directory.
    package func close() {
        node.close()
        try? FileManager.default.removeItem(at: directory)
    }
}
