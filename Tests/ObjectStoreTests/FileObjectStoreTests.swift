import Testing
import ObjectStore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What only the file store has: its layout on disk and the file system's limits.
struct FileObjectStoreTests {
    let store = FileObjectStore(dataDirectory: makeTemporaryDirectory())

    @Test func layoutIsDatadirObjectsCompanyKeyAndTemporariesStayInIncoming() async throws {
        let location = try ObjectLocation(company: "acme", key: "models/m1/weights.safetensors")
        let upload = try await store.beginUpload(location)
        try await upload.write([1, 2, 3][...])
        let incoming = try FileSystem.entries(of: store.root + "/acme/.incoming")
        #expect(incoming.count == 1 && incoming[0].hasSuffix(".part"))
        _ = try await upload.commit()
        #expect(store.root.hasSuffix("/objects"))
        var info = stat()
        #expect(stat(store.root + "/acme/models/m1/weights.safetensors", &info) == 0 && info.st_size == 3)
        #expect(try FileSystem.entries(of: store.root + "/acme/.incoming").isEmpty)
    }

    @Test func keyUnderAnExistingObjectIsAConflictAndLeavesNothing() async throws {
        let file = try ObjectLocation(company: "acme", key: "a")
        try await put(store, file, [1])
        let below = try ObjectLocation(company: "acme", key: "a/b")
        let upload = try await store.beginUpload(below)
        try await upload.write([2][...])
        await #expect(throws: ObjectStoreError.keyConflict(below)) { _ = try await upload.commit() }
        #expect(try FileSystem.entries(of: store.root + "/acme/.incoming").isEmpty)
        #expect(try await store.sweepIncomplete() == 0)
        #expect(try await store.size(file) == 1)
    }

    @Test func droppedUploadRemovesItsTemporary() async throws {
        let location = try ObjectLocation(company: "acme", key: "dropped")
        do {
            let upload = try await store.beginUpload(location)
            try await upload.write([1, 2][...])
        }
        // The actor's deinit runs when the last reference goes; give the executor a moment.
        for _ in 0..<100 where try !FileSystem.entries(of: store.root + "/acme/.incoming").isEmpty {
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        #expect(try FileSystem.entries(of: store.root + "/acme/.incoming").isEmpty)
        #expect(try await store.sweepIncomplete() == 0)
    }
}

/// A fresh directory under this process's scratch root, which is removed when the test
/// process exits.
func makeTemporaryDirectory() -> String {
    var template = Array("\(TestScratch.root)/dir-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { fatalError("mkdtemp failed: errno \(errno)") }
    return String(cString: made)
}

enum TestScratch {
    static let root: String = {
        let base = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(base)/mledger-objectstore-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { fatalError("mkdtemp failed: errno \(errno)") }
        let root = String(cString: made)
        atexit { removeTree(TestScratch.root) }
        return root
    }()
}

/// `rm -rf` without a shell: children first, never following links.
func removeTree(_ path: String) {
    var info = stat()
    guard lstat(path, &info) == 0 else { return }
    if (info.st_mode & S_IFMT) == S_IFDIR {
        for name in (try? FileSystem.entries(of: path)) ?? [] { removeTree(path + "/" + name) }
        rmdir(path)
    } else {
        unlink(path)
    }
}
