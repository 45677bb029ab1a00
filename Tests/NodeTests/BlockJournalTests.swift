import Chain
import EVM
import Primitives
import Testing

/// One journaled state for a whole block must price and apply every transaction exactly as a
/// fresh state per transaction does (EIP-2200's original values reset at each boundary).
@Suite struct BlockJournalTests {
    typealias Support = NodeTestSupport

    @Test func blockWideJournalMatchesOneStatePerTransaction() throws {
        let genesis = try Genesis(json: Array(try String(contentsOfFile: Support.devGenesisPath, encoding: .utf8).utf8))
        let contract = Address(low20Of: UInt256(0xc0de).hash32)
        let senders = try Support.keys.map(Support.address)
        // Writes to the same slot: set, overwrite, clear, set again; one reverts (zero word).
        let words: [UInt64] = [42, 7, 0, 9, 9, 1]
        func transactions() -> [TransactionEnvironment] {
            words.enumerated().map { index, word in
                TransactionEnvironment(type: 2, sender: senders[index % senders.count], to: contract,
                                       data: Support.word(word), gasLimit: 100_000, nonce: UInt64(index / senders.count))
            }
        }
        let environment = BlockEnvironment(coinbase: .zero, number: 1, timestamp: 1, gasLimit: 30_000_000,
                                           baseFee: .zero, chainId: 1337, excessBlobGas: 0)
        func freshState() -> MemoryBackend {
            let state = Support.memoryState(genesis)
            state.set(contract, code: Support.storeAndLogRuntime)
            return state
        }

        let whole = freshState()
        let journal = JournaledState(backend: whole)
        let evm = EVM(state: journal, block: environment, fork: .cancun)
        let blockGas = try transactions().map { try evm.execute(transaction: $0).gasUsed }
        whole.apply(journal.changes())

        let single = freshState()
        var singleGas = [UInt64]()
        for transaction in transactions() {
            let state = JournaledState(backend: single)
            singleGas.append(try EVM(state: state, block: environment, fork: .cancun).execute(transaction: transaction).gasUsed)
            single.apply(state.changes())
        }
        #expect(blockGas == singleGas)
        #expect(TrieRoot.stateRoot(whole) == TrieRoot.stateRoot(single))
        #expect(whole.storage(contract, .zero) == UInt256(1))
    }
}
