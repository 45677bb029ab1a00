/// How a verified payload names the developer, the company and the roles, Keycloak's way:
/// `sub` is the developer; the company is the configured claim (default `organization`) or a
/// group path `/companies/<name>` in `groups`; roles come from `realm_access.roles`.
public struct ClaimMapping: Sendable, Equatable {
    public var companyClaim: String
    /// The group path prefix that names a company in `groups` (Keycloak group membership).
    public var companyGroupPrefix = "/companies/"

    public init(companyClaim: String = "organization") {
        self.companyClaim = companyClaim
    }

    public func caller(from claims: TokenClaims, fingerprint: String, expires: Double) throws(AccessDenied) -> Caller {
        guard let subject = claims["sub"]?.stringValue, !subject.isEmpty else {
            throw .unauthorized("token has no subject (sub)")
        }
        let company = try company(from: claims)
        var roleNames: [String] = []
        if case .object(let realm)? = claims["realm_access"] { roleNames = realm["roles"]?.strings ?? [] }
        let roles = AccessRole.known(in: roleNames)
        guard !roles.isEmpty else {
            throw .forbidden("token carries no MLedger role (realm_access.roles: mlaas-developer, mlaas-auditor or mlaas-admin)")
        }
        return Caller(developer: subject, company: company, roles: roles, tokenFingerprint: fingerprint, expires: expires)
    }

    /// The one company the token names: the configured claim (a string, a one-element array,
    /// a Keycloak organization object with one key, or a group path), else a `/companies/…`
    /// group. Several companies, or none, are refused rather than guessed.
    func company(from claims: TokenClaims) throws(AccessDenied) -> String {
        var candidates: [String] = []
        switch claims[companyClaim] {
        case .string(let value)?: candidates = [value]
        case .array(let values)?: candidates = values.compactMap(\.stringValue)
        case .object(let organizations)?: candidates = Array(organizations.keys)
        default: break
        }
        candidates = candidates.map { $0.hasPrefix(companyGroupPrefix) ? String($0.dropFirst(companyGroupPrefix.count)) : $0 }
        if candidates.isEmpty, companyClaim != "groups" {
            candidates = (claims["groups"]?.strings ?? []).filter { $0.hasPrefix(companyGroupPrefix) }
                .map { String($0.dropFirst(companyGroupPrefix.count)) }
        }
        candidates = Array(Set(candidates.filter { !$0.isEmpty && !$0.contains("/") })).sorted()
        guard let company = candidates.first else {
            throw .forbidden("token names no company (claim \(companyClaim) or a \(companyGroupPrefix)<name> group)")
        }
        guard candidates.count == 1 else { throw .forbidden("token names \(candidates.count) companies; one is required") }
        return company
    }
}
