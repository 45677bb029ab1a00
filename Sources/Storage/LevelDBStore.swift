import CLevelDB
import Foundation

/// A `KeyValueStore` on LevelDB through its C API. LevelDB itself is thread-safe; a lock only
/// guards the handle against use after `close()`. Batches map to `leveldb_write`, which is atomic.
public final class LevelDBStore: KeyValueStore, @unchecked Sendable {
    public let path: String
    private let lock = NSLock()
    private var db: OpaquePointer?
    private let options: OpaquePointer
    private let readOptions: OpaquePointer
    private let writeOptions: OpaquePointer
    private let bloomFilter: OpaquePointer
    private let blockCache: OpaquePointer

    /// Opens (and by default creates) the database in directory `path`.
    /// - Parameters:
    ///   - sync: fsync every write, for durability across power loss (slower).
    ///   - cacheBytes: LevelDB's block cache. Trie nodes are read by random hash, so a Bloom
    ///     filter (10 bits per key) is always set: a lookup of an absent key rarely touches disk.
    public init(path: String, createIfMissing: Bool = true, sync: Bool = false,
                cacheBytes: Int = 32 << 20) throws(StorageError) {
        self.path = path
        options = leveldb_options_create()
        leveldb_options_set_create_if_missing(options, createIfMissing ? 1 : 0)
        bloomFilter = leveldb_filterpolicy_create_bloom(10)
        leveldb_options_set_filter_policy(options, bloomFilter)
        blockCache = leveldb_cache_create_lru(max(cacheBytes, 1 << 20))
        leveldb_options_set_cache(options, blockCache)
        readOptions = leveldb_readoptions_create()
        writeOptions = leveldb_writeoptions_create()
        leveldb_writeoptions_set_sync(writeOptions, sync ? 1 : 0)
        var error: UnsafeMutablePointer<CChar>?
        let handle = leveldb_open(options, path, &error)
        if let message = Self.take(error) {
            releaseOptions()
            throw Self.classifyOpenError(path: path, message: message)
        }
        guard let handle else {
            releaseOptions()
            throw .cannotOpen(path: path, message: "leveldb_open returned no handle")
        }
        db = handle
    }

    deinit { close() }

    public func get(_ key: [UInt8]) throws(StorageError) -> [UInt8]? {
        lock.lock(); defer { lock.unlock() }
        guard let db else { throw .closed }
        var length = 0
        var error: UnsafeMutablePointer<CChar>?
        let value = key.withUnsafeBufferPointer { k in
            k.withMemoryRebound(to: CChar.self) { k in
                leveldb_get(db, readOptions, k.baseAddress, k.count, &length, &error)
            }
        }
        if let message = Self.take(error) { throw .io(message: message) }
        guard let value else { return nil }
        defer { leveldb_free(value) }
        return Array(UnsafeRawBufferPointer(start: value, count: length))
    }

    public func put(_ key: [UInt8], _ value: [UInt8]) throws(StorageError) {
        var batch = WriteBatch()
        batch.put(key, value)
        try writeBatch(batch)
    }

    public func delete(_ key: [UInt8]) throws(StorageError) {
        var batch = WriteBatch()
        batch.delete(key)
        try writeBatch(batch)
    }

    public func writeBatch(_ batch: WriteBatch) throws(StorageError) {
        lock.lock(); defer { lock.unlock() }
        guard let db else { throw .closed }
        let native = leveldb_writebatch_create()
        defer { leveldb_writebatch_destroy(native) }
        for operation in batch.operations {
            switch operation {
            case let .put(key, value):
                key.withUnsafeBufferPointer { k in
                    value.withUnsafeBufferPointer { v in
                        k.withMemoryRebound(to: CChar.self) { k in
                            v.withMemoryRebound(to: CChar.self) { v in
                                leveldb_writebatch_put(native, k.baseAddress, k.count, v.baseAddress, v.count)
                            }
                        }
                    }
                }
            case let .delete(key):
                key.withUnsafeBufferPointer { k in
                    k.withMemoryRebound(to: CChar.self) { k in
                        leveldb_writebatch_delete(native, k.baseAddress, k.count)
                    }
                }
            }
        }
        var error: UnsafeMutablePointer<CChar>?
        leveldb_write(db, writeOptions, native, &error)
        if let message = Self.take(error) { throw .io(message: message) }
    }

    /// Iterates on LevelDB's implicit snapshot of the moment the iterator was created.
    public func forEach(from start: [UInt8], prefix: [UInt8],
                        _ body: (_ key: [UInt8], _ value: [UInt8]) -> Bool) throws(StorageError) {
        lock.lock(); defer { lock.unlock() }
        guard let db else { throw .closed }
        guard let iterator = leveldb_create_iterator(db, readOptions) else {
            throw .io(message: "leveldb_create_iterator returned no iterator")
        }
        defer { leveldb_iter_destroy(iterator) }
        let first = bytesPrecede(start, prefix) ? prefix : start
        first.withUnsafeBufferPointer { f in
            f.withMemoryRebound(to: CChar.self) { f in leveldb_iter_seek(iterator, f.baseAddress, f.count) }
        }
        while leveldb_iter_valid(iterator) != 0 {
            var keyLength = 0, valueLength = 0
            let keyPointer = leveldb_iter_key(iterator, &keyLength)
            let valuePointer = leveldb_iter_value(iterator, &valueLength)
            let key = Array(UnsafeRawBufferPointer(start: keyPointer, count: keyLength))
            guard bytes(key, havePrefix: prefix) else { break }
            let value = Array(UnsafeRawBufferPointer(start: valuePointer, count: valueLength))
            if !body(key, value) { break }
            leveldb_iter_next(iterator)
        }
        var error: UnsafeMutablePointer<CChar>?
        leveldb_iter_get_error(iterator, &error)
        if let message = Self.take(error) { throw .io(message: message) }
    }

    /// Closes the database and releases its lock; safe to call more than once.
    public func close() {
        lock.lock(); defer { lock.unlock() }
        guard let handle = db else { return }
        leveldb_close(handle)
        db = nil
        releaseOptions()
    }

    /// Frees the option objects; the filter and cache must outlive the database handle.
    private func releaseOptions() {
        leveldb_options_destroy(options)
        leveldb_readoptions_destroy(readOptions)
        leveldb_writeoptions_destroy(writeOptions)
        leveldb_filterpolicy_destroy(bloomFilter)
        leveldb_cache_destroy(blockCache)
    }

    /// Copies and frees a LevelDB error string (allocated by LevelDB, freed with `leveldb_free`).
    private static func take(_ error: UnsafeMutablePointer<CChar>?) -> String? {
        guard let error else { return nil }
        defer { leveldb_free(error) }
        return String(cString: error)
    }

    /// LevelDB reports status as text ("IO error: lock ...", "Corruption: ...", "Invalid argument: ...").
    private static func classifyOpenError(path: String, message: String) -> StorageError {
        let lower = message.lowercased()
        if lower.contains("lock") { return .locked(path: path, message: message) }
        if lower.hasPrefix("corruption") { return .corrupt(path: path, message: message) }
        return .cannotOpen(path: path, message: message)
    }
}
