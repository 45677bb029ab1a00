import COpenSSL

/// Failures from the OpenSSL-backed primitives (digests, key derivation, AES, randomness).
/// Each case names the algorithm or parameter at fault; `detail` carries OpenSSL's own reason
/// when it gave one.
public enum OpenSSLError: Error, Equatable, CustomStringConvertible {
    /// The algorithm could not be fetched from any loaded OpenSSL provider.
    case algorithmUnavailable(algorithm: String, detail: String)
    /// A parameter is outside what the algorithm accepts (checked before calling OpenSSL).
    case invalidParameter(algorithm: String, parameter: String, reason: String)
    /// OpenSSL reported a failure while running the operation.
    case operationFailed(algorithm: String, detail: String)

    public var description: String {
        switch self {
        case .algorithmUnavailable(let algorithm, let detail):
            return "OpenSSL has no \(algorithm) implementation loaded: \(detail)"
        case .invalidParameter(let algorithm, let parameter, let reason):
            return "\(algorithm): invalid \(parameter): \(reason)"
        case .operationFailed(let algorithm, let detail):
            return "\(algorithm) failed in OpenSSL: \(detail)"
        }
    }

    /// Drains OpenSSL's thread-local error queue into one readable line.
    static func drainErrorQueue() -> String {
        var reasons = [String]()
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var text = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &text, text.count)
            reasons.append(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return reasons.isEmpty ? "no reason given" : reasons.joined(separator: "; ")
    }
}
