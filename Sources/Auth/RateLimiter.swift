import Foundation
import NIOConcurrencyHelpers

/// A token bucket per key (a token's fingerprint): `ratePerSecond` requests per second on
/// average, bursts up to one second's worth. Buckets idle for a minute are dropped.
public final class RateLimiter: Sendable {
    public let ratePerSecond: Double
    private struct Bucket { var tokens: Double; var updated: Double }
    private let state = NIOLockedValueBox<(buckets: [String: Bucket], lastPrune: Double)>(([:], 0))
    private let now: @Sendable () -> Double

    public init(ratePerSecond: Double, now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        precondition(ratePerSecond > 0)
        self.ratePerSecond = ratePerSecond
        self.now = now
    }

    /// Nil when `key` may make a request now (one is taken), else the seconds until it may.
    public func admit(_ key: String) -> Double? {
        let time = now()
        let capacity = max(1, ratePerSecond)
        return state.withLockedValue { state -> Double? in
            if time - state.lastPrune > 60 {
                state.buckets = state.buckets.filter { time - $0.value.updated < 60 }
                state.lastPrune = time
            }
            var bucket = state.buckets[key] ?? Bucket(tokens: capacity, updated: time)
            bucket.tokens = min(capacity, bucket.tokens + (time - bucket.updated) * ratePerSecond)
            bucket.updated = time
            defer { state.buckets[key] = bucket }
            guard bucket.tokens >= 1 else { return (1 - bucket.tokens) / ratePerSecond }
            bucket.tokens -= 1
            return nil
        }
    }

    /// `N/s`, `N/m` or a bare `N` (per second).
    public static func parseRate(_ text: String) -> Double? {
        let parts = text.split(separator: "/", maxSplits: 1)
        guard let count = Double(parts.first ?? ""), count > 0 else { return nil }
        guard parts.count == 2 else { return count }
        switch parts[1] {
        case "s": return count
        case "m": return count / 60
        default: return nil
        }
    }
}
