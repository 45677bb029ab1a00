import Contracts
import LedgerCrypto
import Primitives

/// Storage positions of a record's variables, from the layout vyper reported for the committed
/// artifact (`vyper -f layout`, kept in the artifact's `storageLayout`). Vyper 0.4 packs
/// nothing: a value type fills one slot; a `DynArray` keeps its length at its slot and its items
/// right after it (a struct item takes one slot per member); a `HashMap` entry for `key` is at
/// keccak256(slot ‖ key), both as 32-byte words (vyper's `sha3_64(slot, key)`).
struct StorageLayout: Sendable {
    let contract: String
    private let slots: [String: StorageSlot]

    init(_ artifact: ContractArtifact) {
        contract = artifact.name
        slots = artifact.storageLayout
    }

    /// The slot of a value variable, or the length slot of a dynamic array.
    func slot(_ variable: String) throws(AuditFailure) -> UInt256 {
        guard let entry = slots[variable] else {
            throw AuditFailure("the \(contract) artifact's storage layout has no variable \(variable)")
        }
        return entry.slot
    }

    /// Slot of word `word` of item `index` in the dynamic array `variable` whose items take
    /// `wordsPerItem` slots each; checked against the array's reserved slots.
    func arrayItem(_ variable: String, index: Int, wordsPerItem: Int = 1, word: Int = 0) throws(AuditFailure) -> UInt256 {
        guard let entry = slots[variable] else {
            throw AuditFailure("the \(contract) artifact's storage layout has no variable \(variable)")
        }
        let offset = 1 + index * wordsPerItem + word
        guard index >= 0, word >= 0, word < wordsPerItem, offset < entry.slotCount else {
            throw AuditFailure("\(contract).\(variable): item \(index) is beyond the \(entry.slotCount) reserved slots")
        }
        return entry.slot &+ UInt256(UInt64(offset))
    }

    /// Slot of the entry for `key` in the mapping `variable`.
    func mappingEntry(_ variable: String, key: Address) throws(AuditFailure) -> UInt256 {
        let base = try slot(variable)
        let keyWord = [UInt8](repeating: 0, count: 12) + key.bytes
        return UInt256(Keccak256.hash(base.bigEndianBytes + keyWord))
    }
}

/// A record's state could not be read or does not add up; the message is the evidence.
struct AuditFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
