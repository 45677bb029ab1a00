import Foundation
import Primitives

/// A JSON object inside a key file, with accessors that name the dotted field path in every
/// error (`crypto.kdfparams.salt`), so a broken file says exactly what is wrong with it.
struct KeystoreJSON {
    let fields: [String: Any]
    let prefix: String

    init(data: Data) throws(KeystoreError) {
        let parsed: Any
        do { parsed = try JSONSerialization.jsonObject(with: data) } catch {
            throw .malformedJSON(reason: error.localizedDescription)
        }
        guard let object = parsed as? [String: Any] else { throw .malformedJSON(reason: "top level is not an object") }
        self.init(fields: object, prefix: "")
    }

    init(fields: [String: Any], prefix: String) { self.fields = fields; self.prefix = prefix }

    func path(_ key: String) -> String { prefix.isEmpty ? key : prefix + "." + key }

    func has(_ key: String) -> Bool { fields[key] != nil && !(fields[key] is NSNull) }

    func value(_ key: String) throws(KeystoreError) -> Any {
        guard let value = fields[key], !(value is NSNull) else { throw .missingField(path(key)) }
        return value
    }

    func object(_ key: String) throws(KeystoreError) -> KeystoreJSON {
        guard let object = try value(key) as? [String: Any] else { throw .invalidField(path(key), reason: "not an object") }
        return KeystoreJSON(fields: object, prefix: path(key))
    }

    func string(_ key: String) throws(KeystoreError) -> String {
        guard let text = try value(key) as? String else { throw .invalidField(path(key), reason: "not a string") }
        return text
    }

    /// An integer field; JSON numbers with a fraction or outside Int's range are refused.
    func int(_ key: String) throws(KeystoreError) -> Int {
        let raw = try value(key)
        // JSONSerialization yields NSNumber for numbers. (It also does for true/false, which
        // cannot be told apart portably; they read as 1/0 and the range checks still apply.)
        guard let number = raw as? NSNumber else {
            throw .invalidField(path(key), reason: "not a number")
        }
        let double = number.doubleValue
        guard double.rounded() == double, abs(double) < 9.0e15 else {
            throw .invalidField(path(key), reason: "not an integer in range, got \(number)")
        }
        return number.intValue
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
