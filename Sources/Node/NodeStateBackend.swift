import Chain
import Primitives
import RLP
import RPC
import Trie

/// Account state read straight from the committed state tries (every block's state is kept,
/// so any block can be asked): balances, nonces, code, storage and EIP-1186 proofs; and code
/// run by the EVM on that state (`eth_call`, `eth_estimateGas`, traces; see
/// `NodeStateBackend+Execution.swift`). Every request opens its own view of the tries, so
/// requests run in parallel with each other and with the sealer.
public final class NodeStateBackend: StateBackend, @unchecked Sendable {
    let database: ChainDatabase
    let pool: TransactionPool
    let chainId: UInt64
    /// The most gas `eth_call`, `eth_estimateGas` and `debug_traceCall` run with; larger
    /// requests are clamped to it (50M, as other Ethereum nodes default to).
    public let callGasCap: UInt64

    public init(database: ChainDatabase, pool: TransactionPool, chainId: UInt64, callGasCap: UInt64 = 50_000_000) {
        self.database = database; self.pool = pool; self.chainId = chainId; self.callGasCap = callGasCap
    }

    /// One account's fields as the state trie stores them (EIP-161 empty account when absent).
    typealias Account = TrieAccountState.StoredAccount

    func header(_ block: BlockSelector) throws -> BlockHeader {
        let found: BlockHeader?
        switch block {
        case .tag(.earliest): found = try database.header(number: 0)
        case .tag(.number(let number)): found = try database.header(number: number)
        case .tag: found = database.head
        case let .hash(hash, requireCanonical):
            let header = try database.header(hash: hash)
            if requireCanonical, let header, try database.canonicalHash(number: header.number) != hash {
                found = nil
            } else {
                found = header
            }
        }
        guard let found else { throw StateBackendError.blockNotFound }
        return found
    }

    func accountTrie(_ block: BlockSelector) throws -> SecureTrie {
        SecureTrie(rootHash: try header(block).stateRoot, store: database.stateNodeStore)
    }

    func account(_ address: Address, in trie: SecureTrie) throws -> Account {
        guard let encoded = try trie.get(address.bytes) else { return Account() }
        do {
            return try Account(encoded: encoded)
        } catch {
            throw StateBackendError.execution("corrupt account record for \(address): \(error)")
        }
    }

    public func balance(of address: Address, at block: BlockSelector) throws -> UInt256 {
        try account(address, in: accountTrie(block)).balance
    }

    public func transactionCount(of address: Address, at block: BlockSelector) throws -> UInt64 {
        if block == .tag(.pending) { return pool.pendingNonce(of: address) }
        return try account(address, in: accountTrie(block)).nonce
    }

    public func code(of address: Address, at block: BlockSelector) throws -> [UInt8] {
        let codeHash = try account(address, in: accountTrie(block)).codeHash
        guard codeHash != Genesis.emptyCodeHash else { return [] }
        guard let code = try database.stateNode(hash: codeHash) else {
            throw StateBackendError.execution("missing code \(codeHash) for \(address)")
        }
        return code
    }

    /// A storage word: the trie stores it as RLP of the value without leading zeros.
    func storageValue(_ storage: SecureTrie, slot: Hash32) throws -> UInt256 {
        guard let encoded = try storage.get(slot.bytes) else { return .zero }
        return try RLP.decode(encoded).asUInt256()
    }

    public func storage(of address: Address, slot: Hash32, at block: BlockSelector) throws -> Hash32 {
        let account = try account(address, in: accountTrie(block))
        let storage = SecureTrie(rootHash: account.storageRoot, store: database.stateNodeStore)
        return try storageValue(storage, slot: slot).hash32
    }

    /// EIP-1186: the account's proof from the block's state root, and one proof per slot
    /// from the account's storage root.
    public func proof(of address: Address, slots: [Hash32], at block: BlockSelector) throws -> JSONValue {
        let trie = try accountTrie(block)
        let account = try account(address, in: trie)
        let storage = SecureTrie(rootHash: account.storageRoot, store: database.stateNodeStore)
        let storageProofs: [JSONValue] = try slots.map { slot in
            [
                "key": .string(UInt256(slot).quantityHex),
                "value": .string(try storageValue(storage, slot: slot).quantityHex),
                "proof": .array(try storage.proof(for: slot.bytes).map { .string(Hex.encode($0)) }),
            ]
        }
        return [
            "address": .string(address.description),
            "accountProof": .array(try trie.proof(for: address.bytes).map { .string(Hex.encode($0)) }),
            "balance": .string(account.balance.quantityHex),
            "nonce": .string("0x" + String(account.nonce, radix: 16)),
            "codeHash": .string(account.codeHash.description),
            "storageHash": .string(account.storageRoot.description),
            "storageProof": .array(storageProofs),
        ]
    }
}
