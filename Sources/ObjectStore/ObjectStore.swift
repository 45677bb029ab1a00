import NIOCore

/// Where a stored object lives: one company's namespace and a caller-chosen key inside it.
///
/// The key is chosen by the caller (for example `models/<uuid>/weights.safetensors`); the store
/// does not derive it from the content. Content hashes are recorded elsewhere (the model
/// registry and the chain), and whoever serves an object verifies its bytes against them, so
/// a store only has to keep bytes, never to vouch for them.
public struct ObjectLocation: Hashable, Sendable, CustomStringConvertible {
    /// `[a-z0-9-]`, 3...63 characters: the S3 bucket-name rules, so that `mledger-<company>`
    /// is a valid bucket name (the prefix takes 8 of S3's 63; see `S3ObjectStore.bucket`).
    public let company: String
    /// `[A-Za-z0-9._/-]`, at most 512 bytes, segments separated by `/`.
    public let key: String

    /// The longest key accepted; S3 allows 1024 bytes, the file store must stay well under
    /// PATH_MAX once the data directory is prefixed.
    public static let maxKeyBytes = 512

    /// Validates both parts; anything outside the rules is `ObjectStoreError.invalidName`.
    ///
    /// Beyond the character set, a key may not start or end with `/`, may not contain an empty
    /// segment (`a//b`), and no segment may start with `.`: that refuses `..` and `.` (path
    /// traversal) and keeps the names beginning with a dot free for the stores' own
    /// bookkeeping (the file store's `.incoming` directory of temporaries).
    public init(company: String, key: String) throws(ObjectStoreError) {
        try Self.validate(company: company)
        try Self.validate(key: key)
        self.company = company
        self.key = key
    }

    public var description: String { "\(company)/\(key)" }

    static func validate(company: String) throws(ObjectStoreError) {
        let bytes = Array(company.utf8)
        guard (3...63).contains(bytes.count) else {
            throw .invalidName("company must be 3 to 63 characters")
        }
        for b in bytes where !(isLowerAlpha(b) || isDigit(b) || b == UInt8(ascii: "-")) {
            throw .invalidName("company may contain only a-z, 0-9 and '-'")
        }
        // S3 bucket rules: no leading or trailing hyphen in a label. The store prefixes
        // "mledger-", so only the end matters for the bucket, but a company named "-x-" is
        // no use to anyone either.
        guard bytes.first != UInt8(ascii: "-"), bytes.last != UInt8(ascii: "-") else {
            throw .invalidName("company may not start or end with '-'")
        }
    }

    static func validate(key: String) throws(ObjectStoreError) {
        let bytes = Array(key.utf8)
        guard !bytes.isEmpty else { throw .invalidName("key is empty") }
        guard bytes.count <= maxKeyBytes else {
            throw .invalidName("key is longer than \(maxKeyBytes) bytes")
        }
        for b in bytes {
            let allowed = isLowerAlpha(b) || isUpperAlpha(b) || isDigit(b)
                || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b == UInt8(ascii: "/")
                || b == UInt8(ascii: "-")
            guard allowed else { throw .invalidName("key may contain only A-Z, a-z, 0-9 and . _ / -") }
        }
        for segment in bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
            guard let first = segment.first else {
                throw .invalidName("key may not start or end with '/' nor contain '//'")
            }
            guard first != UInt8(ascii: ".") else {
                throw .invalidName("no key segment may start with '.' (this refuses '..')")
            }
        }
    }

    private static func isLowerAlpha(_ b: UInt8) -> Bool { b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z") }
    private static func isUpperAlpha(_ b: UInt8) -> Bool { b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z") }
    private static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
}

/// A place to keep large objects (model weights up to 10 GiB) per company.
///
/// Every operation streams: an upload is written piece by piece and a read hands out pieces,
/// so no object is ever held whole in memory. Semantics shared by all stores (one test suite
/// checks them against each):
/// - nothing of an upload is visible before `commit`; `commit` replaces an existing object at
///   the same location atomically (readers see the old bytes or the new, never a mix);
/// - `abort` (or an upload dropped without commit) leaves nothing behind;
/// - a read of a missing object throws `.notFound`; `size` answers nil instead.
public protocol ObjectStore: Sendable {
    /// Starts an upload; nothing is visible at `location` until the upload's `commit`.
    func beginUpload(_ location: ObjectLocation) async throws -> any ObjectUpload
    /// Streams the object, or the half-open byte `range` of it. The range's upper bound is
    /// clamped to the object's size; a lower bound past the end is `.invalidRange`, one equal
    /// to the size gives an empty read. A missing object is `.notFound`.
    func read(_ location: ObjectLocation, range: Range<Int64>?) async throws -> any ObjectReader
    /// The object's size in bytes, nil when absent.
    func size(_ location: ObjectLocation) async throws -> Int64?
    /// Removes the object; an absent object is not an error.
    func delete(_ location: ObjectLocation) async throws
    /// Removes what uploads that were never committed left behind (a crash, a lost client)
    /// and returns how many leftovers it removed. Uploads still open in this store instance
    /// are left alone; uploads of another process sharing the storage are not known, so run
    /// this at start, before other writers begin.
    func sweepIncomplete() async throws -> Int
}

/// One object being written. Not for overlapping `write` calls: one writer writes in order.
public protocol ObjectUpload: Sendable {
    /// Appends bytes; the store may buffer a bounded amount (S3: one part).
    func write(_ bytes: ArraySlice<UInt8>) async throws
    /// Appends a buffer's readable bytes; stores that can write from it directly avoid a copy.
    func write(buffer: ByteBuffer) async throws
    /// Makes the object atomically visible at its location and returns its size.
    /// File store: fsync, rename, fsync of the directory. S3: one PUT, or CompleteMultipartUpload.
    func commit() async throws -> Int64
    /// Discards everything written; leaves nothing behind. Safe to call twice or after commit
    /// (then it does nothing).
    func abort() async
}

/// A stream of an object's bytes, read by one reader in order (no overlapping `next` calls).
public protocol ObjectReader: Sendable {
    /// The next piece, at most `maxBytes` long and never empty; nil at the end.
    func next(maxBytes: Int) async throws -> [UInt8]?
}

extension ObjectUpload {
    public func write(buffer: ByteBuffer) async throws {
        try await write(ArraySlice(buffer.readableBytesView))
    }
}

extension ObjectStore {
    /// Streams the whole object.
    public func read(_ location: ObjectLocation) async throws -> any ObjectReader {
        try await read(location, range: nil)
    }
}

/// Why an object-store operation failed. Messages never carry credentials.
public enum ObjectStoreError: Error, Equatable, CustomStringConvertible {
    /// A company or key outside the naming rules (see `ObjectLocation`).
    case invalidName(String)
    case notFound(ObjectLocation)
    /// A range whose lower bound lies past the object's end, or a negative bound.
    case invalidRange(ObjectLocation, size: Int64)
    /// `write` or `commit` after `commit` or `abort`.
    case uploadClosed(ObjectLocation)
    /// The file store cannot hold both `a` and `a/b` (a file cannot be a directory too).
    case keyConflict(ObjectLocation)
    /// A system call failed (file store).
    case io(operation: String, path: String, errno: Int32)
    /// The S3 server answered an error or could not be reached. `code` is S3's error code
    /// (`NoSuchBucket`, `AccessDenied`, ...) or a transport error's description.
    case s3(operation: String, status: Int, code: String)
    /// Credentials for a company are missing or unusable (names the company, never a secret).
    case credentials(String)

    public var description: String {
        switch self {
        case .invalidName(let why): "invalid object name: \(why)"
        case .notFound(let location): "object not found: \(location)"
        case .invalidRange(let location, let size): "range outside \(location) (size \(size))"
        case .uploadClosed(let location): "upload of \(location) is already committed or aborted"
        case .keyConflict(let location): "\(location) collides with another key used as a directory"
        case .io(let operation, let path, let code): "\(operation) \(path): \(String(cString: strerror(code)))"
        case .s3(let operation, let status, let code): "S3 \(operation): HTTP \(status) \(code)"
        case .credentials(let why): "object store credentials: \(why)"
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
