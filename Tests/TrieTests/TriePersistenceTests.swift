import MLedgerTesting
import Foundation
import LedgerCrypto
import Primitives
import Storage
import Testing
import Trie

@Test func trieSurvivesLevelDBReopen() throws {
    let path = temporaryPath()
    defer { try? FileManager.default.removeItem(atPath: path) }
    var rng = SplitMix64(seed: 11)
    var content: [[UInt8]: [UInt8]] = [:]
    let root: Hash32
    do {
        let db = try LevelDBStore(path: path)
        defer { db.close() }
        var trie = SecureTrie(store: KeyValueTrieNodeStore(db, keyPrefix: text("t")))
        for _ in 0..<500 {
            let key = rng.bytes(20), value = rng.bytes(1 + rng.below(70))
            try trie.insert(key: key, value: value)
            content[key] = value
        }
        root = try trie.commit()
        #expect(root == trie.rootHash)
        #expect(try db.entries(prefix: text("t")).count > 500)  // leaves and branches
    }
    let db = try LevelDBStore(path: path, createIfMissing: false)
    defer { db.close() }
    let store = KeyValueTrieNodeStore(db, keyPrefix: text("t"))
    var reopened = SecureTrie(rootHash: root, store: store)
    for (key, value) in content { #expect(try reopened.get(key) == value) }
    #expect(try reopened.get(text("absent")) == nil)

    // Change a little, commit again: only the changed paths are written.
    let before = try db.entries(prefix: text("t")).count
    let changedKey = content.keys.first!
    try reopened.insert(key: changedKey, value: text("new value"))
    try reopened.delete(key: content.keys.dropFirst().first!)
    let newRoot = try reopened.commit()
    let written = try db.entries(prefix: text("t")).count - before
    #expect(written > 0 && written < 20)
    let again = SecureTrie(rootHash: newRoot, store: store)
    #expect(try again.get(changedKey) == text("new value"))
    // The old root is still readable: nodes are content-addressed and never overwritten.
    #expect(try SecureTrie(rootHash: root, store: store).get(changedKey) == content[changedKey])
    // Proofs from a store-backed trie verify.
    let proof = try again.proof(for: changedKey)
    #expect(try SecureTrie.verifyProof(root: newRoot, key: changedKey, proof: proof) == text("new value"))
}

@Test func commitWritesOneBatchToMemoryStores() throws {
    let nodes = MemoryTrieNodeStore()
    var trie = MerklePatriciaTrie(store: nodes)
    for i in 0..<100 { try trie.insert(key: [UInt8(i), 1, 2, 3], value: [UInt8](repeating: UInt8(i), count: 40)) }
    let root = try trie.commit()
    let count = nodes.count
    #expect(count > 100)
    #expect(try trie.commit() == root)
    #expect(nodes.count == count)  // nothing new to write
    let reopened = MerklePatriciaTrie(rootHash: root, store: nodes)
    #expect(try reopened.get([5, 1, 2, 3]) == [UInt8](repeating: 5, count: 40))
    // A tiny trie's root node (under 32 bytes) is stored under its hash too.
    var tiny = MerklePatriciaTrie(store: nodes)
    try tiny.insert(key: [1], value: [2])
    let tinyRoot = try tiny.commit()
    #expect(try MerklePatriciaTrie(rootHash: tinyRoot, store: nodes).get([1]) == [2])
}

@Test func missingAndCorruptNodesAreTypedErrors() throws {
    let nodes = MemoryTrieNodeStore()
    let unknown = Keccak256.hash(text("nothing here"))
    #expect(throws: TrieError.missingNode(unknown)) {
        _ = try MerklePatriciaTrie(rootHash: unknown, store: nodes).get([1])
    }
    let garbage: [UInt8] = [0xc2, 0x01, 0x02]
    let garbageHash = Keccak256.hash(garbage)
    try nodes.put(garbageHash, garbage)
    #expect {
        _ = try MerklePatriciaTrie(rootHash: garbageHash, store: nodes).get([1])
    } throws: { error in
        guard case .malformedNode? = error as? TrieError else { return false }
        return true
    }
    #expect(throws: TrieError.noNodeStore) { try MerklePatriciaTrie().commit() }
}
