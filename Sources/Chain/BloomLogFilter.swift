import Primitives

/// Which logs an `eth_getLogs`-style query wants: any of `addresses` (empty: any address)
/// and, per topic position, any of the listed topics (nil or an empty list: any topic).
/// A log with fewer topics than the filter constrains does not match.
public struct LogFilter: Equatable, Sendable {
    public var addresses: [Address]
    public var topics: [[Hash32]?]

    public init(addresses: [Address] = [], topics: [[Hash32]?] = []) {
        self.addresses = addresses; self.topics = topics
    }

    public func matches(_ log: Log) -> Bool {
        if !addresses.isEmpty && !addresses.contains(log.address) { return false }
        for (position, alternatives) in topics.enumerated() {
            guard let alternatives, !alternatives.isEmpty else { continue }
            guard position < log.topics.count, alternatives.contains(log.topics[position]) else { return false }
        }
        return true
    }

    /// False when no log summarised by `bloom` can match, so the block or receipt can be
    /// skipped without reading its logs; true means it may match.
    public func mightMatch(_ bloom: Bloom) -> Bool {
        if !addresses.isEmpty && !addresses.contains(where: { bloom.mightContain(address: $0) }) { return false }
        for alternatives in topics {
            guard let alternatives, !alternatives.isEmpty else { continue }
            if !alternatives.contains(where: { bloom.mightContain(topic: $0) }) { return false }
        }
        return true
    }
}
