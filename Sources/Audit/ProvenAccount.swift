import LedgerCrypto
import LedgerClient
import Primitives
import RLP
import Trie

/// Why an EIP-1186 proof does not prove what it claims.
public struct ProofFailure: Error, Equatable, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// An account and some of its storage slots as proven from a state root: each value here
/// follows from the root by hashes alone, whatever the node claimed beside the proof.
public struct ProvenAccount: Equatable, Sendable {
    public let address: Address
    public let nonce: UInt64
    public let balance: UInt256
    public let storageRoot: Hash32
    public let codeHash: Hash32
    /// Proven values by slot (zero for a slot the storage trie proves absent).
    public let slots: [Hash32: UInt256]

    /// Keccak-256 of empty code: the code hash of an account without code.
    public static let emptyCodeHash = Keccak256.hash([UInt8]())

    /// Checks `proof` against `stateRoot` (account path in the state trie, then each slot's path
    /// in the account's storage trie, EIP-1186) and that the fields and values the node put
    /// beside the nodes are the proven ones.
    public init(verifying proof: AccountProof, stateRoot: Hash32) throws(ProofFailure) {
        let leaf: [UInt8]?
        do {
            leaf = try SecureTrie.verifyProof(root: stateRoot, key: proof.address.bytes, proof: proof.accountProof)
        } catch {
            throw ProofFailure("account proof of \(proof.address) does not verify against state root \(stateRoot): \(error)")
        }
        guard let leaf else { throw ProofFailure("the state root \(stateRoot) proves that \(proof.address) has no account") }
        let fields: [RLPItem]
        do {
            fields = try RLP.decode(leaf).asList()
            guard fields.count == 4 else { throw ProofFailure("account \(proof.address): \(fields.count) fields, expected 4") }
            address = proof.address
            nonce = try fields[0].asUInt64()
            balance = try fields[1].asUInt256()
            storageRoot = try Hash32(bytes: try fields[2].asBytes())
            codeHash = try Hash32(bytes: try fields[3].asBytes())
        } catch let failure as ProofFailure {
            throw failure
        } catch {
            throw ProofFailure("account \(proof.address): malformed account record: \(error)")
        }
        guard nonce == proof.nonce, balance == proof.balance, storageRoot == proof.storageHash, codeHash == proof.codeHash else {
            throw ProofFailure("account \(proof.address): the fields the node reported differ from the proven account")
        }
        var slots: [Hash32: UInt256] = [:]
        for entry in proof.storageProof {
            let value: UInt256
            do {
                value = try Self.provenSlot(entry, storageRoot: storageRoot)
            } catch let failure as ProofFailure {
                throw failure
            } catch {
                throw ProofFailure("slot \(entry.slot) of \(proof.address): \(error)")
            }
            guard value == entry.value else {
                throw ProofFailure("slot \(entry.slot) of \(proof.address): node reported \(entry.value), the proof gives \(value)")
            }
            slots[entry.slot] = value
        }
        self.slots = slots
    }

    /// The value a storage proof proves: the RLP-encoded word in the leaf, or zero when absent.
    static func provenSlot(_ entry: AccountProof.StorageProof, storageRoot: Hash32) throws -> UInt256 {
        guard let encoded = try SecureTrie.verifyProof(root: storageRoot, key: entry.slot.bytes, proof: entry.proof) else {
            return .zero
        }
        let value = try RLP.decode(encoded).asUInt256()
        // A stored zero is a deletion; a leaf holding zero is not a valid state.
        guard !value.isZero else { throw ProofFailure("slot \(entry.slot): the trie holds an explicit zero") }
        return value
    }

    /// The proven value of `slot`; nil when that slot was not part of the proof.
    public subscript(slot: UInt256) -> UInt256? { slots[slot.hash32] }
}
