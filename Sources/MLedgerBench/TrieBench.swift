import LedgerCrypto
import Foundation
import Primitives
import Storage
import Trie

/// Trie figures for the state-root workload: random 32-byte keys (as a secure trie sees them)
/// and account-sized values, in memory.
func runTrieBenchmarks() {
    print("== trie ==")
    for count in [10_000, 100_000] {
        var generator = BenchGenerator(state: UInt64(count))
        let keys = (0..<count).map { _ in generator.bytes(32) }
        let value = [UInt8](repeating: 0xab, count: 70)  // about an RLP account

        var trie = MerklePatriciaTrie()
        let insertSeconds = time {
            for key in keys { try? trie.insert(key: key, value: value) }
        }
        report("trie insert \(count) keys", Double(count) / insertSeconds, "inserts/s")
        var root = Hash32.zero
        let rootSeconds = time { root = trie.rootHash }
        // Reference: Keccak alone over inputs the size of this trie's nodes (one 110-byte leaf
        // per key, one 532-byte branch per 15 keys), the floor for a first root computation.
        let leafInput = [UInt8](repeating: 1, count: 110), branchInput = [UInt8](repeating: 2, count: 532)
        let keccakSeconds = time {
            for _ in 0..<count { _ = Keccak256.hash(leafInput) }
            for _ in 0..<(count / 15) { _ = Keccak256.hash(branchInput) }
        }
        report("trie root of \(count) keys (first)", rootSeconds * 1000, "ms",
               reference: String(format: "keccak-only floor %.1f ms", keccakSeconds * 1000))

        // The block-by-block pattern: change 100 accounts, recompute the root.
        let updateSeconds = time {
            for i in 0..<100 { try? trie.insert(key: keys[i * (count / 100)], value: generator.bytes(70)) }
            root = trie.rootHash
        }
        report("trie 100 updates + root (\(count) keys)", updateSeconds * 1000, "ms")

        let getSeconds = time {
            for key in keys.prefix(10_000) { _ = try? trie.get(key) }
        }
        report("trie get (\(count) keys)", 10_000 / getSeconds, "gets/s")

        var shrinking = trie
        let deleteSeconds = time {
            for key in keys.prefix(10_000) { try? shrinking.delete(key: key) }
        }
        report("trie delete (\(count) keys)", 10_000 / deleteSeconds, "deletes/s")

        let store = MemoryTrieNodeStore()
        let commitSeconds = time { _ = try? trie.commit(to: store) }
        report("trie commit \(count) keys to memory", commitSeconds * 1000, "ms", reference: "\(store.count) nodes")
        _ = root

        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mledger-bench-trie-\(count)").path
        try? FileManager.default.removeItem(atPath: path)
        if let db = try? LevelDBStore(path: path) {
            let nodes = KeyValueTrieNodeStore(db)
            var fresh = MerklePatriciaTrie(store: nodes)
            for key in keys { try? fresh.insert(key: key, value: value) }
            let levelSeconds = time { _ = try? fresh.commit() }
            report("trie commit \(count) keys to LevelDB", levelSeconds * 1000, "ms", reference: "one write batch")
            db.close()
        }
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// One timed run: building a 100k-key trie is itself the workload, so it is not repeated.
private func time(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

private struct BenchGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
    mutating func bytes(_ count: Int) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(count + 8)
        while out.count < count { withUnsafeBytes(of: next()) { out.append(contentsOf: $0) } }
        return Array(out.prefix(count))
    }
}
