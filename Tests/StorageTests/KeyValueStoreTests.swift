import Foundation
import Storage
import Testing

/// Which implementation a shared test runs against; each case builds a fresh store.
enum StoreKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case memory, leveldb
    var testDescription: String { rawValue }

    func make() throws -> (store: any KeyValueStore, cleanup: () -> Void) {
        switch self {
        case .memory:
            return (MemoryStore(), {})
        case .leveldb:
            let dir = TemporaryDirectory.make()
            let store = try LevelDBStore(path: dir)
            return (store, { store.close(); TemporaryDirectory.remove(dir) })
        }
    }
}

enum TemporaryDirectory {
    static func make() -> String {
        FileManager.default.temporaryDirectory
            .appendingPathComponent("mledger-storage-\(UUID().uuidString)").path
    }
    static func remove(_ path: String) { try? FileManager.default.removeItem(atPath: path) }
}

private func b(_ text: String) -> [UInt8] { Array(text.utf8) }

@Test(arguments: StoreKind.allCases)
func storePutGetDelete(kind: StoreKind) throws {
    let (store, cleanup) = try kind.make()
    defer { cleanup() }
    #expect(try store.get(b("missing")) == nil)
    try store.put(b("k"), b("v1"))
    #expect(try store.get(b("k")) == b("v1"))
    try store.put(b("k"), b("v2"))
    #expect(try store.get(b("k")) == b("v2"))
    try store.put(b("empty"), [])
    #expect(try store.get(b("empty")) == [])
    try store.delete(b("k"))
    #expect(try store.get(b("k")) == nil)
    try store.delete(b("never-there"))  // not an error
    try store.put([0x00, 0xff, 0x00], [0xde, 0xad])
    #expect(try store.get([0x00, 0xff, 0x00]) == [0xde, 0xad])
}

@Test(arguments: StoreKind.allCases)
func storeBatchAppliesInOrderAndAtomically(kind: StoreKind) throws {
    let (store, cleanup) = try kind.make()
    defer { cleanup() }
    try store.put(b("gone"), b("x"))
    var batch = WriteBatch()
    batch.put(b("a"), b("1"))
    batch.put(b("b"), b("2"))
    batch.delete(b("gone"))
    batch.put(b("a"), b("3"))  // later operations win
    batch.delete(b("b"))
    #expect(try store.get(b("a")) == nil)  // nothing visible before the write
    try store.writeBatch(batch)
    #expect(try store.get(b("a")) == b("3"))
    #expect(try store.get(b("b")) == nil)
    #expect(try store.get(b("gone")) == nil)
}

@Test(arguments: StoreKind.allCases)
func storeBatchIsAllOrNothingForConcurrentReaders(kind: StoreKind) async throws {
    let (store, cleanup) = try kind.make()
    defer { cleanup() }
    let keys = (0..<50).map { b("key\($0)") }
    // Readers must see either none or all of each batch's 50 keys, all from the same round.
    let writer = Task.detached {
        for round in 1...20 {
            var batch = WriteBatch()
            for key in keys { batch.put(key, [UInt8(round)]) }
            try store.writeBatch(batch)
        }
    }
    var torn = 0
    for _ in 0..<40 {
        let seen = try store.entries(prefix: b("key"))
        if !seen.isEmpty && (seen.count != keys.count || Set(seen.map(\.value)).count != 1) { torn += 1 }
        await Task.yield()
    }
    try await writer.value
    #expect(torn == 0)
    #expect(try store.entries(prefix: b("key")).allSatisfy { $0.value == [20] })
}

@Test(arguments: StoreKind.allCases)
func storeIteratesInByteOrderWithinPrefix(kind: StoreKind) throws {
    let (store, cleanup) = try kind.make()
    defer { cleanup() }
    let keys: [[UInt8]] = [[0x01], [0x01, 0x00], [0x01, 0x02], [0x01, 0xff], [0x02], [0x00, 0x05], [0x01, 0x02, 0x03], [0xff]]
    for key in keys.reversed() { try store.put(key, key) }
    let all = try store.entries().map(\.key)
    #expect(all == [[0x00, 0x05], [0x01], [0x01, 0x00], [0x01, 0x02], [0x01, 0x02, 0x03], [0x01, 0xff], [0x02], [0xff]])
    #expect(try store.entries().allSatisfy { $0.key == $0.value })
    let underOne = try store.entries(prefix: [0x01]).map(\.key)
    #expect(underOne == [[0x01], [0x01, 0x00], [0x01, 0x02], [0x01, 0x02, 0x03], [0x01, 0xff]])
    // Start inside the prefix, stop early.
    var visited = [[UInt8]]()
    try store.forEach(from: [0x01, 0x01], prefix: [0x01]) { key, _ in
        visited.append(key)
        return visited.count < 2
    }
    #expect(visited == [[0x01, 0x02], [0x01, 0x02, 0x03]])
    // A start before the prefix begins at the prefix.
    var firstKey: [UInt8]?
    try store.forEach(from: [], prefix: [0x02]) { key, _ in firstKey = key; return false }
    #expect(firstKey == [0x02])
    #expect(try store.entries(prefix: [0x03]).isEmpty)
}

@Test(arguments: StoreKind.allCases)
func storeRejectsUseAfterClose(kind: StoreKind) throws {
    let (store, cleanup) = try kind.make()
    defer { cleanup() }
    try store.put(b("k"), b("v"))
    store.close()
    #expect(throws: StorageError.closed) { try store.get(b("k")) }
    #expect(throws: StorageError.closed) { try store.put(b("k"), b("v")) }
    #expect(throws: StorageError.closed) { try store.writeBatch(WriteBatch()) }
    #expect(throws: StorageError.closed) { try store.entries() }
    store.close()  // twice is harmless
}

@Test func levelDBPersistsAcrossReopen() throws {
    let dir = TemporaryDirectory.make()
    defer { TemporaryDirectory.remove(dir) }
    do {
        let store = try LevelDBStore(path: dir)
        var batch = WriteBatch()
        for i in 0..<100 { batch.put(b("n\(1000 + i)"), b("value \(i)")) }
        try store.writeBatch(batch)
        try store.delete(b("n1050"))
        store.close()
    }
    let reopened = try LevelDBStore(path: dir, createIfMissing: false)
    defer { reopened.close() }
    #expect(try reopened.get(b("n1000")) == b("value 0"))
    #expect(try reopened.get(b("n1050")) == nil)
    #expect(try reopened.entries(prefix: b("n1")).count == 99)
}

@Test func levelDBReportsLockedDatabase() throws {
    let dir = TemporaryDirectory.make()
    defer { TemporaryDirectory.remove(dir) }
    let first = try LevelDBStore(path: dir)
    defer { first.close() }
    #expect {
        _ = try LevelDBStore(path: dir)
    } throws: { error in
        guard case .locked(let path, _)? = error as? StorageError else { return false }
        return path == dir
    }
}

@Test func levelDBReportsMissingDatabaseWhenNotCreating() {
    let dir = TemporaryDirectory.make()
    #expect {
        _ = try LevelDBStore(path: dir, createIfMissing: false)
    } throws: { error in
        guard case .cannotOpen(let path, let message)? = error as? StorageError else { return false }
        return path == dir && !message.isEmpty
    }
}

@Test func levelDBReportsCorruptDatabase() throws {
    let dir = TemporaryDirectory.make()
    defer { TemporaryDirectory.remove(dir) }
    do {
        let store = try LevelDBStore(path: dir)
        try store.put(b("k"), b("v"))
        store.close()
    }
    // Replace the manifest with garbage so LevelDB cannot recover its file list.
    let files = try FileManager.default.contentsOfDirectory(atPath: dir)
    for file in files where file.hasPrefix("MANIFEST") {
        try Data(repeating: 0x5a, count: 64).write(to: URL(fileURLWithPath: dir).appendingPathComponent(file))
    }
    #expect {
        _ = try LevelDBStore(path: dir)
    } throws: { error in
        guard case .corrupt(let path, _)? = error as? StorageError else { return false }
        return path == dir
    }
}
