import Foundation
import Primitives

/// A JSON object inside a key file, with accessors that name the dotted field path in every
/// error (`crypto.kdfparams.salt`), so a broken file says exactly what is wrong with it.
struct KeystoreJSON {
    let fields: [String: JSONValue]
    let prefix: String

    init(data: Data) throws(KeystoreError) {
        let parsed: JSONValue
        do { parsed = try JSONValue(parsing: [UInt8](data)) } catch {
            throw .malformedJSON(reason: error.description)
        }
        guard let object = parsed.objectValue else { throw .malformedJSON(reason: "top level is not an object") }
        self.init(fields: object, prefix: "")
    }

    init(fields: [String: JSONValue], prefix: String) { self.fields = fields; self.prefix = prefix }

    func path(_ key: String) -> String { prefix.isEmpty ? key : prefix + "." + key }

    func has(_ key: String) -> Bool { fields[key].map { !$0.isNull } ?? false }

    func value(_ key: String) throws(KeystoreError) -> JSONValue {
        guard let value = fields[key], !value.isNull else { throw .missingField(path(key)) }
        return value
    }

    func object(_ key: String) throws(KeystoreError) -> KeystoreJSON {
        guard let object = try value(key).objectValue else { throw .invalidField(path(key), reason: "not an object") }
        return KeystoreJSON(fields: object, prefix: path(key))
    }

    func string(_ key: String) throws(KeystoreError) -> String {
        guard let text = try value(key).stringValue else { throw .invalidField(path(key), reason: "not a string") }
        return text
    }

    /// An integer field; JSON numbers with a fraction or outside Int's range are refused.
    func int(_ key: String) throws(KeystoreError) -> Int {
        let raw = try value(key)
        guard case .number(let number) = raw else { throw .invalidField(path(key), reason: "not a number") }
        guard let value = number.int else {
            throw .invalidField(path(key), reason: "not an integer in range, got \(number.text)")
        }
        return value
    }

    /// Hex bytes (with or without 0x); `count` fixes the length when given.
    func hexBytes(_ key: String, count: Int? = nil) throws(KeystoreError) -> [UInt8] {
        let text = try string(key)
        let bytes: [UInt8]
        do { bytes = try Hex.decode(text) } catch { throw .invalidField(path(key), reason: "\(error)") }
        if let count, bytes.count != count {
            throw .invalidField(path(key), reason: "must be \(count) bytes, got \(bytes.count)")
        }
        return bytes
    }
}
