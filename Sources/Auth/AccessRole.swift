/// The MLaaS realm roles MLedger understands (Keycloak `realm_access.roles`): developers read
/// and write their company's records, auditors only read them, admins do both. No role reaches
/// another company's records.
public enum AccessRole: String, Sendable, CaseIterable, Codable {
    case developer = "mlaas-developer"
    case auditor = "mlaas-auditor"
    case admin = "mlaas-admin"

    public var canWrite: Bool { self != .auditor }

    /// The roles of `names` that MLedger knows, in a stable order.
    public static func known(in names: [String]) -> [AccessRole] {
        allCases.filter { names.contains($0.rawValue) }
    }
}

/// Who a verified token speaks for.
public struct Caller: Sendable, Equatable {
    /// `sub`.
    public var developer: String
    public var company: String
    public var roles: [AccessRole]
    /// A fingerprint of the token (not the token): the rate limiter's key.
    public var tokenFingerprint: String
    public var expires: Double

    public init(developer: String, company: String, roles: [AccessRole], tokenFingerprint: String, expires: Double) {
        self.developer = developer
        self.company = company
        self.roles = roles
        self.tokenFingerprint = tokenFingerprint
        self.expires = expires
    }

    public var canWrite: Bool { roles.contains { $0.canWrite } }
}

/// Why a request was refused: 401 for a missing or unusable token, 403 for a valid token that
/// may not do what it asks. `reason` names the rule; it never contains the token.
public struct AccessDenied: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: Int
    public var reason: String

    public init(status: Int, reason: String) { self.status = status; self.reason = reason }

    public static func unauthorized(_ reason: String) -> AccessDenied { AccessDenied(status: 401, reason: reason) }
    public static func forbidden(_ reason: String) -> AccessDenied { AccessDenied(status: 403, reason: reason) }

    public var description: String { "\(status): \(reason)" }
}
