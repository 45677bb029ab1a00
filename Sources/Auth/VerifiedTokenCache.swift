import NIOConcurrencyHelpers
import Primitives
import Crypto

/// Tokens that passed every rule, by the SHA-256 of their text (the token itself is never kept),
/// with the caller they map to and the `kid` that signed them.
///
/// Safe to reuse because a verified token's answer can change only with time (its `exp`, which
/// `TokenVerifier` checks on every hit; `nbf` and `iat` only get further behind) or with the key
/// set (the `kid` is looked up again on every hit). Policy is fixed for a verifier's lifetime.
/// Base64url decoding is canonical (no spare bits), so one signature has one spelling and a
/// re-spelled token is a different digest that goes through full verification.
///
/// Bounded: when full, expired entries are dropped first, then the whole table (the next
/// requests simply verify again); capacity 0 disables it.
final class VerifiedTokenCache: Sendable {
    struct Digest: Hashable, Sendable {
        let words: (UInt64, UInt64, UInt64, UInt64)

        init(_ digest: SHA256.Digest) {
            words = digest.withUnsafeBytes { raw in
                (raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self), raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                 raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self), raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
            }
        }

        static func == (a: Digest, b: Digest) -> Bool { a.words == b.words }
        func hash(into hasher: inout Hasher) { hasher.combine(words.0); hasher.combine(words.1) }

        /// First 16 bytes, hex (the rate limiter's key and the audit log's token id).
        var fingerprint: String {
            withUnsafeBytes(of: words) { Hex.encode(Array($0.prefix(16)), prefix: false) }
        }
    }

    struct Entry: Sendable {
        let caller: Caller
        let kid: String
    }

    let capacity: Int
    private let table = NIOLockedValueBox([Digest: Entry]())

    init(capacity: Int) { self.capacity = capacity }

    func entry(for digest: Digest) -> Entry? {
        guard capacity > 0 else { return nil }
        return table.withLockedValue { $0[digest] }
    }

    func remember(_ digest: Digest, caller: Caller, kid: String, now: Double) {
        guard capacity > 0 else { return }
        table.withLockedValue { entries in
            if entries.count >= capacity {
                entries = entries.filter { $0.value.caller.expires > now }
                if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            }
            entries[digest] = Entry(caller: caller, kid: kid)
        }
    }

    func forget(_ digest: Digest) {
        _ = table.withLockedValue { $0.removeValue(forKey: digest) }
    }
}
