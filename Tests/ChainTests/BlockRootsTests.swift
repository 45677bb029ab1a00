import Chain
import Primitives
import Trie
import Testing

@Suite struct BlockRootsTests {
    @Test func referenceWithdrawalsRootMatches() throws {
        // The one withdrawal of the Shanghai reference block in BlockHeaderTests.
        let (header, _) = try BlockHeaderTests.header(fromRPC: BlockHeaderTests.shanghaiBlockJSON)
        let withdrawal = Withdrawal(index: 0, validatorIndex: 5,
                                    address: BlockTestSupport.address("0x3ae75c08b4c907eb63a8960c45b86e1e9ab6123c"),
                                    amountGwei: 0x64)
        #expect(Block.withdrawalsRoot([withdrawal]) == header.withdrawalsRoot)
        #expect(Block.withdrawalsRoot([]) == BlockHeader.emptyTrieRoot)
        #expect(BlockHeader.emptyTrieRoot == MerklePatriciaTrie.emptyRoot)
    }

    static func consistentBlock() throws -> (Block, [Receipt]) {
        let transactions = try BlockTests.signedTransactions()
        var cumulative: UInt64 = 0
        let receipts = transactions.enumerated().map { index, tx in
            cumulative += 21_000 + UInt64(index)
            return Receipt(type: tx.type, succeeded: index % 2 == 0, cumulativeGasUsed: cumulative,
                           logs: index == 1 ? [ReceiptTests.referenceLog] : [])
        }
        var block = BlockTests.cancunBlock(transactions: transactions)
        block.header.transactionsRoot = Block.transactionsRoot(transactions)
        block.header.receiptsRoot = Block.receiptsRoot(receipts)
        block.header.logsBloom = Block.logsBloom(receipts)
        block.header.gasUsed = cumulative
        block.header.withdrawalsRoot = Block.withdrawalsRoot([])
        return (block, receipts)
    }

    @Test func consistentBlocksVerify() throws {
        let (block, receipts) = try Self.consistentBlock()
        try block.verifyBodyRoots()
        try block.verifyReceipts(receipts)
        #expect(block.header.transactionsRoot != BlockHeader.emptyTrieRoot)
    }

    @Test func mismatchesAreNamed() throws {
        let (block, receipts) = try Self.consistentBlock()
        var dropped = block
        dropped.body.transactions.removeLast()
        #expect(throws: BlockRootMismatch.self) { try dropped.verifyBodyRoots() }
        var reordered = block
        reordered.body.transactions.swapAt(0, 1)
        #expect(throws: BlockRootMismatch.self) { try reordered.verifyBodyRoots() }
        var withWithdrawal = block
        withWithdrawal.body.withdrawals = [Withdrawal(index: 1, validatorIndex: 1, address: .zero, amountGwei: 1)]
        #expect(throws: BlockRootMismatch.self) { try withWithdrawal.verifyBodyRoots() }
        var flipped = receipts
        flipped[0].succeeded.toggle()
        #expect(throws: BlockRootMismatch.self) { try block.verifyReceipts(flipped) }
        var noLogs = receipts
        noLogs[1] = Receipt(type: noLogs[1].type, succeeded: noLogs[1].succeeded,
                            cumulativeGasUsed: noLogs[1].cumulativeGasUsed, logs: [])
        #expect(throws: BlockRootMismatch.self) { try block.verifyReceipts(noLogs) }
        var wrongGas = block
        wrongGas.header.gasUsed += 1
        #expect(throws: BlockRootMismatch.gasUsed(header: block.header.gasUsed + 1, receipts: block.header.gasUsed)) {
            try wrongGas.verifyReceipts(receipts)
        }
    }
}
