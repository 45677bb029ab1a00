import Primitives
import LedgerCrypto

/// An in-memory world state: the pre-state of a state test, a benchmark, or a unit test.
public final class MemoryBackend: StateBackend, StorageProbe {
    public struct Entry {
        public var info: AccountInfo
        public var storage: [UInt256: UInt256]
    }

    public var accounts: [Address: Entry] = [:]
    public let codes: BytecodeCache

    public init() { codes = BytecodeCache() }

    /// Adds or replaces an account.
    public func set(_ address: Address, nonce: UInt64 = 0, balance: UInt256 = .zero, code: [UInt8] = [],
                    storage: [UInt256: UInt256] = [:]) {
        let c = codes.bytecode(code)
        accounts[address] = Entry(info: AccountInfo(nonce: nonce, balance: balance, codeHash: c.hash),
                                  storage: storage.filter { !$0.value.isZero })
    }

    public func account(_ address: Address) -> AccountInfo? { accounts[address]?.info }
    public func code(hash: Hash32) -> Bytecode { codes.bytecode(hash: hash) ?? .empty }
    public func storage(_ address: Address, _ key: UInt256) -> UInt256 { accounts[address]?.storage[key] ?? .zero }
    public func hasStorage(_ address: Address) -> Bool { !(accounts[address]?.storage.isEmpty ?? true) }

    /// State tests' block hashes: Keccak-256 of the decimal block number.
    public func blockHash(number: UInt64) -> Hash32 { Keccak256.hash(Array(String(number).utf8)) }

    /// Applies what a transaction changed.
    public func apply(_ changes: StateChanges) {
        for (address, change) in changes.accounts {
            guard let change else { accounts[address] = nil; continue }
            var entry = accounts[address] ?? Entry(info: AccountInfo(), storage: [:])
            if change.storageCleared { entry.storage = [:] }
            entry.info = change.info
            if let code = change.code { _ = codes.bytecode(code) }
            for (k, v) in change.storage { entry.storage[k] = v.isZero ? nil : v }
            accounts[address] = entry
        }
    }

    /// A deep copy (codes shared).
    public func copy() -> MemoryBackend {
        let c = MemoryBackend(sharing: codes)
        c.accounts = accounts
        return c
    }

    private init(sharing codes: BytecodeCache) { self.codes = codes }
}
