import Testing
import ObjectStore

/// One suite, run against every store: the semantics callers rely on must not depend on
/// which store the node was configured with. Serialized because `sweepIncomplete` looks at
/// the whole store, and the leftover test plants a leftover on purpose.
@Suite(.serialized)
struct ObjectStoreSuite {
    static let company = "acme-labs"

    @Test(arguments: StoreKind.enabled)
    func roundTripsSmallEmptyAndPartBoundarySizes(kind: StoreKind) async throws {
        let store = try kind.store()
        // 0 and 1 byte; exactly one S3 part (single PUT); one byte over (multipart with a 1-byte
        // last part); 20 MiB (three parts).
        for size in [0, 1, 1000, partBoundary, partBoundary + 1, 20 << 20] {
            let location = try uniqueLocation("round-trip/\(size).bin")
            let data = pattern(size, seed: UInt64(size))
            let upload = try await store.beginUpload(location)
            // Uneven write sizes so part boundaries fall inside writes.
            var offset = 0
            var step = 1
            while offset < data.count {
                let end = min(data.count, offset + step)
                try await upload.write(data[offset..<end])
                offset = end
                step = step * 3 + 7
            }
            #expect(try await upload.commit() == Int64(size))
            #expect(try await store.size(location) == Int64(size))
            let back = try await readAll(store, location, chunk: 1 << 20)
            #expect(back.count == data.count)
            #expect(back == data, "bytes differ for size \(size)")
            try await store.delete(location)
            #expect(try await store.size(location) == nil)
        }
    }

    @Test(arguments: StoreKind.enabled)
    func rangeReads(kind: StoreKind) async throws {
        let store = try kind.store()
        let location = try uniqueLocation("ranges.bin")
        let data = pattern(100_000, seed: 7)
        try await put(store, location, data)
        let cases: [(Range<Int64>, Range<Int>)] = [
            (0..<10, 0..<10),
            (99_990..<100_000, 99_990..<100_000),
            (50_000..<50_001, 50_000..<50_001),
            (12_345..<200_000, 12_345..<100_000),   // upper bound clamped to the size
            (100_000..<100_010, 100_000..<100_000), // starting at the end: empty
            (10..<10, 10..<10),                     // empty range
        ]
        for (asked, expected) in cases {
            let reader = try await store.read(location, range: asked)
            var got: [UInt8] = []
            while let chunk = try await reader.next(maxBytes: 4096) {
                #expect(!chunk.isEmpty && chunk.count <= 4096)
                got += chunk
            }
            #expect(got == Array(data[expected]), "range \(asked)")
        }
        await #expect(throws: ObjectStoreError.invalidRange(location, size: 100_000)) {
            _ = try await store.read(location, range: 100_001..<100_002)
        }
        try await store.delete(location)
    }

    @Test(arguments: StoreKind.enabled)
    func abortLeavesNothing(kind: StoreKind) async throws {
        let store = try kind.store()
        let location = try uniqueLocation("aborted.bin")
        let upload = try await store.beginUpload(location)
        try await upload.write(pattern(partBoundary + 5, seed: 1)[...])  // one part already sent
        await upload.abort()
        await upload.abort()  // twice is harmless
        #expect(try await store.size(location) == nil)
        #expect(try await store.sweepIncomplete() == 0)
        await #expect(throws: ObjectStoreError.uploadClosed(location)) { try await upload.write([1][...]) }
        await #expect(throws: ObjectStoreError.uploadClosed(location)) { _ = try await upload.commit() }
    }

    @Test(arguments: StoreKind.enabled)
    func uncommittedUploadIsInvisibleAndSweepSparesIt(kind: StoreKind) async throws {
        let store = try kind.store()
        let location = try uniqueLocation("pending.bin")
        let data = pattern(3000, seed: 3)
        let upload = try await store.beginUpload(location)
        try await upload.write(data[...])
        #expect(try await store.size(location) == nil)
        await #expect(throws: ObjectStoreError.notFound(location)) { _ = try await store.read(location, range: nil) }
        // The upload is still open in this store: a sweep must leave it alone.
        #expect(try await store.sweepIncomplete() == 0)
        #expect(try await upload.commit() == 3000)
        #expect(try await readAll(store, location, chunk: 1000) == data)
        try await store.delete(location)
    }

    /// A crash mid-upload, seen by the next process: a fresh store over the same storage.
    @Test(arguments: StoreKind.enabled)
    func sweepRemovesLeftoversOfAnotherInstance(kind: StoreKind) async throws {
        let store = try kind.store()
        let location = try uniqueLocation("crashed.bin")
        let upload = try await store.beginUpload(location)
        try await upload.write(pattern(partBoundary + 100, seed: 4)[...])
        let restarted = try kind.freshInstance()
        #expect(try await restarted.sweepIncomplete() == 1)
        #expect(try await restarted.sweepIncomplete() == 0)
        #expect(try await store.size(location) == nil)
        await upload.abort()
        // The restarted instance writes into what the first one set up (S3: the bucket exists).
        try await put(restarted, location, [9, 8, 7])
        #expect(try await store.size(location) == 3)
        try await store.delete(location)
    }

    /// A handler that forgets both commit and abort (a client gone mid-upload) still leaves
    /// nothing: the upload cleans up when released.
    @Test(arguments: StoreKind.enabled)
    func droppedUploadLeavesNothing(kind: StoreKind) async throws {
        let store = try kind.store()
        let location = try uniqueLocation("dropped.bin")
        do {
            let upload = try await store.beginUpload(location)
            try await upload.write(pattern(partBoundary + 10, seed: 5)[...])  // past the first part
        }
        try await kind.waitForBackgroundCleanup(store)
        #expect(try await store.size(location) == nil)
        #expect(try await kind.freshInstance().sweepIncomplete() == 0)
    }

    /// A client that goes away mid-write: the handler aborts while the write is still under
    /// way. The abort waits for it and nothing remains.
    @Test(arguments: StoreKind.enabled)
    func abortDuringAWriteLeavesNothing(kind: StoreKind) async throws {
        let store = try kind.store()
        let location = try uniqueLocation("interrupted.bin")
        let upload = try await store.beginUpload(location)
        let data = pattern(3 * partBoundary + 1, seed: 6)
        let writing = Task { try await upload.write(data[...]) }
        try await Task.sleep(nanoseconds: 20_000_000)
        await upload.abort()
        let outcome = await writing.result
        if case .failure(let error) = outcome {
            #expect(error as? ObjectStoreError == .uploadClosed(location))
        }
        await #expect(throws: ObjectStoreError.uploadClosed(location)) { _ = try await upload.commit() }
        try await kind.waitForBackgroundCleanup(store)
        #expect(try await store.size(location) == nil)
        #expect(try await kind.freshInstance().sweepIncomplete() == 0)
    }

    /// Text compresses well; whatever a server does with it, the bytes and sizes are the
    /// stored ones (no transfer encoding leaks into ranges or sizes).
    @Test(arguments: StoreKind.enabled)
    func compressibleTextIsByteExact(kind: StoreKind) async throws {
        let store = try kind.store()
        let location = try uniqueLocation("config.json")
        let text = Array(String(repeating: "{\"layer\": \"dense\", \"units\": 128, \"activation\": \"relu\"}\n", count: 3000).utf8)
        try await put(store, location, text)
        #expect(try await store.size(location) == Int64(text.count))
        #expect(try await readAll(store, location, chunk: 7000) == text)
        let reader = try await store.read(location, range: 1000..<1100)
        var got: [UInt8] = []
        while let chunk = try await reader.next(maxBytes: 64) { got += chunk }
        #expect(got == Array(text[1000..<1100]))
        try await store.delete(location)
    }

    @Test(arguments: StoreKind.enabled)
    func commitReplacesExistingObject(kind: StoreKind) async throws {
        let store = try kind.store()
        let location = try uniqueLocation("model/weights.safetensors")
        try await put(store, location, pattern(5000, seed: 1))
        // The old object stays readable while the replacement is being written.
        let replacement = pattern(1200, seed: 2)
        let upload = try await store.beginUpload(location)
        try await upload.write(replacement[...])
        #expect(try await store.size(location) == 5000)
        #expect(try await upload.commit() == 1200)
        #expect(try await store.size(location) == 1200)
        #expect(try await readAll(store, location, chunk: 512) == replacement)
        try await store.delete(location)
        try await store.delete(location)  // absent is not an error
    }

    @Test(arguments: StoreKind.enabled)
    func notFound(kind: StoreKind) async throws {
        let store = try kind.store()
        let location = try uniqueLocation("never-written.bin")
        #expect(try await store.size(location) == nil)
        await #expect(throws: ObjectStoreError.notFound(location)) { _ = try await store.read(location, range: nil) }
        await #expect(throws: ObjectStoreError.notFound(location)) { _ = try await store.read(location, range: 0..<1) }
        // A company that never stored anything (no directory, no bucket).
        let elsewhere = try ObjectLocation(company: "nobody-\(randomHex(4))", key: "x")
        #expect(try await store.size(elsewhere) == nil)
        await #expect(throws: ObjectStoreError.notFound(elsewhere)) { _ = try await store.read(elsewhere, range: nil) }
        try await store.delete(elsewhere)
    }

    @Test(arguments: StoreKind.enabled)
    func keyPrefixOfAnotherKeyIsNotAnObject(kind: StoreKind) async throws {
        let store = try kind.store()
        let location = try uniqueLocation("dir/file.bin")
        try await put(store, location, [1, 2, 3])
        let prefix = try ObjectLocation(company: location.company, key: FileSystem.parent(of: location.key))
        #expect(try await store.size(prefix) == nil)
        await #expect(throws: ObjectStoreError.notFound(prefix)) { _ = try await store.read(prefix, range: nil) }
        try await store.delete(prefix)
        #expect(try await store.size(location) == 3)
        try await store.delete(location)
    }
}

@Suite struct ObjectLocationTests {
    @Test(arguments: [
        ("acme", "../x"), ("acme", "a/../x"), ("acme", "./x"), ("acme", "/abs"), ("acme", "a//b"), ("acme", "dir/"),
        ("acme", "nul\u{0}byte"), ("acme", String(repeating: "k", count: 600)), ("acme", ""), ("acme", "sp ace"),
        ("acme", "ümlaut"), ("acme", ".incoming/x"), ("Acme", "x"), ("ac", "x"), (String(repeating: "a", count: 64), "x"),
        ("ac_me", "x"), ("-acme", "x"), ("acme-", "x"), ("ac.me", "x"),
    ])
    func refusesInvalidNames(company: String, key: String) {
        #expect(throws: ObjectStoreError.self) { try ObjectLocation(company: company, key: key) }
    }

    @Test func acceptsValidNames() throws {
        let location = try ObjectLocation(company: "acme-2", key: "models/6f1c-AB_9/weights.v2.safetensors")
        #expect(location.description == "acme-2/models/6f1c-AB_9/weights.v2.safetensors")
        _ = try ObjectLocation(company: String(repeating: "a", count: 63), key: String(repeating: "k", count: 512))
        _ = try ObjectLocation(company: "abc", key: "a..b")  // ".." inside a segment is a name, not traversal
    }
}

// MARK: - Helpers

func uniqueLocation(_ name: String) throws -> ObjectLocation {
    try ObjectLocation(company: ObjectStoreSuite.company, key: "test-\(randomHex(6))/\(name)")
}

/// Deterministic bytes that differ at every offset of a part boundary (an off-by-one in
/// part assembly changes the result).
func pattern(_ count: Int, seed: UInt64) -> [UInt8] {
    var state = seed &+ 0x9E37_79B9_7F4A_7C15
    var out = [UInt8](repeating: 0, count: count)
    var i = 0
    while i < count {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        var word = state
        for _ in 0..<8 where i < count {
            out[i] = UInt8(truncatingIfNeeded: word >> 56)
            word <<= 8
            i += 1
        }
    }
    return out
}

func put(_ store: any ObjectStore, _ location: ObjectLocation, _ data: [UInt8]) async throws {
    let upload = try await store.beginUpload(location)
    try await upload.write(data[...])
    #expect(try await upload.commit() == Int64(data.count))
}

func readAll(_ store: any ObjectStore, _ location: ObjectLocation, chunk: Int) async throws -> [UInt8] {
    let reader = try await store.read(location, range: nil)
    var out: [UInt8] = []
    while let piece = try await reader.next(maxBytes: chunk) {
        #expect(!piece.isEmpty && piece.count <= chunk)
        out += piece
    }
    return out
}
