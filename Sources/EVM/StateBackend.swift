import Primitives

/// An account as the backing store knows it.
public struct AccountInfo: Equatable, Sendable {
    public var nonce: UInt64
    public var balance: UInt256
    public var codeHash: Hash32

    public init(nonce: UInt64 = 0, balance: UInt256 = .zero, codeHash: Hash32 = Bytecode.emptyCodeHash) {
        self.nonce = nonce; self.balance = balance; self.codeHash = codeHash
    }
}

/// The narrow boundary between the EVM and wherever state lives (the node's trie database,
/// a state test's pre-state). Reads only; writes come back as a `StateChanges` value.
public protocol StateBackend: AnyObject {
    /// The account, or nil if it does not exist.
    func account(_ address: Address) -> AccountInfo?
    /// Code by its Keccak-256 hash.
    func code(hash: Hash32) -> Bytecode
    /// A storage slot's committed value (zero when unset).
    func storage(_ address: Address, _ key: UInt256) -> UInt256
    /// The hash of an earlier block (BLOCKHASH); the caller checks the 256-block window.
    func blockHash(number: UInt64) -> Hash32
}

/// What a transaction (or several) changed, for the backing store to apply.
public struct StateChanges: Sendable {
    public struct AccountChange: Sendable {
        public var info: AccountInfo
        public var code: [UInt8]?
        /// Storage was wiped before `storage` is applied (account destroyed and re-created).
        public var storageCleared: Bool
        public var storage: [UInt256: UInt256]
    }
    /// nil value: the account is deleted.
    public var accounts: [Address: AccountChange?] = [:]
}
