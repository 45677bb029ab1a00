import COpenSSL

/// SHA-256 and HMAC-SHA256 through OpenSSL, the two primitives SigV4 needs. Kept here rather
/// than taken from MLedger's LedgerCrypto so that this module depends on nothing of the ledger.
package enum Digest {
    /// The SHA-256 of `data`.
    package static func sha256<C: Collection>(_ data: C) -> [UInt8] where C.Element == UInt8 {
        let hasher = SHA256Hasher()
        hasher.update(data)
        return hasher.finalize()
    }

    /// HMAC-SHA256(key, data). OpenSSL's one-shot `EVP_Q_mac`; a signature needs five of them.
    static func hmacSHA256(key: [UInt8], data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var written = 0
        let ok = key.withUnsafeBytes { keyBytes in
            data.withUnsafeBufferPointer { dataBytes in
                out.withUnsafeMutableBufferPointer { outBytes in
                    EVP_Q_mac(nil, "HMAC", nil, "SHA256", nil,
                              keyBytes.baseAddress, keyBytes.count,
                              dataBytes.baseAddress, dataBytes.count,
                              outBytes.baseAddress, outBytes.count, &written)
                }
            }
        }
        // Only fails when OpenSSL cannot provide HMAC or SHA-256 at all: nothing to recover.
        precondition(ok != nil && written == 32, "OpenSSL HMAC-SHA256 unavailable")
        return out
    }

    package static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Incremental SHA-256 over an OpenSSL context (a class: the context is one resource, freed once).
package final class SHA256Hasher {
    private let context: OpaquePointer

    package init() {
        guard let context = EVP_MD_CTX_new(), EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else {
            preconditionFailure("OpenSSL SHA-256 unavailable")
        }
        self.context = context
    }

    deinit { EVP_MD_CTX_free(context) }

    package func update<C: Collection>(_ data: C) where C.Element == UInt8 {
        let done: Void? = data.withContiguousStorageIfAvailable { buffer in
            update(UnsafeRawBufferPointer(buffer))
        }
        if done == nil { update(Array(data)) }
    }

    package func update(_ raw: UnsafeRawBufferPointer) {
        guard raw.count > 0 else { return }
        let ok = EVP_DigestUpdate(context, raw.baseAddress, raw.count)
        precondition(ok == 1, "EVP_DigestUpdate failed")
    }

    /// The digest; call once, last.
    package func finalize() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var written: UInt32 = 0
        let ok = EVP_DigestFinal_ex(context, &out, &written)
        precondition(ok == 1 && written == 32, "EVP_DigestFinal_ex failed")
        return out
    }
}
