import Contracts
import Primitives
import Registry

/// Company scoping of the contract routes when the caller is authenticated: the organization
/// a body names must be the caller's, and a record another company owns is answered exactly as
/// an address without a record (same status, same message), so ids leak nothing.
extension VerificationService {
    func checkOrganization(_ named: String, caller: String?) throws(VerificationError) {
        guard let caller, named != caller else { return }
        throw .notOwner("organization_id \"\(named)\" is not the token's organization")
    }

    func checkOwner(of address: Address, kind: RecordKind, caller: String?, absent: String) async throws {
        guard try await isCallers(address, kind: kind, caller: caller) else { throw VerificationError.notFound(absent) }
    }

    /// True without a caller, or when the record's owner is the caller's company account
    /// (a record cited by a model, a parent model: no lineage reaches into another company).
    func isCallers(_ address: Address, kind: RecordKind, caller: String?) async throws -> Bool {
        guard let caller else { return true }
        let owner: Address
        switch kind {
        case .dataset: owner = try await reader.read(reader.dataset.owner(), at: address)
        case .model, .modelUnverified: owner = try await reader.read(reader.model.owner(), at: address)
        }
        return keyring.company(of: owner) == caller
    }
}
