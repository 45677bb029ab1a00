import COpenSSL

/// AES-128 in counter mode (NIST SP 800-38A) through OpenSSL, the keystore v3 cipher. The
/// 16-byte IV is the initial counter block, incremented as one big-endian 128-bit integer.
/// Encryption and decryption are the same operation.
public enum AES128CTR {
    /// XORs `data` with the AES-128-CTR key stream of `key` (16 bytes) starting at `iv` (16 bytes).
    public static func apply(key: [UInt8], iv: [UInt8], data: [UInt8]) throws(OpenSSLError) -> [UInt8] {
        guard key.count == 16 else {
            throw .invalidParameter(algorithm: "AES-128-CTR", parameter: "key", reason: "must be 16 bytes, got \(key.count)")
        }
        guard iv.count == 16 else {
            throw .invalidParameter(algorithm: "AES-128-CTR", parameter: "iv", reason: "must be 16 bytes, got \(iv.count)")
        }
        guard data.count <= Int(Int32.max) else {
            throw .invalidParameter(algorithm: "AES-128-CTR", parameter: "data", reason: "longer than 2^31 - 1 bytes")
        }
        if data.isEmpty { return [] }
        guard let context = EVP_CIPHER_CTX_new() else {
            throw .operationFailed(algorithm: "AES-128-CTR", detail: OpenSSLError.drainErrorQueue())
        }
        defer { EVP_CIPHER_CTX_free(context) }
        var out = [UInt8](repeating: 0, count: data.count + 16)
        var written: Int32 = 0
        var tail: Int32 = 0
        guard EVP_EncryptInit_ex(context, EVP_aes_128_ctr(), nil, key, iv) == 1,
              EVP_EncryptUpdate(context, &out, &written, data, Int32(data.count)) == 1
        else {
            throw .operationFailed(algorithm: "AES-128-CTR", detail: OpenSSLError.drainErrorQueue())
        }
        let finished = out.withUnsafeMutableBufferPointer { buffer in
            EVP_EncryptFinal_ex(context, buffer.baseAddress! + Int(written), &tail)
        }
        guard finished == 1, Int(written + tail) == data.count else {
            throw .operationFailed(algorithm: "AES-128-CTR", detail: OpenSSLError.drainErrorQueue())
        }
        out.removeLast(out.count - data.count)
        return out
    }
}
