import COpenSSL

/// A message digest fetched once from OpenSSL 3's providers and reused for every call.
/// `EVP_MD` objects are immutable after the fetch, so sharing one across threads is safe.
struct FetchedDigest: @unchecked Sendable {
    let name: String
    let md: OpaquePointer?
    let fetchFailure: String

    /// Fetches `name` from the default provider; failing that, from whichever provider the
    /// property query `fallbackQuery` selects (the legacy provider, for RIPEMD-160 on builds
    /// whose default provider lacks it).
    init(_ name: String, fallbackQuery: String? = nil) {
        self.name = name
        var md = EVP_MD_fetch(nil, name, nil)
        var failure = ""
        if md == nil {
            failure = OpenSSLError.drainErrorQueue()
            if let query = fallbackQuery {
                md = EVP_MD_fetch(nil, name, query)
                if md == nil { failure += "; with \"\(query)\": " + OpenSSLError.drainErrorQueue() }
            }
        }
        self.md = md
        self.fetchFailure = failure
    }

    var outputSize: Int { md.map { Int(EVP_MD_get_size($0)) } ?? 0 }

    /// Digests `data` into a new array.
    func hash(_ data: UnsafeRawBufferPointer) throws(OpenSSLError) -> [UInt8] {
        guard let md else { throw .algorithmUnavailable(algorithm: name, detail: fetchFailure) }
        var out = [UInt8](repeating: 0, count: outputSize)
        var written: UInt32 = 0
        // EVP_Digest reads nothing when count is 0, but wants a non-null pointer all the same.
        var empty: UInt8 = 0
        let ok = withUnsafePointer(to: &empty) { emptyPointer in
            EVP_Digest(data.baseAddress ?? UnsafeRawPointer(emptyPointer), data.count, &out, &written, md, nil)
        }
        guard ok == 1, Int(written) == out.count else {
            throw .operationFailed(algorithm: name, detail: OpenSSLError.drainErrorQueue())
        }
        return out
    }
}

/// SHA-256 (FIPS 180-4) through OpenSSL; the EVM's precompile 0x02 and PBKDF2's PRF use it.
public enum SHA256 {
    static let digest = FetchedDigest("SHA256")

    /// The 32-byte SHA-256 digest of `data`.
    public static func hash(_ data: UnsafeRawBufferPointer) throws(OpenSSLError) -> [UInt8] {
        try digest.hash(data)
    }

    /// The 32-byte SHA-256 digest of `data`.
    public static func hash<C: Collection>(_ data: C) throws(OpenSSLError) -> [UInt8] where C.Element == UInt8 {
        try withContiguousBytes(data) { (raw) throws(OpenSSLError) in try digest.hash(raw) }
    }
}

/// RIPEMD-160 through OpenSSL; the EVM's precompile 0x03 uses it. OpenSSL 3.0.7 and later
/// ship it in the default provider; older 3.x builds only have it in the legacy provider,
/// which must then be activated in openssl.cnf (the error says so).
public enum RIPEMD160 {
    static let digest = FetchedDigest("RIPEMD160", fallbackQuery: "provider=legacy")

    /// Whether OpenSSL could provide RIPEMD-160 in this process.
    public static var isAvailable: Bool { digest.md != nil }

    /// The 20-byte RIPEMD-160 digest of `data`.
    public static func hash(_ data: UnsafeRawBufferPointer) throws(OpenSSLError) -> [UInt8] {
        do {
            return try digest.hash(data)
        } catch .algorithmUnavailable(let algorithm, let detail) {
            throw .algorithmUnavailable(
                algorithm: algorithm,
                detail: detail + " (neither the default nor the legacy provider offers it; "
                    + "activate the legacy provider in openssl.cnf)")
        }
    }

    /// The 20-byte RIPEMD-160 digest of `data`.
    public static func hash<C: Collection>(_ data: C) throws(OpenSSLError) -> [UInt8] where C.Element == UInt8 {
        try withContiguousBytes(data) { (raw) throws(OpenSSLError) in try hash(raw) }
    }
}

/// FIPS 202 SHA3-256 through OpenSSL. Not Ethereum's Keccak-256 (the padding differs);
/// MLedger uses it only as the benchmark reference for the same Keccak-f[1600] permutation.
public enum SHA3_256 {
    static let digest = FetchedDigest("SHA3-256")

    /// The 32-byte SHA3-256 digest of `data`.
    public static func hash(_ data: UnsafeRawBufferPointer) throws(OpenSSLError) -> [UInt8] {
        try digest.hash(data)
    }

    /// The 32-byte SHA3-256 digest of `data`.
    public static func hash<C: Collection>(_ data: C) throws(OpenSSLError) -> [UInt8] where C.Element == UInt8 {
        try withContiguousBytes(data) { (raw) throws(OpenSSLError) in try digest.hash(raw) }
    }
}

/// Runs `body` over the bytes of `data`, copying only when the collection is not contiguous.
func withContiguousBytes<C: Collection, R>(
    _ data: C, _ body: (UnsafeRawBufferPointer) throws(OpenSSLError) -> R
) throws(OpenSSLError) -> R where C.Element == UInt8 {
    let direct = data.withContiguousStorageIfAvailable { buffer in
        Result { () throws(OpenSSLError) -> R in try body(UnsafeRawBufferPointer(buffer)) }
    }
    if let direct { return try direct.get() }
    return try Array(data).withUnsafeBytes { raw in
        Result { () throws(OpenSSLError) -> R in try body(raw) }
    }.get()
}
