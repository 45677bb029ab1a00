import Chain
import Foundation
import Node
import Primitives
import Testing

/// `verify-chain`'s re-execution: an honest chain re-executes cleanly; a block whose stored
/// state root was not produced by its transactions is named.
@Suite struct ChainReexecutionTests {
    typealias Support = NodeTestSupport

    /// Executes honestly but reports a different state root from block `lieFrom` on.
    final class LyingExecutor: BlockExecutor {
        let honest: EVMBlockExecutor
        let lieFrom: UInt64
        init(honest: EVMBlockExecutor, lieFrom: UInt64) { self.honest = honest; self.lieFrom = lieFrom }
        func execute(header: BlockHeader, parent: BlockHeader, candidates: [PendingTransaction]) throws -> BlockExecutionResult {
            var result = try honest.execute(header: header, parent: parent, candidates: candidates)
            if header.number >= lieFrom { result.stateRoot = parent.stateRoot }
            return result
        }
    }

    @Test func honestChainReexecutesAndAForgedRootIsNamed() throws {
        let directory = try Support.makeDevDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let node = try LedgerNode(dataDirectory: directory)
        defer { node.close() }
        let key = Support.keys[2]
        let recipient = Address(low20Of: UInt256(0xbeef).hash32)
        for nonce in 0..<3 as Range<UInt64> {
            try node.pool.add(try Support.dynamicFee(key, nonce: nonce, to: recipient, value: 10, gas: 21_000))
            _ = try #require(try node.sealer?.sealNext())
        }
        #expect(try node.database.reexecuteChain(genesis: node.genesis) == 4)

        let liar = SealerService(database: node.database, pool: node.pool,
                                 executor: LyingExecutor(honest: EVMBlockExecutor(database: node.database, chainId: 1337), lieFrom: 5),
                                 sealerKey: DevelopmentAccounts.sealerKey, mode: .instant,
                                 coinbase: try node.genesis.sealer)
        for nonce in 3..<5 as Range<UInt64> {
            try node.pool.add(try Support.dynamicFee(key, nonce: nonce, to: recipient, value: 10, gas: 21_000))
            _ = try #require(try liar.sealNext())
        }
        // Seals and body roots are fine; only re-execution sees the forged root of block 5.
        #expect(try node.database.verifyChain(sealer: try node.genesis.sealer) == 6)
        #expect(throws: ChainReexecutionError.self) { try node.database.reexecuteChain(genesis: node.genesis) }
        do {
            try node.database.reexecuteChain(genesis: node.genesis)
        } catch let error as ChainReexecutionError {
            guard case .stateRootMismatch(let number, _, _) = error else {
                Issue.record("expected a state root mismatch, got \(error)")
                return
            }
            #expect(number == 5)
        }
    }
}
