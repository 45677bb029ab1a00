#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An ordered byte-key store: the ledger keeps trie nodes, blocks, receipts and indexes in one.
/// Keys compare as unsigned bytes, lexicographically (a prefix sorts before its extensions).
public protocol KeyValueStore: AnyObject {
    /// The value stored under `key`, or nil.
    func get(_ key: [UInt8]) throws(StorageError) -> [UInt8]?
    /// Stores `value` under `key`, replacing any previous value.
    func put(_ key: [UInt8], _ value: [UInt8]) throws(StorageError)
    /// Removes `key`; removing a missing key is not an error.
    func delete(_ key: [UInt8]) throws(StorageError)
    /// Applies every operation of `batch` atomically: readers see all of it or none of it.
    func writeBatch(_ batch: WriteBatch) throws(StorageError)
    /// Visits entries in ascending key order, starting at the first key `>= start` that has
    /// `prefix`, until `body` returns false or the keys leave the prefix.
    func forEach(from start: [UInt8], prefix: [UInt8],
                 _ body: (_ key: [UInt8], _ value: [UInt8]) -> Bool) throws(StorageError)
    /// Releases the store; later calls throw `StorageError.closed`.
    func close()
}

extension KeyValueStore {
    /// All entries whose key starts with `prefix`, in key order.
    public func entries(prefix: [UInt8] = []) throws(StorageError) -> [(key: [UInt8], value: [UInt8])] {
        var out = [(key: [UInt8], value: [UInt8])]()
        try forEach(from: prefix, prefix: prefix) { key, value in
            out.append((key, value))
            return true
        }
        return out
    }

    /// Whether `key` has a value.
    public func contains(_ key: [UInt8]) throws(StorageError) -> Bool { try get(key) != nil }
}

/// A list of puts and deletes applied in order, atomically, by `KeyValueStore.writeBatch`.
public struct WriteBatch: Sendable {
    public enum Operation: Equatable, Sendable {
        case put(key: [UInt8], value: [UInt8])
        case delete(key: [UInt8])
    }

    public private(set) var operations: [Operation] = []

    public init() {}

    public var isEmpty: Bool { operations.isEmpty }
    public var count: Int { operations.count }

    public mutating func put(_ key: [UInt8], _ value: [UInt8]) { operations.append(.put(key: key, value: value)) }
    public mutating func delete(_ key: [UInt8]) { operations.append(.delete(key: key)) }
}

/// What went wrong in a store, with the path and the engine's own message where there is one.
public enum StorageError: Error, Equatable, CustomStringConvertible {
    /// Another process or handle holds the database lock.
    case locked(path: String, message: String)
    /// The database files are damaged.
    case corrupt(path: String, message: String)
    /// The database does not exist and creation was not requested, or cannot be created.
    case cannotOpen(path: String, message: String)
    /// A read or write failed.
    case io(message: String)
    /// The store was closed.
    case closed

    public var description: String {
        switch self {
        case let .locked(path, message): return "storage: database at \(path) is locked by another user (\(message))"
        case let .corrupt(path, message): return "storage: database at \(path) is corrupt (\(message))"
        case let .cannotOpen(path, message): return "storage: cannot open database at \(path) (\(message))"
        case let .io(message): return "storage: I/O error (\(message))"
        case .closed: return "storage: the store is closed"
        }
    }
}

/// Unsigned lexicographic byte order, the order LevelDB's default comparator uses.
@inline(__always)
func bytesPrecede(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
            let common = min(pa.count, pb.count)
            if common > 0, let x = pa.baseAddress, let y = pb.baseAddress {
                let c = memcmp(x, y, common)
                if c != 0 { return c < 0 }
            }
            return pa.count < pb.count
        }
    }
}

@inline(__always)
func bytes(_ key: [UInt8], havePrefix prefix: [UInt8]) -> Bool {
    key.count >= prefix.count && key.starts(with: prefix)
}
