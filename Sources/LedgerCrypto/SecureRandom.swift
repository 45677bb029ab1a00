import COpenSSL

/// Cryptographically secure random bytes from OpenSSL's DRBG (seeded by the OS), for new
/// private keys, salts and IVs.
public enum SecureRandom {
    /// `count` random bytes.
    public static func bytes(_ count: Int) throws(OpenSSLError) -> [UInt8] {
        guard count >= 0, count <= Int(Int32.max) else {
            throw .invalidParameter(algorithm: "RAND_bytes", parameter: "count", reason: "must be 0...\(Int32.max), got \(count)")
        }
        var out = [UInt8](repeating: 0, count: count)
        if count == 0 { return out }
        guard RAND_bytes(&out, Int32(count)) == 1 else {
            throw .operationFailed(algorithm: "RAND_bytes", detail: OpenSSLError.drainErrorQueue())
        }
        return out
    }
}
