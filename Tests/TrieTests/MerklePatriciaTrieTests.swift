import MLedgerTesting
import LedgerCrypto
import Primitives
import RLP
import Storage
import Testing
import Trie

@Test func emptyTrieHasTheEmptyRoot() throws {
    let trie = MerklePatriciaTrie()
    #expect(trie.rootHash == MerklePatriciaTrie.emptyRoot)
    #expect(trie.rootHash == Keccak256.hash([0x80]))
    #expect(trie.rootHash.description == "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421")
    #expect(try trie.get(text("x")) == nil)
}

@Test func insertGetOverwriteDelete() throws {
    var trie = MerklePatriciaTrie()
    try trie.insert(key: text("dog"), value: text("puppy"))
    try trie.insert(key: text("do"), value: text("verb"))
    try trie.insert(key: text("doge"), value: text("coin"))
    try trie.insert(key: text("horse"), value: text("stallion"))
    #expect(try trie.get(text("dog")) == text("puppy"))
    #expect(try trie.get(text("do")) == text("verb"))
    #expect(try trie.get(text("d")) == nil)
    #expect(try trie.get(text("doges")) == nil)
    // The "puppy" vector of the Ethereum trie tests.
    #expect(trie.rootHash == (try Hash32(hex: "0x5991bb8c6514148a29db676a14ac506cd2cd5775ace63c30a4fe457715e9ac84")))
    try trie.update(key: text("dog"), value: text("hound"))
    #expect(try trie.get(text("dog")) == text("hound"))
    try trie.insert(key: text("doge"), value: [])  // empty value deletes
    #expect(try trie.get(text("doge")) == nil)
    for key in ["dog", "do", "horse"] { try trie.delete(key: text(key)) }
    #expect(trie.isEmpty)
    #expect(trie.rootHash == MerklePatriciaTrie.emptyRoot)
}

/// Roots depend only on content: any insertion order, and deletions, give the root of a trie
/// built from scratch with the remaining keys. Gets always agree with a dictionary.
@Test(arguments: [1, 2, 3, 4])
func rootDependsOnlyOnContent(seed: UInt64) throws {
    var rng = SplitMix64(seed: seed)
    var reference: [[UInt8]: [UInt8]] = [:]
    var trie = MerklePatriciaTrie()
    for _ in 0..<300 {
        let key = rng.below(3) == 0 ? rng.bytes(1 + rng.below(40)) : rng.clusteredKey()
        if rng.below(4) == 0 {
            try trie.delete(key: key)
            reference[key] = nil
        } else {
            let value = rng.bytes(1 + rng.below(rng.below(2) == 0 ? 4 : 60))
            try trie.insert(key: key, value: value)
            reference[key] = value
        }
    }
    for (key, value) in reference { #expect(try trie.get(key) == value) }
    var rebuilt = MerklePatriciaTrie()
    for key in reference.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }).reversed() {
        try rebuilt.insert(key: key, value: reference[key]!)
    }
    #expect(trie.rootHash == rebuilt.rootHash)
    let entries = try trie.entries()
    #expect(entries.map(\.key) == reference.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }))
    // Deleting everything returns to the empty root.
    for key in reference.keys { try trie.delete(key: key) }
    #expect(trie.rootHash == MerklePatriciaTrie.emptyRoot)
}

@Test func copiesAreIndependent() throws {
    var original = MerklePatriciaTrie()
    for i in 0..<50 { try original.insert(key: [UInt8(i)], value: text("v\(i)")) }
    let rootBefore = original.rootHash
    var copy = original
    try copy.insert(key: [7], value: text("changed"))
    try copy.delete(key: [8])
    #expect(try original.get([7]) == text("v7"))
    #expect(try original.get([8]) == text("v8"))
    #expect(original.rootHash == rootBefore)
    #expect(copy.rootHash != rootBefore)
}

/// The memoised hashes must never go stale: after each small change the cached root equals
/// the root of a fresh trie holding the same content.
@Test func cachedRootMatchesFreshRootAfterEachChange() throws {
    var rng = SplitMix64(seed: 99)
    var trie = MerklePatriciaTrie()
    var content: [[UInt8]: [UInt8]] = [:]
    for _ in 0..<200 {
        let key = rng.bytes(32)
        let value = rng.bytes(40)
        try trie.insert(key: key, value: value)
        content[key] = value
    }
    _ = trie.rootHash
    for step in 0..<20 {
        let key = step % 3 == 0 ? content.keys.sorted(by: { $0.lexicographicallyPrecedes($1) })[step] : rng.bytes(32)
        if step % 2 == 0 {
            try trie.delete(key: key)
            content[key] = nil
        } else {
            try trie.insert(key: key, value: rng.bytes(8))
            content[key] = try trie.get(key)
        }
        var fresh = MerklePatriciaTrie()
        for (k, v) in content { try fresh.insert(key: k, value: v) }
        #expect(trie.rootHash == fresh.rootHash, "step \(step)")
    }
}

@Test func secureTrieHashesKeys() throws {
    var secure = SecureTrie()
    var plain = MerklePatriciaTrie()
    for i in 0..<20 {
        try secure.insert(key: [UInt8(i)], value: text("value \(i)"))
        try plain.insert(key: Keccak256.hash([UInt8(i)]).bytes, value: text("value \(i)"))
    }
    #expect(secure.rootHash == plain.rootHash)
    #expect(try secure.get([3]) == text("value 3"))
    #expect(try secure.trie.get([3]) == nil)
    try secure.delete(key: [3])
    #expect(try secure.get([3]) == nil)
}

@Test func orderedRootKeysItemsByRLPIndex() throws {
    #expect(Trie.orderedRoot([]) == MerklePatriciaTrie.emptyRoot)
    // 130 items cross the RLP boundary between one-byte keys (0x01...0x7f) and 0x81 0x80.
    let items = (0..<130).map { RLP.encode(bytes: text("item \($0)")) }
    var manual = MerklePatriciaTrie()
    for (index, item) in items.enumerated().reversed() {
        try manual.insert(key: RLP.encode(uint: UInt64(index)), value: item)
    }
    #expect(Trie.orderedRoot(items) == manual.rootHash)
    #expect(try manual.get([0x80]) == items[0])
    #expect(try manual.get([0x81, 0x80]) == items[128])
    #expect(Trie.orderedRoot(Array(items.reversed())) != manual.rootHash)
}

@Test func nextAndPreviousKeysFollowByteOrder() throws {
    var trie = MerklePatriciaTrie()
    for key in ["b", "ba", "bb", "c"] { try trie.insert(key: text(key), value: text("x")) }
    #expect(try trie.nextKey(after: text("b")) == text("ba"))
    #expect(try trie.nextKey(after: text("bb")) == text("c"))
    #expect(try trie.nextKey(after: text("c")) == nil)
    #expect(try trie.previousKey(before: text("b")) == nil)
    #expect(try trie.previousKey(before: text("bz")) == text("bb"))
}

/// Writes change nodes in place only when this trie owns them: copies taken at any point keep
/// their content while both sides go on changing.
@Test func inPlaceWritesNeverLeakIntoCopies() throws {
    var rng = SplitMix64(seed: 5)
    var a = MerklePatriciaTrie()
    var contentA: [[UInt8]: [UInt8]] = [:]
    for _ in 0..<300 {
        let key = rng.bytes(1 + rng.below(6)), value = rng.bytes(1 + rng.below(40))
        try a.insert(key: key, value: value)
        contentA[key] = value
    }
    var b = a
    var contentB = contentA
    for round in 0..<200 {
        let key = round % 2 == 0 ? rng.bytes(1 + rng.below(6)) : contentA.keys.sorted(by: { $0.lexicographicallyPrecedes($1) })[round]
        let value = rng.bytes(1 + rng.below(40))
        if round % 3 == 0 {
            try b.insert(key: key, value: value)
            contentB[key] = value
        } else {
            try a.insert(key: key, value: value)
            contentA[key] = value
        }
        if round == 100 { _ = a.rootHash; _ = b.rootHash }  // memoised hashes must be invalidated too
    }
    for (content, trie) in [(contentA, a), (contentB, b)] {
        for (key, value) in content { #expect(try trie.get(key) == value) }
        var fresh = MerklePatriciaTrie()
        for (key, value) in content { try fresh.insert(key: key, value: value) }
        #expect(trie.rootHash == fresh.rootHash)
    }
}

/// A write that reaches a node missing from the store throws and leaves the trie as it was.
@Test func failedWriteLeavesTrieUnchanged() throws {
    let full = MemoryStore()
    var rng = SplitMix64(seed: 8)
    var trie = MerklePatriciaTrie(store: KeyValueTrieNodeStore(full))
    var content = [([UInt8], [UInt8])]()
    for _ in 0..<200 {
        let key = rng.bytes(32), value = rng.bytes(40)
        content.append((key, value))
        try trie.insert(key: key, value: value)
    }
    let root = try trie.commit()
    // Copy every node but one into a second store.
    let partial = MemoryStore()
    let nodes = try full.entries()
    for (index, entry) in nodes.enumerated() where index != nodes.count / 2 { try partial.put(entry.key, entry.value) }
    var damaged = MerklePatriciaTrie(rootHash: root, store: KeyValueTrieNodeStore(partial))
    var failures = 0
    for (key, value) in content {
        // Each successful change is undone at once, so the root must stay the original one.
        do {
            try damaged.insert(key: key, value: [1, 2, 3])
            try damaged.insert(key: key, value: value)
        } catch {
            guard case .missingNode = error else { Issue.record("unexpected \(error)"); continue }
            failures += 1
        }
        #expect(damaged.rootHash == root)
    }
    #expect(failures > 0)
    #expect(damaged.rootHash == root)
}
