import NIOCore
import NIOConcurrencyHelpers
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The default store: one file per object under `<root>/<company>/<key>`, where the node's
/// root is `<datadir>/objects`.
///
/// An upload writes `<root>/<company>/.incoming/<random>.part` (same file system as the final
/// path, so the rename is atomic), and `commit` fsyncs the file, renames it over the final
/// path and fsyncs the directory, so after a crash the object is either wholly there or not
/// at all. Keys never have a segment starting with `.` (see `ObjectLocation`), so
/// `.incoming` cannot collide with an object.
///
/// Every system call runs on a NIO thread pool: an fsync of a 10 GiB file must not hold one
/// of the few threads of Swift's cooperative pool.
public final class FileObjectStore: ObjectStore {
    public let root: String
    let pool: NIOThreadPool
    /// Temporaries of uploads still open in this instance; `sweepIncomplete` spares them.
    let activeTemporaries = NIOLockedValueBox<Set<String>>([])

    static let incomingDirectory = ".incoming"

    /// A store under `root` (created on demand).
    public init(root: String, threadPool: NIOThreadPool = .singleton) {
        self.root = root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root
        self.pool = threadPool
    }

    /// The node's layout: objects under `<dataDirectory>/objects`.
    public convenience init(dataDirectory: String, threadPool: NIOThreadPool = .singleton) {
        self.init(root: dataDirectory + "/objects", threadPool: threadPool)
    }

    func path(_ location: ObjectLocation) -> String { "\(root)/\(location.company)/\(location.key)" }
    func incomingPath(_ company: String) -> String { "\(root)/\(company)/\(Self.incomingDirectory)" }

    public func beginUpload(_ location: ObjectLocation) async throws -> any ObjectUpload {
        let incoming = incomingPath(location.company)
        let temporary = "\(incoming)/\(randomHex(16)).part"
        // Registered before the file exists, so a concurrent sweep never sees it unregistered.
        activeTemporaries.withLockedValue { _ = $0.insert(temporary) }
        let fd: Int32
        do {
            fd = try await pool.runIfActive { () throws -> Int32 in
                try FileSystem.makeDirectories(incoming)
                let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
                guard fd >= 0 else { throw ObjectStoreError.io(operation: "open", path: temporary, errno: errno) }
                return fd
            }
        } catch {
            forget(temporary)
            throw error
        }
        return FileUpload(store: self, location: location, temporary: temporary, fd: fd)
    }

    public func read(_ location: ObjectLocation, range: Range<Int64>?) async throws -> any ObjectReader {
        let path = path(location)
        let (fd, size) = try await pool.runIfActive { () throws -> (Int32, Int64) in
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                let code = errno
                if code == ENOENT || code == ENOTDIR { throw ObjectStoreError.notFound(location) }
                throw ObjectStoreError.io(operation: "open", path: path, errno: code)
            }
            var info = stat()
            guard fstat(fd, &info) == 0 else {
                let code = errno
                close(fd)
                throw ObjectStoreError.io(operation: "fstat", path: path, errno: code)
            }
            // A key that is only a prefix of other keys names a directory here, not an object.
            guard (info.st_mode & S_IFMT) == S_IFREG else {
                close(fd)
                throw ObjectStoreError.notFound(location)
            }
            return (fd, Int64(info.st_size))
        }
        do {
            let bounds = try clampedRange(range, size: size, location: location)
            return FileReader(pool: pool, path: path, fd: fd, offset: bounds.lowerBound, end: bounds.upperBound)
        } catch {
            close(fd)
            throw error
        }
    }

    public func size(_ location: ObjectLocation) async throws -> Int64? {
        let path = path(location)
        return try await pool.runIfActive { () throws -> Int64? in
            var info = stat()
            guard stat(path, &info) == 0 else {
                let code = errno
                if code == ENOENT || code == ENOTDIR { return nil }
                throw ObjectStoreError.io(operation: "stat", path: path, errno: code)
            }
            return (info.st_mode & S_IFMT) == S_IFREG ? Int64(info.st_size) : nil
        }
    }

    /// Removes the file. Directories left empty stay: removing them would race with a
    /// concurrent commit creating a file in them.
    public func delete(_ location: ObjectLocation) async throws {
        let path = path(location)
        try await pool.runIfActive {
            guard unlink(path) != 0 else { return }
            let code = errno
            // EISDIR (Linux) / EPERM (Darwin): the key names a directory of other keys, not an object.
            if code == ENOENT || code == ENOTDIR || code == EISDIR || code == EPERM { return }
            throw ObjectStoreError.io(operation: "unlink", path: path, errno: code)
        }
    }

    public func sweepIncomplete() async throws -> Int {
        let root = root, active = activeTemporaries
        return try await pool.runIfActive { () throws -> Int in
            var removed = 0
            for company in try FileSystem.entries(of: root) {
                let incoming = "\(root)/\(company)/\(Self.incomingDirectory)"
                for name in try FileSystem.entries(of: incoming) {
                    let path = "\(incoming)/\(name)"
                    if active.withLockedValue({ $0.contains(path) }) { continue }
                    if unlink(path) == 0 { removed += 1 } else if errno != ENOENT {
                        throw ObjectStoreError.io(operation: "unlink", path: path, errno: errno)
                    }
                }
            }
            return removed
        }
    }

    func forget(_ temporary: String) {
        activeTemporaries.withLockedValue { _ = $0.remove(temporary) }
    }
}

/// One upload into the file store: an open temporary file.
actor FileUpload: ObjectUpload {
    let store: FileObjectStore
    let location: ObjectLocation
    let temporary: String
    /// Open until commit or abort has closed it.
    private var fd: Int32
    private var state = UploadState.open
    private var written: Int64 = 0
    /// The write or commit under way: `abort` waits for it, so the descriptor is never
    /// closed (and its number reused) while a pool thread still writes to it.
    private var inFlight: Task<Void, Never>?

    init(store: FileObjectStore, location: ObjectLocation, temporary: String, fd: Int32) {
        self.store = store
        self.location = location
        self.temporary = temporary
        self.fd = fd
    }

    /// An upload dropped without commit or abort (a handler that forgot) still leaves nothing.
    /// Operations under way hold the actor, so none is running here.
    deinit {
        if fd >= 0 {
            close(fd)
            unlink(temporary)
            store.forget(temporary)
        }
    }

    func write(_ bytes: ArraySlice<UInt8>) async throws {
        try await write(count: bytes.count) { body in try bytes.withUnsafeBytes(body) }
    }

    func write(buffer: ByteBuffer) async throws {
        try await write(count: buffer.readableBytes) { body in try buffer.withUnsafeReadableBytes(body) }
    }

    /// Writes `count` bytes that `withBytes` lends, on the blocking-I/O pool.
    private func write(count: Int, _ withBytes: @escaping @Sendable ((UnsafeRawBufferPointer) throws -> Void) throws -> Void) async throws {
        guard state == .open else { throw ObjectStoreError.uploadClosed(location) }
        if count == 0 { return }
        let fd = fd, temporary = temporary
        try await exclusively {
            try await self.store.pool.runIfActive {
                try withBytes { raw in
                    var offset = 0
                    while offset < raw.count {
                        let n = posixWrite(fd, raw.baseAddress! + offset, raw.count - offset)
                        if n < 0 {
                            if errno == EINTR { continue }
                            throw ObjectStoreError.io(operation: "write", path: temporary, errno: errno)
                        }
                        offset += n
                    }
                }
            }
        }
        written += Int64(count)
    }

    func commit() async throws -> Int64 {
        guard state == .open else { throw ObjectStoreError.uploadClosed(location) }
        state = .committing
        let fd = fd, temporary = temporary, location = location
        let final = store.path(location)
        self.fd = -1  // the commit closes it, success or not
        defer {
            state = .finished
            store.forget(temporary)
        }
        do {
            try await exclusively {
                try await self.store.pool.runIfActive {
                    defer { close(fd) }
                    guard fsync(fd) == 0 else { throw ObjectStoreError.io(operation: "fsync", path: temporary, errno: errno) }
                    let parent = FileSystem.parent(of: final)
                    do {
                        try FileSystem.makeDirectories(parent)
                    } catch ObjectStoreError.io(_, _, let code) where code == ENOTDIR || code == EEXIST {
                        throw ObjectStoreError.keyConflict(location)
                    }
                    guard rename(temporary, final) == 0 else {
                        let code = errno
                        if code == EISDIR || code == ENOTDIR || code == ENOTEMPTY || code == EEXIST {
                            throw ObjectStoreError.keyConflict(location)
                        }
                        throw ObjectStoreError.io(operation: "rename", path: final, errno: code)
                    }
                    // The rename is durable only once the directory entry is.
                    try FileSystem.syncDirectory(parent)
                }
            }
        } catch {
            unlink(temporary)
            throw error
        }
        return written
    }

    func abort() async {
        guard state == .open else {
            // A commit under way decides the outcome; wait for it so that abort returns
            // only once nothing of this upload is in flight.
            await inFlight?.value
            return
        }
        state = .finished
        await inFlight?.value
        let fd = fd, temporary = temporary
        self.fd = -1
        let done: Bool = (try? await store.pool.runIfActive { () -> Bool in
            close(fd)
            unlink(temporary)
            return true
        }) ?? false
        // A pool already shut down ran nothing: clean up here rather than leave the file.
        if !done {
            close(fd)
            unlink(temporary)
        }
        store.forget(temporary)
    }

    /// Runs `body` as the operation `abort` waits for.
    private func exclusively(_ body: @escaping @Sendable () async throws -> Void) async throws {
        let task = Task { try await body() }
        let marker = Task { _ = try? await task.value }
        inFlight = marker
        defer { if inFlight == marker { inFlight = nil } }
        try await task.value
    }
}

/// Where an upload stands; shared by the stores' uploads.
enum UploadState {
    case open
    /// `commit` is under way: `write` and `commit` are refused, `abort` waits for the outcome.
    case committing
    case finished
}

/// A file read from `offset` up to `end`, one `pread` per call.
actor FileReader: ObjectReader {
    let pool: NIOThreadPool
    let path: String
    private var fd: Int32
    private var offset: Int64
    let end: Int64

    init(pool: NIOThreadPool, path: String, fd: Int32, offset: Int64, end: Int64) {
        self.pool = pool
        self.path = path
        self.fd = fd
        self.offset = offset
        self.end = end
    }

    deinit { if fd >= 0 { close(fd) } }

    func next(maxBytes: Int) async throws -> [UInt8]? {
        precondition(maxBytes > 0, "maxBytes must be positive")
        guard fd >= 0, offset < end else { finish(); return nil }
        let count = Int(min(Int64(maxBytes), end - offset))
        let fd = fd, offset = offset, path = path
        let chunk = try await pool.runIfActive { () throws -> [UInt8] in
            var buffer = [UInt8](repeating: 0, count: count)
            var filled = 0
            while filled < count {
                let n = buffer.withUnsafeMutableBytes { raw in
                    pread(fd, raw.baseAddress! + filled, count - filled, off_t(offset) + off_t(filled))
                }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw ObjectStoreError.io(operation: "pread", path: path, errno: errno)
                }
                if n == 0 { break }  // cannot shrink under us (commit replaces the inode), but stay safe
                filled += n
            }
            return filled == count ? buffer : Array(buffer.prefix(filled))
        }
        if chunk.isEmpty { finish(); return nil }
        self.offset += Int64(chunk.count)
        return chunk
    }

    private func finish() {
        if fd >= 0 { close(fd); fd = -1 }
    }
}

/// The range a read covers, by the rules of `ObjectStore.read`.
func clampedRange(_ range: Range<Int64>?, size: Int64, location: ObjectLocation) throws -> Range<Int64> {
    guard let range else { return 0..<size }
    guard range.lowerBound >= 0, range.lowerBound <= size else {
        throw ObjectStoreError.invalidRange(location, size: size)
    }
    return range.lowerBound..<min(range.upperBound, size)
}

/// `count` random bytes as lowercase hex: names of temporaries, generated keys.
package func randomHex(_ count: Int) -> String {
    var generator = SystemRandomNumberGenerator()
    return Digest.hex((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
}

/// The few POSIX helpers the file store needs; each runs on the caller's (pool) thread.
package enum FileSystem {
    package static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// `mkdir -p`, fsyncing the parent of each directory it creates so the new entry survives
    /// a crash together with the file renamed into it.
    static func makeDirectories(_ path: String) throws {
        var info = stat()
        if stat(path, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFDIR else {
                throw ObjectStoreError.io(operation: "mkdir", path: path, errno: ENOTDIR)
            }
            return
        }
        let parent = parent(of: path)
        if parent != path { try makeDirectories(parent) }
        if mkdir(path, 0o750) != 0 {
            let code = errno
            // Another upload created it meanwhile: fine if it is a directory.
            if code == EEXIST, stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR { return }
            throw ObjectStoreError.io(operation: "mkdir", path: path, errno: code)
        }
        try syncDirectory(parent)
    }

    static func syncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw ObjectStoreError.io(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw ObjectStoreError.io(operation: "fsync", path: path, errno: errno) }
    }

    /// Names in a directory (without `.` and `..`); none when it does not exist.
    package static func entries(of path: String) throws -> [String] {
        guard let dir = opendir(path) else {
            if errno == ENOENT || errno == ENOTDIR { return [] }
            throw ObjectStoreError.io(operation: "opendir", path: path, errno: errno)
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}

/// `write(2)`, named apart from the actor's `write(_:)`.
@inline(__always)
func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(fd, buffer, count)
    #elseif canImport(Musl)
    Musl.write(fd, buffer, count)
    #else
    Darwin.write(fd, buffer, count)
    #endif
}
