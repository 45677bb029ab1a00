import Primitives

/// A log record emitted by LOG0..LOG4.
public struct Log: Equatable, Sendable {
    public var address: Address
    public var topics: [UInt256]
    public var data: [UInt8]
}

/// The state as one transaction sees it: a cache over a `StateBackend` plus a journal of
/// changes, so a failing call frame can revert to its checkpoint. Also holds the per-transaction
/// sets of EIP-2929 (warm accounts and slots), EIP-1153 (transient storage), EIP-6780 (accounts
/// created in this transaction), EIP-161 (touched accounts) and the refund counter.
public final class JournaledState {
    struct Account {
        var exists: Bool
        var nonce: UInt64
        var balance: UInt256
        var code: Bytecode
        /// Storage in the backend no longer applies (the account was destroyed).
        var storageCleared: Bool
        var modified: Bool
        var isEmpty: Bool { nonce == 0 && balance.isZero && code.isEmpty }
    }

    struct SlotKey: Hashable {
        var address: Address
        var key: UInt256
    }

    struct Slot {
        var current: UInt256
        /// The value at the start of the transaction (EIP-2200 pricing).
        var original: UInt256
        var modified: Bool
    }

    enum JournalEntry {
        case account(Address, Account?)
        case storage(SlotKey, UInt256)
        case transient(SlotKey, UInt256)
        case warmAddress(Address)
        case warmSlot(SlotKey)
        case touched(Address)
        case created(Address)
        case destructed(Address)
    }

    /// A point to revert to.
    public struct Checkpoint {
        let journalCount: Int
        let logCount: Int
        let refund: Int64
    }

    public let backend: any StateBackend
    var accounts: [Address: Account] = [:]
    var storage: [SlotKey: Slot] = [:]
    var transient: [SlotKey: UInt256] = [:]
    var warmAddresses = Set<Address>()
    var warmSlots = Set<SlotKey>()
    var touched = Set<Address>()
    var created = Set<Address>()
    var destructed = Set<Address>()
    var journal: [JournalEntry] = []
    public internal(set) var logs: [Log] = []
    public internal(set) var refund: Int64 = 0

    public init(backend: any StateBackend) {
        self.backend = backend
        journal.reserveCapacity(256)
    }

    // MARK: Checkpoints

    public func checkpoint() -> Checkpoint { Checkpoint(journalCount: journal.count, logCount: logs.count, refund: refund) }

    public func revert(to cp: Checkpoint) {
        while journal.count > cp.journalCount {
            switch journal.removeLast() {
            case let .account(a, previous): accounts[a] = previous
            case let .storage(k, previous): storage[k]!.current = previous
            case let .transient(k, previous): transient[k] = previous
            case let .warmAddress(a): warmAddresses.remove(a)
            case let .warmSlot(k): warmSlots.remove(k)
            case let .touched(a): touched.remove(a)
            case let .created(a): created.remove(a)
            case let .destructed(a): destructed.remove(a)
            }
        }
        if logs.count > cp.logCount { logs.removeSubrange(cp.logCount...) }
        refund = cp.refund
    }

    // MARK: Accounts

    @inline(__always)
    func load(_ a: Address) -> Account {
        if let acc = accounts[a] { return acc }
        let acc: Account
        if let info = backend.account(a) {
            acc = Account(exists: true, nonce: info.nonce, balance: info.balance,
                          code: backend.code(hash: info.codeHash), storageCleared: false, modified: false)
        } else {
            acc = Account(exists: false, nonce: 0, balance: .zero, code: .empty, storageCleared: false, modified: false)
        }
        accounts[a] = acc
        return acc
    }

    @inline(__always)
    func update(_ a: Address, _ change: (inout Account) -> Void) {
        var acc = load(a)
        journal.append(.account(a, acc))
        change(&acc)
        acc.exists = true
        acc.modified = true
        accounts[a] = acc
    }

    public func exists(_ a: Address) -> Bool { load(a).exists }
    /// EIP-161: exists and is not empty.
    public func isAlive(_ a: Address) -> Bool { let acc = load(a); return acc.exists && !acc.isEmpty }
    public func balance(_ a: Address) -> UInt256 { load(a).balance }
    public func nonce(_ a: Address) -> UInt64 { load(a).nonce }
    public func code(_ a: Address) -> Bytecode { load(a).code }
    /// EXTCODEHASH semantics (EIP-1052): zero for a non-existent or empty account.
    public func codeHashForOpcode(_ a: Address) -> UInt256 {
        let acc = load(a)
        if !acc.exists || acc.isEmpty { return .zero }
        return UInt256(acc.code.hash)
    }
    /// CREATE collision (EIP-684, EIP-7610): code, nonce or storage already present.
    func hasCodeNonceOrStorage(_ a: Address) -> Bool {
        let acc = load(a)
        if acc.nonce != 0 || !acc.code.isEmpty { return true }
        if acc.storageCleared { return false }
        if let probe = backend as? any StorageProbe, probe.hasStorage(a) { return true }
        return false
    }

    public func setBalance(_ a: Address, _ v: UInt256) { update(a) { $0.balance = v } }
    public func addBalance(_ a: Address, _ v: UInt256) { update(a) { $0.balance = $0.balance &+ v } }
    public func subBalance(_ a: Address, _ v: UInt256) { update(a) { $0.balance = $0.balance &- v } }
    public func setNonce(_ a: Address, _ n: UInt64) { update(a) { $0.nonce = n } }
    public func incrementNonce(_ a: Address) { update(a) { $0.nonce &+= 1 } }
    public func setCode(_ a: Address, _ c: Bytecode) { update(a) { $0.code = c } }

    /// Moves value; the caller has checked the balance.
    func transfer(from: Address, to: Address, value: UInt256) {
        if value.isZero { return }
        subBalance(from, value)
        addBalance(to, value)
    }

    /// EIP-161 touch: the account will be deleted at the end of the transaction if empty.
    func touch(_ a: Address) {
        if !touched.contains(a) { touched.insert(a); journal.append(.touched(a)) }
    }

    func markCreated(_ a: Address) {
        if !created.contains(a) { created.insert(a); journal.append(.created(a)) }
    }

    func markDestructed(_ a: Address) {
        if !destructed.contains(a) { destructed.insert(a); journal.append(.destructed(a)) }
    }

    // MARK: Access lists (EIP-2929)

    /// Marks the account warm; returns whether it was cold.
    @inline(__always)
    public func warmAccount(_ a: Address) -> Bool {
        if warmAddresses.insert(a).inserted { journal.append(.warmAddress(a)); return true }
        return false
    }

    @inline(__always)
    func warmSlot(_ a: Address, _ key: UInt256) -> Bool {
        let k = SlotKey(address: a, key: key)
        if warmSlots.insert(k).inserted { journal.append(.warmSlot(k)); return true }
        return false
    }

    // MARK: Storage

    @inline(__always)
    func slot(_ a: Address, _ key: UInt256) -> Slot {
        let k = SlotKey(address: a, key: key)
        if let s = storage[k] { return s }
        let acc = load(a)
        let v = acc.storageCleared ? UInt256.zero : backend.storage(a, key)
        let s = Slot(current: v, original: v, modified: false)
        storage[k] = s
        return s
    }

    public func sload(_ a: Address, _ key: UInt256) -> UInt256 { slot(a, key).current }

    func sstore(_ a: Address, _ key: UInt256, _ value: UInt256) {
        let k = SlotKey(address: a, key: key)
        let s = slot(a, key)
        journal.append(.storage(k, s.current))
        storage[k]!.current = value
        storage[k]!.modified = true
    }

    func tload(_ a: Address, _ key: UInt256) -> UInt256 { transient[SlotKey(address: a, key: key)] ?? .zero }

    func tstore(_ a: Address, _ key: UInt256, _ value: UInt256) {
        let k = SlotKey(address: a, key: key)
        journal.append(.transient(k, transient[k] ?? .zero))
        transient[k] = value
    }

    func addRefund(_ delta: Int64) { refund += delta }
    func appendLog(_ log: Log) { logs.append(log) }

    // MARK: Transaction boundary

    /// Ends a transaction: deletes self-destructed and touched-empty accounts (EIP-161,
    /// EIP-6780), makes current storage the new original, and clears per-transaction sets.
    public func finalizeTransaction() {
        var deleted = destructed
        for a in touched { let acc = load(a); if acc.exists && acc.isEmpty { deleted.insert(a) } }
        for a in deleted {
            accounts[a] = Account(exists: false, nonce: 0, balance: .zero, code: .empty, storageCleared: true, modified: true)
        }
        if !deleted.isEmpty {
            storage = storage.filter { !deleted.contains($0.key.address) }
        }
        // Only slots written in this transaction have current != original, and each of those
        // has a storage entry in the journal; visiting every cached slot instead made a block
        // of n storage-writing transactions cost O(n²).
        for entry in journal {
            if case .storage(let k, _) = entry, let slot = storage[k] { storage[k]!.original = slot.current }
        }
        transient.removeAll(keepingCapacity: true)
        warmAddresses.removeAll(keepingCapacity: true)
        warmSlots.removeAll(keepingCapacity: true)
        touched.removeAll(); created.removeAll(); destructed.removeAll()
        journal.removeAll(keepingCapacity: true)
        refund = 0
        logs.removeAll()
    }

    /// Everything changed since this state was created, for the backend to apply.
    public func changes() -> StateChanges {
        var out = StateChanges()
        for (a, acc) in accounts where acc.modified {
            if !acc.exists { out.accounts[a] = .some(nil); continue }
            out.accounts[a] = StateChanges.AccountChange(
                info: AccountInfo(nonce: acc.nonce, balance: acc.balance, codeHash: acc.code.hash),
                code: acc.code.isEmpty ? nil : acc.code.bytes, storageCleared: acc.storageCleared, storage: [:])
        }
        for (k, s) in storage where s.modified {
            if var change = out.accounts[k.address] ?? nil {
                change.storage[k.key] = s.current
                out.accounts[k.address] = change
            } else if out.accounts[k.address] == nil, let acc = accounts[k.address], acc.exists {
                out.accounts[k.address] = StateChanges.AccountChange(
                    info: AccountInfo(nonce: acc.nonce, balance: acc.balance, codeHash: acc.code.hash),
                    code: acc.code.isEmpty ? nil : acc.code.bytes, storageCleared: acc.storageCleared,
                    storage: [k.key: s.current])
            }
        }
        return out
    }
}

/// Optional backend capability: whether an account has any storage (EIP-7610 collisions).
public protocol StorageProbe {
    func hasStorage(_ address: Address) -> Bool
}
