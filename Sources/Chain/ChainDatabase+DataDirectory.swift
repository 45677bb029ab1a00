import Foundation
import Primitives
import Trie

/// Why `mledger init` could not create (or reuse) a chain.
public enum ChainInitializationError: Error, Equatable, CustomStringConvertible {
    case genesis(GenesisError)
    case database(ChainDatabaseError)
    case state(TrieError)
    case cannotCreateDirectory(path: String, reason: String)

    public var description: String {
        switch self {
        case .genesis(let error): return "\(error)"
        case .database(let error): return "\(error)"
        case .state(let error): return "genesis state: \(error)"
        case let .cannotCreateDirectory(path, reason): return "cannot create \(path): \(reason)"
        }
    }
}

extension ChainDatabase {
    /// Where a data directory keeps its LevelDB chain database (DESIGN.md: `chain/`).
    public static func chainPath(dataDirectory: String) -> String {
        URL(fileURLWithPath: dataDirectory).appendingPathComponent("chain").path
    }

    /// What `mledger init --genesis FILE --datadir DIR` does: reads the genesis document,
    /// checks that it is an MLedger chain (Cancun rules from block 0, exactly one sealer in
    /// extraData), builds the genesis block and state, and writes them to `DIR/chain`.
    /// Initialising again with the same genesis is harmless; with another one it is refused.
    public static func initialize(dataDirectory: String,
                                  genesisPath: String) throws(ChainInitializationError) -> (ChainDatabase, Genesis, Block) {
        let document: [UInt8]
        let genesis: Genesis
        do {
            guard let data = FileManager.default.contents(atPath: genesisPath) else {
                throw GenesisError.unreadableFile(path: genesisPath, reason: "no such file or not readable")
            }
            document = [UInt8](data)
            genesis = try Genesis(json: document)
            try genesis.config.requireCancunFromGenesis()
            _ = try genesis.sealer
        } catch {
            throw .genesis(error as? GenesisError ?? .unreadableFile(path: genesisPath, reason: "\(error)"))
        }
        let (block, stateNodes): (Block, [StateNode])
        do {
            (block, stateNodes) = try genesis.block()
        } catch {
            throw .state(error)
        }
        let path = chainPath(dataDirectory: dataDirectory)
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw .cannotCreateDirectory(path: path, reason: error.localizedDescription)
        }
        do throws(ChainDatabaseError) {
            let database = try ChainDatabase.open(path: path)
            do throws(ChainDatabaseError) {
                try database.initialize(genesis: block, stateNodes: stateNodes, document: document)
            } catch {
                database.store.close()
                throw error
            }
            return (database, genesis, block)
        } catch {
            throw .database(error)
        }
    }
}
