import Chain
import Foundation
import Primitives

/// Polling filters (`eth_newFilter`, `eth_newBlockFilter`, `eth_newPendingTransactionFilter`).
/// Each collects what arrived since its last poll; one not polled within the timeout is
/// removed, as other Ethereum nodes do.
public final class FilterStore: @unchecked Sendable {
    /// What a filter watches.
    public enum Kind: Sendable {
        case logs(LogFilter, from: BlockTag?, to: BlockTag?)
        case blocks
        case pendingTransactions
    }

    struct Entry {
        var kind: Kind
        var changes: [JSONValue] = []
        var lastPolled: Date
    }

    private let lock = NSLock()
    private var filters: [String: Entry] = [:]
    private let timeout: TimeInterval
    private var listenerId: UInt64?
    private let now: @Sendable () -> Date
    /// Bounds memory for a filter nobody polls before it expires.
    private let maxChangesPerFilter = 10_000

    public init(hub: RPCEventHub, timeoutSeconds: Double, now: @escaping @Sendable () -> Date = { Date() }) {
        timeout = timeoutSeconds
        self.now = now
        listenerId = hub.addListener { [weak self] event in self?.record(event) }
    }

    public func install(_ kind: Kind) -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in bytes.indices { bytes[index] = UInt8.random(in: 0...255) }
        let id = Hex.encode(bytes)
        lock.withLock {
            expire()
            filters[id] = Entry(kind: kind, lastPolled: now())
        }
        return id
    }

    public func uninstall(_ id: String) -> Bool {
        lock.withLock { filters.removeValue(forKey: id) != nil }
    }

    /// The filter's kind, refreshing its deadline; nil when unknown or expired.
    public func kind(of id: String) -> Kind? {
        lock.withLock {
            expire()
            guard filters[id] != nil else { return nil }
            filters[id]?.lastPolled = now()
            return filters[id]?.kind
        }
    }

    /// Changes since the last poll, or nil when the filter is unknown or expired.
    public func takeChanges(_ id: String) -> [JSONValue]? {
        lock.withLock {
            expire()
            guard var entry = filters[id] else { return nil }
            let changes = entry.changes
            entry.changes = []
            entry.lastPolled = now()
            filters[id] = entry
            return changes
        }
    }

    public var count: Int { lock.withLock { filters.count } }

    private func expire() {
        let deadline = now().addingTimeInterval(-timeout)
        filters = filters.filter { $0.value.lastPolled >= deadline }
    }

    private func record(_ event: RPCEvent) {
        lock.withLock {
            for (id, entry) in filters {
                var added: [JSONValue] = []
                switch (entry.kind, event) {
                case (.blocks, .newBlock(let header, _)):
                    added = [RPCEncoding.hash(header.hash)]
                case (.pendingTransactions, .pendingTransactions(let hashes)):
                    added = hashes.map(RPCEncoding.hash)
                case (.logs(let filter, let from, let to), .newBlock(let header, let logs)):
                    if case .number(let first)? = from, header.number < first { continue }
                    if case .number(let last)? = to, header.number > last { continue }
                    added = logs.filter { filter.matches($0.log) }.map { RPCEncoding.log($0) }
                default:
                    continue
                }
                guard !added.isEmpty else { continue }
                var changes = entry.changes + added
                if changes.count > maxChangesPerFilter { changes.removeFirst(changes.count - maxChangesPerFilter) }
                filters[id]?.changes = changes
            }
        }
    }
}
