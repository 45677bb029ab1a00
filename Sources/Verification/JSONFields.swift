import Foundation
import RPC
import Primitives

/// Typed reads of a JSON object's fields for request validation: every failure is a
/// `VerificationError.invalidField` naming the dotted path of the field (`model_params.res_hash`).
package struct JSONFields {
    package let fields: [String: JSONValue]
    /// Path of this object inside the body ("" at the top).
    package let path: String

    package init(_ document: JSONValue?, path: String = "") throws(VerificationError) {
        guard case .object(let fields)? = document else {
            if path.isEmpty { throw .invalidBody("expected a JSON object") }
            throw .invalidField(path, reason: document == nil ? "is required" : "must be an object")
        }
        self.fields = fields
        self.path = path
    }

    package func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// Absent and `null` both read as nil.
    private func present(_ key: String) -> JSONValue? {
        guard let value = fields[key], value != .null else { return nil }
        return value
    }

    package func object(_ key: String) throws(VerificationError) -> JSONFields {
        try JSONFields(present(key), path: name(key))
    }

    package func string(_ key: String, maxBytes: Int = 128) throws(VerificationError) -> String {
        guard let value = try optionalString(key, maxBytes: maxBytes) else { throw .invalidField(name(key), reason: "is required") }
        return value
    }

    package func optionalString(_ key: String, maxBytes: Int = 128) throws(VerificationError) -> String? {
        guard let value = present(key) else { return nil }
        guard case .string(let text) = value else { throw .invalidField(name(key), reason: "must be a string") }
        guard text.utf8.count <= maxBytes else { throw .invalidField(name(key), reason: "is longer than \(maxBytes) bytes") }
        return text
    }

    /// A required non-empty string.
    package func nonEmptyString(_ key: String, maxBytes: Int = 128) throws(VerificationError) -> String {
        let text = try string(key, maxBytes: maxBytes)
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else { throw .invalidField(name(key), reason: "must not be empty") }
        return text
    }

    /// A non-negative integer: a JSON integer (read exactly, up to 2^256-1), or a decimal or
    /// 0x-hex string.
    package func optionalUInt(_ key: String) throws(VerificationError) -> UInt256? {
        guard let value = present(key) else { return nil }
        return try Self.uint(value, field: name(key))
    }

    /// A signed integer as int256 two's complement (fixed-point statistics).
    package func int256(_ key: String) throws(VerificationError) -> UInt256 {
        guard let value = present(key) else { throw .invalidField(name(key), reason: "is required") }
        if case .number(let number) = value, let text = number.integerText, text.hasPrefix("-") {
            let magnitude = try Self.uint(.string(String(text.dropFirst())), field: name(key))
            return magnitude.negated
        }
        if case .string(let text) = value, text.hasPrefix("-") {
            let magnitude = try Self.uint(.string(String(text.dropFirst())), field: name(key))
            return magnitude.negated
        }
        return try Self.uint(value, field: name(key))
    }

    package func optionalHash(_ key: String) throws(VerificationError) -> Hash32? {
        guard let text = try optionalString(key, maxBytes: 66) else { return nil }
        return try Self.hash(text, field: name(key))
    }

    package func optionalAddress(_ key: String) throws(VerificationError) -> Address? {
        guard let text = try optionalString(key, maxBytes: 42) else { return nil }
        return try Self.address(text, field: name(key))
    }

    /// An array of non-negative integers of at most `maxCount` items.
    package func optionalUIntArray(_ key: String, maxCount: Int) throws(VerificationError) -> [UInt256]? {
        guard let value = present(key) else { return nil }
        guard case .array(let items) = value else { throw .invalidField(name(key), reason: "must be an array of integers") }
        guard items.count <= maxCount else { throw .invalidField(name(key), reason: "has more than \(maxCount) items") }
        var out: [UInt256] = []
        for (i, item) in items.enumerated() { out.append(try Self.uint(item, field: "\(name(key))[\(i)]")) }
        return out
    }

    package func optionalArray(_ key: String, maxCount: Int) throws(VerificationError) -> [JSONValue]? {
        guard let value = present(key) else { return nil }
        guard case .array(let items) = value else { throw .invalidField(name(key), reason: "must be an array") }
        guard items.count <= maxCount else { throw .invalidField(name(key), reason: "has more than \(maxCount) items") }
        return items
    }

    package func raw(_ key: String) -> JSONValue? { present(key) }

    // MARK: Value parsers shared with query parameters

    package static func uint(_ value: JSONValue, field: String) throws(VerificationError) -> UInt256 {
        switch value {
        case .number(let number):
            if number.integerText?.hasPrefix("-") == true { throw .invalidField(field, reason: "must not be negative") }
            guard let n = number.uint256 else { throw .invalidField(field, reason: "must be a non-negative integer") }
            return n
        case .string(let text):
            if text.hasPrefix("0x"), let n = try? UInt256(hex: text) { return n }
            if let n = try? UInt256(decimal: text) { return n }
            throw .invalidField(field, reason: "must be a non-negative integer")
        default:
            throw .invalidField(field, reason: "must be a non-negative integer")
        }
    }

    /// 32 bytes of hex, with or without 0x.
    package static func hash(_ text: String, field: String) throws(VerificationError) -> Hash32 {
        guard let bytes = try? Hex.decode(text), bytes.count == 32, let hash = try? Hash32(bytes: bytes) else {
            throw .invalidField(field, reason: "must be 32 bytes of hex (0x followed by 64 hex digits)")
        }
        return hash
    }

    package static func address(_ text: String, field: String) throws(VerificationError) -> Address {
        guard let bytes = try? Hex.decode(text), bytes.count == 20, let address = try? Address(bytes: bytes) else {
            throw .invalidField(field, reason: "must be a contract address (0x followed by 40 hex digits)")
        }
        return address
    }
}
