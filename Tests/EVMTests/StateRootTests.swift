import MLedgerTesting
import LedgerCrypto
import EVM
import Primitives
import RLP
import Testing
import Trie

/// The runner's one-pass trie root must agree with the Trie module's SecureTrie.
@Suite struct StateRootTests {
    @Test func onePassRootMatchesSecureTrie() throws {
        var rng = RandomBytecodeTests.SplitMix(seed: 42)
        for count in [0, 1, 2, 3, 17, 200] {
            var secure = SecureTrie()
            var items: [(key: Hash32, value: [UInt8])] = []
            for _ in 0..<count {
                let key = UInt256(rng.next()).bigEndianBytes
                let value = RLP.encode(uint: UInt256(rng.next() % 1000 + 1))
                try secure.insert(key: key, value: value)
                items.append((key: Keccak256.hash(key), value: value))
            }
            #expect(TrieRoot.root(items) == secure.rootHash, "\(count) items")
        }
    }

    @Test func emptyRootAndLogsHash() {
        #expect(TrieRoot.root([]) == TrieRoot.empty)
        // Keccak-256 of RLP([]) = 0x1dcc4de8...: the logs hash of a transaction without logs.
        #expect(TrieRoot.logsHash([]).description == "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347")
    }
}
