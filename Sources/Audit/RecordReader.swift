import Contracts
import LedgerClient
import Primitives
import RPC

/// Reads records at one sealed block: getters through `eth_call` with the typed bindings, and
/// the same values again as storage slots proven by `eth_getProof` against the block's state
/// root. A getter and its proven slot must agree, which shows both that the node answered
/// honestly and that the slots proven are the ones the getters read.
struct RecordReader: Sendable {
    let client: any LedgerClient
    let blockNumber: UInt64
    let stateRoot: Hash32
    let model: ModelRecordBinding
    let dataset: DatasetRecordBinding

    var block: BlockSelector { .tag(.number(blockNumber)) }

    /// One getter through `eth_call`. Only an unreachable node aborts the audit; anything else
    /// (a revert, undecodable data) becomes evidence.
    func get<R>(_ contract: Address, _ name: String, _ prepare: () throws -> ContractCall<R>) async throws -> R {
        let prepared: ContractCall<R>
        do { prepared = try prepare() } catch { throw AuditFailure("getter \(name): \(error)") }
        var request = CallRequest()
        request.to = contract
        request.input = prepared.data
        let output: [UInt8]
        do {
            output = try await client.call(request, at: block)
        } catch let error as LedgerClientError {
            if case .transport = error { throw error }
            throw AuditFailure("getter \(name) of \(contract): \(error)")
        }
        do { return try prepared.decode(output) } catch {
            throw AuditFailure("getter \(name) of \(contract): \(error)")
        }
    }

    /// `get` as a value: the getters of one record run concurrently as `async let`s of this, so
    /// one failing getter never cancels its siblings mid-request; each ends on its own (answer,
    /// revert or the client's deadline) and the first failure is reported after all have ended.
    func settle<R>(_ contract: Address, _ name: String, _ prepare: () throws -> ContractCall<R>) async -> Result<R, any Error> {
        do { return .success(try await get(contract, name, prepare)) } catch { return .failure(error) }
    }

    /// The account and `slots` proven at the audited block.
    func prove(_ contract: Address, slots: [UInt256]) async throws -> ProvenAccount {
        var unique: [Hash32] = []
        var seen = Set<Hash32>()
        for slot in slots where seen.insert(slot.hash32).inserted { unique.append(slot.hash32) }
        let proof: AccountProof
        do {
            proof = try await client.proof(of: contract, slots: unique, at: block)
        } catch let error as LedgerClientError {
            if case .transport = error { throw error }
            throw AuditFailure("eth_getProof for \(contract): \(error)")
        }
        do { return try ProvenAccount(verifying: proof, stateRoot: stateRoot) } catch { throw AuditFailure("\(error)") }
    }
}

/// A storage word a getter value must match: which variable, where, and what the getter said.
struct ExpectedSlot {
    let variable: String
    let slot: UInt256
    let word: UInt256
}

/// Compares proven slots with what the getters returned.
enum SlotComparison {
    /// The variables whose proven word differs from the getter, as evidence text.
    static func mismatches(_ expected: [ExpectedSlot], _ account: ProvenAccount) -> [String] {
        expected.compactMap { entry in
            let proven = account[entry.slot] ?? .zero
            return proven == entry.word ? nil : "\(entry.variable) (slot \(entry.slot)): getter \(entry.word), proven \(proven)"
        }
    }

    static func word(_ address: Address) -> UInt256 {
        (try? UInt256(bigEndian: address.bytes)) ?? .zero
    }

    static func word(_ flag: Bool) -> UInt256 { flag ? .one : .zero }

    static func word(_ hash: Hash32) -> UInt256 { UInt256(hash) }

    static func word(_ count: Int) -> UInt256 { UInt256(UInt64(count)) }

    /// Evidence for a passing storage check.
    static func summary(_ expected: [ExpectedSlot], blockNumber: UInt64, stateRoot: Hash32) -> String {
        var names: [String] = []
        for entry in expected where !names.contains(entry.variable) { names.append(entry.variable) }
        return "\(expected.count) slots (\(names.joined(separator: ", "))) proven against stateRoot \(stateRoot) "
            + "of sealed block \(blockNumber) equal the getters"
    }
}
