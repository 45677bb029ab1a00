import Foundation
import Primitives

/// One JSON value of a token's payload. Claims are kept as JSON rather than as fixed fields:
/// which claim names the company is configurable, and Keycloak nests roles in objects.
public enum ClaimValue: Codable, Sendable, Equatable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case array([ClaimValue])
    case object([String: ClaimValue])
    case null

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null; return }
        if let value = try? container.decode(Bool.self) { self = .bool(value); return }
        if let value = try? container.decode(Double.self) { self = .number(value); return }
        if let value = try? container.decode(String.self) { self = .string(value); return }
        if let value = try? container.decode([ClaimValue].self) { self = .array(value); return }
        self = .object(try container.decode([String: ClaimValue].self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .number(let value):
            // Whole seconds stay integers on the wire (exp, nbf, iat).
            if value == value.rounded(), abs(value) < 1e15 { try container.encode(Int64(value)) } else { try container.encode(value) }
        case .bool(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        case .null: try container.encodeNil()
        }
    }

    /// The same value read from MLedger's JSON reader (numbers become Doubles, as in `Codable`).
    init?(_ json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let value): self = .bool(value)
        case .number(let number):
            guard let value = number.double else { return nil }
            self = .number(value)
        case .string(let value): self = .string(value)
        case .array(let items):
            var values: [ClaimValue] = []
            values.reserveCapacity(items.count)
            for item in items {
                guard let value = ClaimValue(item) else { return nil }
                values.append(value)
            }
            self = .array(values)
        case .object(let members):
            var values: [String: ClaimValue] = [:]
            values.reserveCapacity(members.count)
            for (name, member) in members {
                guard let value = ClaimValue(member) else { return nil }
                values[name] = value
            }
            self = .object(values)
        }
    }

    var stringValue: String? { if case .string(let value) = self { return value }; return nil }
    var numberValue: Double? { if case .number(let value) = self { return value }; return nil }
    /// A string, or the strings of an array (other elements ignored).
    var strings: [String] {
        switch self {
        case .string(let value): return [value]
        case .array(let values): return values.compactMap(\.stringValue)
        default: return []
        }
    }
}

/// A token's payload as its claims; the time, issuer and audience rules live in
/// `TokenVerifier`, which knows the configured skew and names each failure.
public struct TokenClaims: Codable, Sendable, Equatable {
    public var claims: [String: ClaimValue]

    public init(_ claims: [String: ClaimValue]) { self.claims = claims }

    public init(from decoder: any Decoder) throws {
        claims = try [String: ClaimValue](from: decoder)
    }

    public func encode(to encoder: any Encoder) throws { try claims.encode(to: encoder) }

    /// A payload's JSON bytes: an object, or nil. MLedger's own reader rather than
    /// `JSONDecoder`: this runs on every authenticated request and the reader is several times faster.
    public init?(json bytes: [UInt8]) {
        guard case .object(let members)? = JSONValue.parse(bytes), case .object(let claims)? = ClaimValue(.object(members)) else {
            return nil
        }
        self.claims = claims
    }

    public subscript(name: String) -> ClaimValue? { claims[name] }
}
