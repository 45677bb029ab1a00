import MLedgerTesting
import LedgerCrypto
import Primitives
import Testing
import Trie

private func sampleTrie(count: Int, seed: UInt64) throws -> (MerklePatriciaTrie, [[UInt8]: [UInt8]]) {
    var rng = SplitMix64(seed: seed)
    var trie = MerklePatriciaTrie()
    var content: [[UInt8]: [UInt8]] = [:]
    for _ in 0..<count {
        let key = rng.below(2) == 0 ? rng.bytes(32) : rng.clusteredKey()
        let value = rng.bytes(1 + rng.below(50))
        try trie.insert(key: key, value: value)
        content[key] = value
    }
    return (trie, content)
}

@Test(arguments: [(5, UInt64(1)), (200, UInt64(2)), (2000, UInt64(3))])
func proofsRoundTripForPresentAndAbsentKeys(count: Int, seed: UInt64) throws {
    let (trie, content) = try sampleTrie(count: count, seed: seed)
    let root = trie.rootHash
    for (key, value) in content {
        let proof = try trie.proof(for: key)
        #expect(try MerklePatriciaTrie.verifyProof(root: root, key: key, proof: proof) == value)
    }
    var rng = SplitMix64(seed: seed &+ 100)
    for _ in 0..<50 {
        let key = rng.below(2) == 0 ? rng.bytes(32) : rng.clusteredKey() + [0x77]
        guard content[key] == nil else { continue }
        let proof = try trie.proof(for: key)
        #expect(try MerklePatriciaTrie.verifyProof(root: root, key: key, proof: proof) == nil)
    }
}

@Test func proofOfTinyTrieHasTheInlineRoot() throws {
    var trie = MerklePatriciaTrie()
    try trie.insert(key: [1], value: [2])
    let proof = try trie.proof(for: [1])
    #expect(proof.count == 1)
    #expect(proof[0].count < 32)
    #expect(try MerklePatriciaTrie.verifyProof(root: trie.rootHash, key: [1], proof: proof) == [2])
    #expect(try MerklePatriciaTrie.verifyProof(root: trie.rootHash, key: [3], proof: try trie.proof(for: [3])) == nil)
}

@Test func emptyTrieProvesAbsence() throws {
    let trie = MerklePatriciaTrie()
    #expect(try trie.proof(for: [1]).isEmpty)
    #expect(try MerklePatriciaTrie.verifyProof(root: MerklePatriciaTrie.emptyRoot, key: [1], proof: []) == nil)
    #expect(try MerklePatriciaTrie.verifyProof(root: MerklePatriciaTrie.emptyRoot, key: [1], proof: [[0x80]]) == nil)
}

@Test func tamperedProofsAreRejected() throws {
    let (trie, content) = try sampleTrie(count: 500, seed: 7)
    let root = trie.rootHash
    let key = content.keys.sorted(by: { $0.lexicographicallyPrecedes($1) })[42]
    let proof = try trie.proof(for: key)
    #expect(proof.count >= 2)

    // A flipped byte in any node breaks the hash link to it.
    for index in proof.indices {
        var tampered = proof
        tampered[index][tampered[index].count / 2] ^= 0x01
        #expect {
            _ = try MerklePatriciaTrie.verifyProof(root: root, key: key, proof: tampered)
        } throws: { error in
            guard case .proofHashMismatch(let at, _, _)? = error as? TrieError else { return false }
            return at == index
        }
    }
    // A missing last node leaves the walk without the node it needs.
    #expect {
        _ = try MerklePatriciaTrie.verifyProof(root: root, key: key, proof: Array(proof.dropLast()))
    } throws: { error in
        guard case .proofIncomplete(let at, _)? = error as? TrieError else { return false }
        return at == proof.count - 1
    }
    // Extra nodes are not part of the path.
    #expect(throws: TrieError.proofHasUnusedNodes(count: 1)) {
        _ = try MerklePatriciaTrie.verifyProof(root: root, key: key, proof: proof + [proof[0]])
    }
    // The right proof against another root.
    let otherRoot = Keccak256.hash([1, 2, 3])
    #expect(throws: TrieError.proofHashMismatch(index: 0, expected: otherRoot, actual: root)) {
        _ = try MerklePatriciaTrie.verifyProof(root: otherRoot, key: key, proof: proof)
    }
    // Garbage whose hash is the root is still not a node.
    let garbage: [UInt8] = [0xc3, 0x01, 0x02, 0x03]
    #expect {
        _ = try MerklePatriciaTrie.verifyProof(root: Keccak256.hash(garbage), key: key, proof: [garbage])
    } throws: { error in
        guard case .proofMalformedNode(0, _)? = error as? TrieError else { return false }
        return true
    }
}

@Test func secureTrieProofsRoundTrip() throws {
    var secure = SecureTrie()
    for i in 0..<100 { try secure.insert(key: text("account \(i)"), value: text("balance \(i)")) }
    let proof = try secure.proof(for: text("account 5"))
    #expect(try SecureTrie.verifyProof(root: secure.rootHash, key: text("account 5"), proof: proof) == text("balance 5"))
    let absent = try secure.proof(for: text("nobody"))
    #expect(try SecureTrie.verifyProof(root: secure.rootHash, key: text("nobody"), proof: absent) == nil)
}

/// Proof nodes come from outside: mutated or random node bytes (hash-linked so the decoder is
/// reached) must give a value, an absence, or a typed error, never a crash.
@Test func mutatedProofNodesNeverCrashTheVerifier() throws {
    let (trie, content) = try sampleTrie(count: 300, seed: 21)
    let keys = content.keys.sorted(by: { $0.lexicographicallyPrecedes($1) })
    var rng = SplitMix64(seed: 77)
    var outcomes = [String: Int]()
    for round in 0..<2_000 {
        let key = keys[round % keys.count]
        var node = try trie.proof(for: key)[0]
        switch rng.below(3) {
        case 0: node[rng.below(node.count)] = UInt8(truncatingIfNeeded: rng.next())
        case 1: node = Array(node.prefix(rng.below(node.count)))
        default: node = rng.bytes(rng.below(40))
        }
        do {
            let value = try MerklePatriciaTrie.verifyProof(root: Keccak256.hash(node), key: key, proof: [node])
            outcomes[value == nil ? "absent" : "value", default: 0] += 1
        } catch {
            switch error {
            case .proofMalformedNode: outcomes["malformed", default: 0] += 1
            case .proofIncomplete: outcomes["incomplete", default: 0] += 1
            default: outcomes["other", default: 0] += 1
            }
        }
    }
    #expect(outcomes["malformed", default: 0] > 500)
    #expect(outcomes["incomplete", default: 0] > 0)  // a byte change elsewhere keeps a valid branch
}
