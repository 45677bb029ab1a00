import COpenSSL

/// scrypt (RFC 7914) through OpenSSL, as keystore v3 files use it to stretch a passphrase.
public enum Scrypt {
    /// Memory ceiling for one derivation unless the caller passes another: 2 GiB, eight times
    /// what the standard keystore setting (n = 2^18, r = 8) needs, so a hostile key file
    /// cannot make the node allocate without bound.
    public static let defaultMemoryLimit = 2 << 30

    /// Bytes of working memory OpenSSL needs for these parameters: the n-block table V
    /// (128·r·(n+2) bytes, as OpenSSL counts it) plus the p blocks of B (128·r·p bytes).
    public static func memoryRequired(n: Int, r: Int, p: Int) -> Int {
        let (v, o1) = (128 * r).multipliedReportingOverflow(by: n + 2)
        let (b, o2) = (128 * r).multipliedReportingOverflow(by: p)
        let (sum, o3) = v.addingReportingOverflow(b)
        return o1 || o2 || o3 ? .max : sum
    }

    /// Derives `length` bytes from `password` and `salt` with cost `n` (a power of two above 1),
    /// block size `r` and parallelism `p`. The memory ceiling handed to OpenSSL is computed
    /// from the parameters (plus 1 MiB of margin) instead of OpenSSL's 32 MiB default, which
    /// the standard n = 262144, r = 8 setting exceeds.
    public static func derive(password: [UInt8], salt: [UInt8], n: Int, r: Int, p: Int, length: Int,
                              memoryLimit: Int = defaultMemoryLimit) throws(OpenSSLError) -> [UInt8] {
        func invalid(_ parameter: String, _ reason: String) -> OpenSSLError {
            .invalidParameter(algorithm: "scrypt", parameter: parameter, reason: reason)
        }
        guard n > 1, n & (n - 1) == 0 else { throw invalid("n", "must be a power of two above 1, got \(n)") }
        guard r > 0 else { throw invalid("r", "must be positive, got \(r)") }
        guard p > 0 else { throw invalid("p", "must be positive, got \(p)") }
        // RFC 7914 section 2: p ≤ (2^32 - 1) · 32 / (128 · r), i.e. r·p < 2^30.
        guard r.multipliedReportingOverflow(by: p).partialValue < 1 << 30, r < 1 << 30, p < 1 << 30 else {
            throw invalid("r·p", "must be below 2^30, got r=\(r) p=\(p)")
        }
        guard length > 0, length <= 1 << 20 else { throw invalid("length", "must be 1...1048576, got \(length)") }
        let needed = memoryRequired(n: n, r: r, p: p)
        guard needed <= memoryLimit else {
            throw invalid("n/r/p", "needs \(needed) bytes of memory, above the limit of \(memoryLimit)")
        }
        guard openSSLAccepts(n: n, r: r) else {
            return try ScryptROMix.derive(password: password, salt: salt, n: n, r: r, p: p, length: length)
        }
        var out = [UInt8](repeating: 0, count: length)
        // OpenSSL reads neither buffer when its length is 0, but wants real pointers.
        let pass = password.isEmpty ? [0] : password
        let saltBytes = salt.isEmpty ? [0] : salt
        let ok = pass.withUnsafeBufferPointer { passBuffer in
            passBuffer.withMemoryRebound(to: CChar.self) { passChars in
                EVP_PBE_scrypt(passChars.baseAddress, password.count, saltBytes, salt.count,
                               UInt64(n), UInt64(r), UInt64(p), UInt64(needed + (1 << 20)), &out, length)
            }
        }
        guard ok == 1 else { throw .operationFailed(algorithm: "scrypt", detail: OpenSSLError.drainErrorQueue()) }
        return out
    }
}

extension Scrypt {
    /// OpenSSL enforces RFC 7914's N < 2^(16·r); keystore files in the wild (n = 2^18, r = 1)
    /// break it, and those go to `ScryptROMix` instead.
    static func openSSLAccepts(n: Int, r: Int) -> Bool {
        16 * r >= 63 || n < 1 << (16 * r)
    }

    /// The in-Swift ROMix path regardless of parameters; tests use it to check both paths agree.
    package static func deriveWithoutOpenSSLCore(password: [UInt8], salt: [UInt8], n: Int, r: Int, p: Int,
                                                 length: Int) throws(OpenSSLError) -> [UInt8] {
        try ScryptROMix.derive(password: password, salt: salt, n: n, r: r, p: p, length: length)
    }
}

/// PBKDF2 (RFC 8018, section 5.2) through OpenSSL.
public enum PBKDF2 {
    /// PBKDF2 with HMAC-SHA256 as the pseudo-random function ("prf": "hmac-sha256" in keystore v3).
    public static func sha256(password: [UInt8], salt: [UInt8], iterations: Int, length: Int) throws(OpenSSLError) -> [UInt8] {
        func invalid(_ parameter: String, _ reason: String) -> OpenSSLError {
            .invalidParameter(algorithm: "PBKDF2-HMAC-SHA256", parameter: parameter, reason: reason)
        }
        guard iterations > 0, iterations <= Int(Int32.max) else {
            throw invalid("iterations", "must be 1...\(Int32.max), got \(iterations)")
        }
        guard length > 0, length <= 1 << 20 else { throw invalid("length", "must be 1...1048576, got \(length)") }
        guard password.count <= Int(Int32.max), salt.count <= Int(Int32.max) else {
            throw invalid("password/salt", "longer than 2^31 - 1 bytes")
        }
        var out = [UInt8](repeating: 0, count: length)
        // OpenSSL reads neither buffer when its length is 0, but wants real pointers.
        let pass = password.isEmpty ? [0] : password
        let saltBytes = salt.isEmpty ? [0] : salt
        let ok = pass.withUnsafeBufferPointer { passBuffer in
            passBuffer.withMemoryRebound(to: CChar.self) { passChars in
                PKCS5_PBKDF2_HMAC(passChars.baseAddress, Int32(password.count), saltBytes, Int32(salt.count),
                                  Int32(iterations), EVP_sha256(), Int32(length), &out)
            }
        }
        guard ok == 1 else {
            throw .operationFailed(algorithm: "PBKDF2-HMAC-SHA256", detail: OpenSSLError.drainErrorQueue())
        }
        return out
    }
}
