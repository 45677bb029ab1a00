import Chain
import LedgerCrypto
import EVM
import Primitives
import RLP
import Storage
import Trie

/// The world state at one state root, read from the node's state tries for the EVM and
/// updated from the EVM's `StateChanges` into new tries. Reads go through the account trie
/// and one storage trie per account, opened on demand and kept in memory, so a state object
/// reused for the next block (the sealer's) reads warm nodes.
///
/// The EVM's read interface cannot throw; a failed read (a missing or corrupt node) is
/// recorded in `readFailure` and treated as an empty value, and callers must check it before
/// trusting a result. Not thread-safe: one thread (the sealer, one RPC request) at a time.
final class TrieAccountState: EVMStateBackend, StorageProbe {
    /// An account record as the state trie stores it: `rlp([nonce, balance, storageRoot, codeHash])`.
    struct StoredAccount: Equatable {
        var nonce: UInt64 = 0
        var balance: UInt256 = .zero
        var storageRoot: Hash32 = MerklePatriciaTrie.emptyRoot
        var codeHash: Hash32 = Bytecode.emptyCodeHash

        init(nonce: UInt64 = 0, balance: UInt256 = .zero, storageRoot: Hash32 = MerklePatriciaTrie.emptyRoot,
             codeHash: Hash32 = Bytecode.emptyCodeHash) {
            self.nonce = nonce; self.balance = balance; self.storageRoot = storageRoot; self.codeHash = codeHash
        }

        init(encoded: [UInt8]) throws {
            let fields = try RLP.decode(encoded).asList()
            guard fields.count == 4 else { throw RLPError.wrongItemCount(expected: 4, got: fields.count) }
            self.init(nonce: try fields[0].asUInt64(), balance: try fields[1].asUInt256(),
                      storageRoot: try Hash32(bytes: try fields[2].asBytes()),
                      codeHash: try Hash32(bytes: try fields[3].asBytes()))
        }

        var encoded: [UInt8] {
            RLP.encode(list: [RLP.encode(uint: nonce), RLP.encode(uint: balance),
                              RLP.encode(bytes: storageRoot.bytes), RLP.encode(bytes: codeHash.bytes)])
        }
    }

    private let database: ChainDatabase
    private let nodes: KeyValueTrieNodeStore
    private var accounts: SecureTrie
    private var storageTries: [Address: SecureTrie] = [:]
    private var records: [Address: StoredAccount?] = [:]
    private let codes: BytecodeCache
    /// The first read that failed, if any (see the type's documentation).
    private(set) var readFailure: String?

    init(database: ChainDatabase, root: Hash32, codes: BytecodeCache = BytecodeCache()) {
        self.database = database
        nodes = database.stateNodeStore
        accounts = SecureTrie(rootHash: root, store: nodes)
        self.codes = codes
    }

    /// The state root of this state (after `apply`, the new one).
    var root: Hash32 { accounts.rootHash }

    private func noteFailure(_ message: String) {
        if readFailure == nil { readFailure = message }
    }

    /// The stored record of `address`, nil when the account does not exist.
    func record(_ address: Address) -> StoredAccount? {
        if let cached = records[address] { return cached }
        var record: StoredAccount?
        do {
            if let encoded = try accounts.get(address.bytes) { record = try StoredAccount(encoded: encoded) }
        } catch {
            noteFailure("account \(address): \(error)")
        }
        records[address] = record
        return record
    }

    private func storageTrie(_ address: Address) -> SecureTrie {
        if let trie = storageTries[address] { return trie }
        let trie = SecureTrie(rootHash: record(address)?.storageRoot ?? MerklePatriciaTrie.emptyRoot, store: nodes)
        storageTries[address] = trie
        return trie
    }

    // MARK: EVM state interface

    func account(_ address: Address) -> AccountInfo? {
        record(address).map { AccountInfo(nonce: $0.nonce, balance: $0.balance, codeHash: $0.codeHash) }
    }

    func code(hash: Hash32) -> Bytecode {
        if let cached = codes.bytecode(hash: hash) { return cached }
        do {
            guard let bytes = try database.stateNode(hash: hash) else {
                noteFailure("missing code \(hash)")
                return .empty
            }
            return codes.bytecode(bytes)
        } catch {
            noteFailure("code \(hash): \(error)")
            return .empty
        }
    }

    func storage(_ address: Address, _ key: UInt256) -> UInt256 {
        do {
            guard let encoded = try storageTrie(address).get(key.hash32.bytes) else { return .zero }
            return try RLP.decode(encoded).asUInt256()
        } catch {
            noteFailure("storage \(address) \(key): \(error)")
            return .zero
        }
    }

    func hasStorage(_ address: Address) -> Bool {
        (record(address)?.storageRoot ?? MerklePatriciaTrie.emptyRoot) != MerklePatriciaTrie.emptyRoot
    }

    func blockHash(number: UInt64) -> Hash32 {
        do {
            return try database.canonicalHash(number: number) ?? .zero
        } catch {
            noteFailure("block hash \(number): \(error)")
            return .zero
        }
    }

    // MARK: Writing

    /// Applies `changes` to the tries and returns the trie nodes and code they created, for
    /// the block's write batch; `root` is the new state root afterwards.
    func apply(_ changes: StateChanges) throws -> [StateNode] {
        let collector = CollectingTrieNodeStore()
        var newCode = [StateNode]()
        for (address, change) in changes.accounts {
            guard let change else {
                try accounts.delete(key: address.bytes)
                records[address] = .some(nil)
                storageTries[address] = nil
                continue
            }
            let previous = record(address)
            var updated = StoredAccount(nonce: change.info.nonce, balance: change.info.balance,
                                        storageRoot: previous?.storageRoot ?? MerklePatriciaTrie.emptyRoot,
                                        codeHash: change.info.codeHash)
            if change.storageCleared {
                storageTries[address] = SecureTrie(store: nodes)
                updated.storageRoot = MerklePatriciaTrie.emptyRoot
            }
            if change.storageCleared || !change.storage.isEmpty {
                var trie = storageTrie(address)
                for (key, value) in change.storage {
                    if value.isZero {
                        try trie.delete(key: key.hash32.bytes)
                    } else {
                        try trie.update(key: key.hash32.bytes, value: RLP.encode(bytes: value.minimalBigEndianBytes))
                    }
                }
                updated.storageRoot = try trie.commit(to: collector)
                storageTries[address] = trie
            }
            if let code = change.code, previous?.codeHash != change.info.codeHash {
                newCode.append(StateNode(hash: change.info.codeHash, bytes: code))
            }
            try accounts.update(key: address.bytes, value: updated.encoded)
            records[address] = updated
        }
        try accounts.commit(to: collector)
        return collector.nodes + newCode
    }
}
