import Foundation
import Primitives

/// ML's files (architecture, preprocessing, metrics, safetensors headers) in the shared
/// `JSONValue`, with ML's error type and its canonical bytes.
extension JSONValue {
    /// Parses a whole JSON file; a malformed one is `MLError.invalidFile` naming the byte.
    public init(document data: Data) throws(MLError) {
        do {
            try self.init(parsing: [UInt8](data))
        } catch {
            throw MLError.invalidFile("malformed JSON at byte \(error.offset): \(error.reason)")
        }
    }

    /// Canonical UTF-8 bytes (`canonicalString`): what the architecture and metrics hashes cover.
    public var canonicalData: Data { Data(canonicalString.utf8) }
}
