import LedgerCrypto
import Datasets
import Primitives
import Testing

struct CommitmentTests {
    @Test func smallTreesFollowTheDocumentedShape() {
        let chunk = 4
        func root(_ bytes: [UInt8]) -> Hash32 {
            var c = ChunkMerkleCommitment(chunkSize: chunk)
            c.update(bytes)
            return c.finalize()
        }
        let leaf = { (b: [UInt8]) in Keccak256.hash(b) }
        let node = { (l: Hash32, r: Hash32) in Keccak256.hash(l.bytes + r.bytes) }
        #expect(root([]) == leaf([]))
        #expect(root([1, 2, 3]) == leaf([1, 2, 3]))
        #expect(root([1, 2, 3, 4]) == leaf([1, 2, 3, 4]))
        #expect(root([1, 2, 3, 4, 5]) == node(leaf([1, 2, 3, 4]), leaf([5])))
        // Three leaves: the third is promoted, then paired with the first pair's node.
        let three = Array(UInt8(0)..<UInt8(9))
        #expect(root(three) == node(node(leaf([0, 1, 2, 3]), leaf([4, 5, 6, 7])), leaf([8])))
    }

    @Test func streamingMatchesLevelByLevelReference() {
        var g = SeededGenerator(seed: 0xC0117)
        for length in 0..<400 {
            let data = (0..<length).map { _ in UInt8.random(in: 0...255, using: &g) }
            let chunk = [1, 3, 16, 32].randomElement(using: &g)!
            var c = ChunkMerkleCommitment(chunkSize: chunk)
            var i = 0
            while i < data.count {
                let step = Int.random(in: 1...50, using: &g)
                c.update(Array(data[i..<min(i + step, data.count)]))
                i += step
            }
            #expect(c.finalize() == referenceMerkleRoot(data, chunkSize: chunk), "length \(length), chunk \(chunk)")
            #expect(c.byteCount == UInt64(length))
            #expect(c.chunkCount == UInt64(max(1, (length + chunk - 1) / chunk)))
        }
    }

    @Test func oneFlippedByteChangesTheRoot() {
        var data = [UInt8](repeating: 7, count: 200_000)
        let before = referenceMerkleRoot(data, chunkSize: 64 * 1024)
        data[150_000] ^= 1
        var c = ChunkMerkleCommitment()
        c.update(data)
        #expect(c.finalize() != before)
        #expect(c.finalize() == referenceMerkleRoot(data, chunkSize: 64 * 1024))
    }
}
