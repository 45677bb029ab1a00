import Foundation

/// An in-memory `KeyValueStore` for tests and ephemeral nodes. Writes go to a hash map; the
/// sorted key list that ordered iteration needs is rebuilt lazily after a change, so bulk loads
/// (a trie commit of many nodes) stay linear. Thread-safe: one lock guards all state.
public final class MemoryStore: KeyValueStore, @unchecked Sendable {
    private let lock = NSLock()
    private var values: [[UInt8]: [UInt8]] = [:]
    private var sortedKeys: [[UInt8]] = []
    private var sortedKeysValid = true
    private var isClosed = false

    public init() {}

    /// Number of entries.
    public var count: Int { lock.withLock { values.count } }

    public func get(_ key: [UInt8]) throws(StorageError) -> [UInt8]? {
        lock.lock(); defer { lock.unlock() }
        if isClosed { throw .closed }
        return values[key]
    }

    public func put(_ key: [UInt8], _ value: [UInt8]) throws(StorageError) {
        lock.lock(); defer { lock.unlock() }
        if isClosed { throw .closed }
        if values.updateValue(value, forKey: key) == nil { sortedKeysValid = false }
    }

    public func delete(_ key: [UInt8]) throws(StorageError) {
        lock.lock(); defer { lock.unlock() }
        if isClosed { throw .closed }
        if values.removeValue(forKey: key) != nil { sortedKeysValid = false }
    }

    /// Atomic because the whole batch is applied under the lock.
    public func writeBatch(_ batch: WriteBatch) throws(StorageError) {
        lock.lock(); defer { lock.unlock() }
        if isClosed { throw .closed }
        for operation in batch.operations {
            switch operation {
            case let .put(key, value):
                if values.updateValue(value, forKey: key) == nil { sortedKeysValid = false }
            case let .delete(key):
                if values.removeValue(forKey: key) != nil { sortedKeysValid = false }
            }
        }
    }

    /// Iterates over a snapshot taken under the lock, so `body` may write to this store.
    public func forEach(from start: [UInt8], prefix: [UInt8],
                        _ body: (_ key: [UInt8], _ value: [UInt8]) -> Bool) throws(StorageError) {
        let first = bytesPrecede(start, prefix) ? prefix : start
        var snapshot: [([UInt8], [UInt8])] = []
        lock.lock()
        if isClosed { lock.unlock(); throw .closed }
        if !sortedKeysValid {
            sortedKeys = values.keys.sorted(by: bytesPrecede)
            sortedKeysValid = true
        }
        // Binary search for the first key >= first.
        var low = 0, high = sortedKeys.count
        while low < high {
            let mid = (low + high) / 2
            if bytesPrecede(sortedKeys[mid], first) { low = mid + 1 } else { high = mid }
        }
        var index = low
        while index < sortedKeys.count, bytes(sortedKeys[index], havePrefix: prefix) {
            snapshot.append((sortedKeys[index], values[sortedKeys[index]] ?? []))
            index += 1
        }
        lock.unlock()
        for (key, value) in snapshot where !body(key, value) { break }
    }

    public func close() {
        lock.withLock { isClosed = true; values = [:]; sortedKeys = [] }
    }
}
