import RPC
import HTTPTypes
import Primitives

/// Why a verification request failed; each case is one HTTP status with a JSON body
/// `{"error": "...", ...}` (`field` for 422, `reason` for reverts).
public enum VerificationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// 422: a body or query field is missing or invalid; `field` is its dotted path.
    case invalidField(String, reason: String)
    /// 422: the body is not a JSON object.
    case invalidBody(String)
    /// 404: no record of the asked kind at the address.
    case notFound(String)
    /// 409: the contract refused the transaction (revert reason from the chain).
    case reverted(reason: String?)
    /// 403: the record's owner is not an account this node holds keys for.
    case notOwner(String)
    /// 502: the ledger could not be reached or answered with an error.
    case ledger(String)
    /// 500: a local failure (keystore, encoding).
    case internalFailure(String)

    public var status: HTTPResponse.Status {
        switch self {
        case .invalidField, .invalidBody: return .unprocessableContent
        case .notFound: return .notFound
        case .reverted: return .conflict
        case .notOwner: return .forbidden
        case .ledger: return .badGateway
        case .internalFailure: return .internalServerError
        }
    }

    public var description: String {
        switch self {
        case let .invalidField(field, reason): return "\(field): \(reason)"
        case .invalidBody(let reason): return "invalid body: \(reason)"
        case .notFound(let what): return what
        case .reverted(let reason): return "execution reverted" + (reason.map { ": \($0)" } ?? "")
        case .notOwner(let what): return what
        case .ledger(let what): return "ledger error: \(what)"
        case .internalFailure(let what): return "internal error: \(what)"
        }
    }

    /// The JSON body sent with the status.
    public var body: JSONValue {
        var fields: [String: JSONValue] = ["error": .string(description)]
        switch self {
        case .invalidField(let field, _): fields["field"] = .string(field)
        case .reverted(let reason): fields["reason"] = reason.map { .string($0) } ?? .null
        default: break
        }
        return .object(fields)
    }
}
