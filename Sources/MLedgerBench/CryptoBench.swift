import COpenSSL
import CSecp256k1
import LedgerCrypto
import Foundation
import Primitives

/// Crypto figures, each beside its reference measured in the same run: Keccak-256 against
/// OpenSSL's SHA3-256 (the same Keccak-f[1600] permutation, rate 136), the secp256k1 wrapper
/// against libsecp256k1 called directly, SHA-256 through OpenSSL.
func runCryptoBenchmarks() {
    print("== crypto ==")
    let mib = [UInt8](repeating: 0x61, count: 1 << 20)
    let small = [UInt8](repeating: 0x5a, count: 32)
    guard let sha3 = EVP_MD_fetch(nil, "SHA3-256", nil) else {
        print("openssl SHA3-256 unavailable; skipping the keccak reference rows")
        return
    }
    defer { EVP_MD_free(sha3) }
    var digest = [UInt8](repeating: 0, count: 64)
    var digestLength: UInt32 = 0
    var sink: UInt64 = 0

    // 1 MiB throughput (MB/s = 10^6 bytes per second). The pairs are measured interleaved,
    // so load from other processes on a shared machine hits both sides alike.
    let megabytes = Double(mib.count) / 1e6
    let (keccakMiB, opensslMiB) = measureInterleaved(
        { sink &+= Keccak256.hash(mib).w0 },
        { _ = EVP_Digest(mib, mib.count, &digest, &digestLength, sha3, nil) })
    report("keccak256 1MiB", megabytes / keccakMiB, "MB/s")
    report("openssl sha3-256 1MiB", megabytes / opensslMiB, "MB/s", reference: "(reference)")

    // 32-byte inputs: per-call overhead dominates (one permutation per hash).
    let batch = 1000
    let (keccakSmall, opensslSmall) = measureInterleaved(
        { for _ in 0..<batch { sink &+= Keccak256.hash(small).w0 } },
        { for _ in 0..<batch { _ = EVP_Digest(small, small.count, &digest, &digestLength, sha3, nil) } })
    report("keccak256 32B", Double(batch) / keccakSmall, "hashes/s")
    report("openssl sha3-256 32B", Double(batch) / opensslSmall, "hashes/s", reference: "(reference)")
    report("keccak/openssl-sha3 throughput ratio", opensslMiB / keccakMiB, "x",
           reference: "(1 MiB; target >= 0.8)")

    // The 64 KiB chunk leaves of 1 MiB (16 chunks): four at a time where the CPU has AVX-512 VL,
    // beside the scalar hash of the same chunks one by one.
    var leaves = [Hash32](repeating: .zero, count: 16)
    let (wideChunks, scalarChunks) = measureInterleaved(
        { mib.withUnsafeBytes { bytes in leaves.withUnsafeMutableBufferPointer { Keccak256.hashChunks(bytes, chunkSize: 65_536, into: $0) } }
          sink &+= leaves[15].w0 },
        { mib.withUnsafeBytes { bytes in for i in 0..<16 { sink &+= Keccak256.hash(UnsafeRawBufferPointer(rebasing: bytes[i * 65_536..<(i + 1) * 65_536])).w0 } } })
    report("keccak256 64KiB chunk leaves of 1MiB", megabytes / wideChunks, "MB/s",
           reference: String(format: "one chunk at a time %.0f MB/s (%@)", megabytes / scalarChunks,
                             Keccak256.wideChunks ? "four-way AVX-512 in use" : "four-way off: no AVX-512 VL or MLEDGER_KECCAK_BASELINE=1"))

    benchmarkRecover(&sink)

    let sha256MiB = measure { sink &+= UInt64((try? SHA256.hash(mib))?.first ?? 0) }
    report("sha256 1MiB", megabytes / sha256MiB, "MB/s")

    benchmarkScrypt(&sink)
    if sink == 42 { print("") }  // keeps the measured work observable to the optimiser
}

/// Public-key recovery through `Secp256k1.recoverAddress` against the same recovery through
/// libsecp256k1 directly (signature parsed once, outside the loop), plus Keccak of the key so
/// both sides produce an address.
private func benchmarkRecover(_ sink: inout UInt64) {
    let privateKey = [UInt8](repeating: 0x11, count: 32)
    let hash = Keccak256.hash(Array("mledger recover bench".utf8))
    guard let signature = try? Secp256k1.sign(hash: hash, privateKey: privateKey),
          let context = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE)) else {
        print("secp256k1 setup failed; skipping recover rows")
        return
    }
    defer { secp256k1_context_destroy(context) }
    let batch = 50
    var compact = signature.r.bigEndianBytes + signature.s.bigEndianBytes
    var parsed = secp256k1_ecdsa_recoverable_signature()
    _ = secp256k1_ecdsa_recoverable_signature_parse_compact(context, &parsed, &compact, Int32(signature.recoveryId))
    let message = hash.bytes
    var serialized = [UInt8](repeating: 0, count: 65)
    let (wrapped, direct) = measureInterleaved({
        for _ in 0..<batch {
            if let address = try? Secp256k1.recoverAddress(hash: hash, signature: signature) { sink &+= address.lo }
        }
    }, {
        for _ in 0..<batch {
            var pubkey = secp256k1_pubkey()
            guard secp256k1_ecdsa_recover(context, &pubkey, &parsed, message) == 1 else { continue }
            var length = 65
            secp256k1_ec_pubkey_serialize(context, &serialized, &length, &pubkey, UInt32(SECP256K1_EC_UNCOMPRESSED))
            serialized.withUnsafeBytes { sink &+= Keccak256.hash(UnsafeRawBufferPointer(rebasing: $0[1..<65])).w3 }
        }
    })
    report("secp256k1 recover", Double(batch) / wrapped, "/s")
    report("libsecp256k1 recover direct", Double(batch) / direct, "/s", reference: "(reference)")
}

/// Times `a` and `b` in alternating short `measure` runs and returns each one's median seconds
/// per call, so a burst of load from other processes does not land on one side only.
private func measureInterleaved(rounds: Int = 7, _ a: () -> Void, _ b: () -> Void) -> (Double, Double) {
    var timesA = [Double](), timesB = [Double]()
    for _ in 0..<rounds {
        timesA.append(measure(seconds: 0.08, rounds: 1, a))
        timesB.append(measure(seconds: 0.08, rounds: 1, b))
    }
    timesA.sort()
    timesB.sort()
    return (timesA[rounds / 2], timesB[rounds / 2])
}

/// scrypt as keystore files use it: one standard unlock (n = 2^18, r = 8: 256 MiB), and the
/// Swift ROMix core (taken only where OpenSSL refuses N >= 2^(16r)) against OpenSSL's at n = 2^14.
private func benchmarkScrypt(_ sink: inout UInt64) {
    let password = Array("bench passphrase".utf8), salt = [UInt8](repeating: 7, count: 32)
    let unlock = measure(seconds: 0.1, rounds: 1) {
        sink &+= UInt64((try? Scrypt.derive(password: password, salt: salt, n: 1 << 18, r: 8, p: 1, length: 32))?.first ?? 0)
    }
    report("scrypt n=2^18 r=8 p=1 (keystore unlock)", 1 / unlock, "/s")
    let (swiftCore, openssl) = measureInterleaved(rounds: 3, {
        sink &+= UInt64((try? Scrypt.deriveWithoutOpenSSLCore(password: password, salt: salt, n: 1 << 14, r: 8, p: 1, length: 32))?.first ?? 0)
    }, {
        sink &+= UInt64((try? Scrypt.derive(password: password, salt: salt, n: 1 << 14, r: 8, p: 1, length: 32))?.first ?? 0)
    })
    report("scrypt swift core n=2^14 r=8 p=1", 1 / swiftCore, "/s")
    report("scrypt openssl n=2^14 r=8 p=1", 1 / openssl, "/s", reference: "(reference)")
}
