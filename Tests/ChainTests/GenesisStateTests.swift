import Chain
import Primitives
import RLP
import Trie
import Testing

@Suite struct GenesisStateTests {
    @Test func codeAndStorageEnterTheState() throws {
        let holder = Address(hi: 0, mid: 0, lo: 0xa1)
        var genesis = Genesis(config: ChainConfig(chainId: 1), gasLimit: 1,
                              alloc: [holder: GenesisAccount(balance: 1)])
        let plainRoot = try genesis.state().root
        genesis.alloc[holder]?.code = [0x60, 0x00]
        let (codeRoot, codeNodes) = try genesis.state()
        #expect(codeRoot != plainRoot)
        #expect(codeNodes.contains { $0.bytes == [0x60, 0x00] })
        genesis.alloc[holder]?.storage = [UInt256(1).hash32: UInt256(2).hash32]
        let (storageRoot, storageNodes) = try genesis.state()
        #expect(storageRoot != codeRoot)
        // A zero slot is the same as no slot.
        genesis.alloc[holder]?.storage[UInt256(3).hash32] = .zero
        #expect(try genesis.state().root == storageRoot)
        // The nodes suffice to read the account back through a trie.
        let store = MemoryTrieNodeStore()
        try store.putNodes(storageNodes.map { (hash: $0.hash, rlp: $0.bytes) })
        let accounts = SecureTrie(rootHash: storageRoot, store: store)
        let account = try RLP.decode(try #require(try accounts.get(holder.bytes))).asList()
        #expect(try account[1].asUInt256() == 1)
    }

    @Test func devGenesisBlockIsConsistent() throws {
        let genesis = try Genesis(contentsOfFile: BlockTestSupport.devGenesisPath)
        let (block, nodes) = try genesis.block()
        try block.verifyBodyRoots()
        try block.verifyReceipts([])
        #expect(block.header.stateRoot != BlockHeader.emptyTrieRoot)
        #expect(!nodes.isEmpty)
        #expect(try Block(encoded: block.encoded) == block)
    }
}
