import Chain
import EVM
import Foundation
import Node
import Primitives
import RPC
import Testing

/// The node executing blocks with its EVM over LevelDB-backed tries: receipts, state, calls,
/// gas estimates, and a state root cross-checked against the EVM's in-memory state.
@Suite struct BlockExecutionTests {
    typealias Support = NodeTestSupport

    /// Replays `block` on `memory` with the EVM's own in-memory state and returns its root.
    static func replayRoot(_ block: Block, on memory: MemoryBackend) throws -> Hash32 {
        let state = JournaledState(backend: memory)
        let environment = BlockEnvironment(coinbase: block.header.coinbase, number: block.number,
                                           timestamp: block.header.timestamp, gasLimit: block.header.gasLimit,
                                           baseFee: .zero, chainId: 1337, excessBlobGas: 0)
        let evm = EVM(state: state, block: environment, fork: .cancun)
        for transaction in block.transactions {
            _ = try evm.execute(transaction: TransactionEnvironment(
                type: transaction.type.rawValue, sender: try transaction.sender(), to: transaction.to,
                value: transaction.value, data: transaction.data, gasLimit: transaction.gasLimit,
                nonce: transaction.nonce, gasPrice: transaction.maxFeePerGas, maxFeePerGas: transaction.maxFeePerGas,
                maxPriorityFeePerGas: transaction.maxPriorityFeePerGas))
        }
        memory.apply(state.changes())
        return TrieRoot.stateRoot(memory)
    }

    @Test func transfersDeployCallsAndRestart() async throws {
        let directory = try Support.makeDevDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var node = try LedgerNode(dataDirectory: directory)
        let sealer = try #require(node.sealer)
        let memory = Support.memoryState(node.genesis)
        let (alice, bob) = (Support.keys[0], Support.keys[1])
        let aliceAddress = try Support.address(alice)
        let stranger = Address(low20Of: UInt256(0xfeed).hash32)

        // Block 1: an EIP-1559 and a legacy transfer, and a contract creation, in one block.
        let transfer = try Support.dynamicFee(alice, nonce: 0, to: stranger, value: 1_000, gas: 21_000)
        let legacy = try Support.legacy(bob, nonce: 0, to: stranger, value: 5, gas: 21_000)
        let deploy = try Support.dynamicFee(alice, nonce: 1, to: nil, data: Support.storeAndLogInitCode, gas: 200_000)
        for transaction in [transfer, legacy, deploy] { try node.pool.add(transaction) }
        let block1 = try #require(try sealer.sealNext())
        #expect(block1.transactions.count == 3)
        #expect(try Self.replayRoot(block1, on: memory) == block1.header.stateRoot)
        let receipts = try #require(try node.database.receiptDetails(blockHash: block1.hash))
        #expect(receipts.map(\.receipt.succeeded) == [true, true, true])
        #expect(receipts[0].gasUsed == 21_000 && receipts[1].gasUsed == 21_000)
        let contract = try #require(receipts[2].contractAddress)
        #expect(try node.state.code(of: contract, at: .latest) == Support.storeAndLogRuntime)
        #expect(try node.state.balance(of: stranger, at: .latest) == 1_005)
        #expect(try node.state.transactionCount(of: aliceAddress, at: .latest) == 2)
        #expect(node.pool.count == 0)

        // Block 2: a storing call that logs, and one that reverts (mined with status 0).
        let store = try Support.dynamicFee(alice, nonce: 2, to: contract, data: Support.word(42))
        let failing = try Support.dynamicFee(bob, nonce: 1, to: contract, data: Support.word(0))
        try node.pool.add(store)
        try node.pool.add(failing)
        let block2 = try #require(try sealer.sealNext())
        #expect(try Self.replayRoot(block2, on: memory) == block2.header.stateRoot)
        let receipts2 = try #require(try node.database.receiptDetails(blockHash: block2.hash))
        #expect(receipts2.map(\.receipt.succeeded) == [true, false])
        #expect(receipts2[0].logs.map(\.log.topics) == [[UInt256(0xaa).hash32]])
        #expect(receipts2[0].logs.first?.log.data == Support.word(42))
        #expect(block2.header.logsBloom != Bloom())
        #expect(try node.state.storage(of: contract, slot: .zero, at: .latest) == UInt256(42).hash32)
        #expect(try node.state.storage(of: contract, slot: .zero, at: .tag(.number(1))) == .zero)

        // Calls and estimates on the committed state.
        var call = CallRequest()
        call.from = aliceAddress
        call.to = contract
        call.input = Support.word(7)
        let estimate = try node.state.estimateGas(call, at: .latest)
        #expect(estimate > 21_000 && estimate < 100_000)
        call.gas = estimate
        #expect(try node.state.call(call, at: .latest) == [])
        call.gas = estimate - 1
        #expect(throws: StateBackendError.self) { try node.state.call(call, at: .latest) }
        call.gas = nil
        call.input = Support.word(0)
        #expect(throws: StateBackendError.reverted(data: [0xde, 0xad, 0xbe, 0xef], reason: nil)) {
            try node.state.call(call, at: .latest)
        }
        #expect(throws: StateBackendError.reverted(data: [0xde, 0xad, 0xbe, 0xef], reason: nil)) {
            try node.state.estimateGas(call, at: .latest)
        }

        // State overrides: other code at an address with no code, and a replaced storage slot.
        var overridden = CallRequest()
        overridden.to = stranger
        overridden.input = Support.word(9)
        overridden.stateOverrides = [stranger: AccountOverride(code: Support.storeAndLogRuntime)]
        #expect(try node.state.call(overridden, at: .latest) == [])
        // Reads slot 0 and returns it: PUSH1 0 SLOAD PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN.
        let reader: [UInt8] = [0x60, 0x00, 0x54, 0x60, 0x00, 0x52, 0x60, 0x20, 0x60, 0x00, 0xf3]
        overridden.stateOverrides = [contract: AccountOverride(code: reader, stateDiff: [.zero: UInt256(99).hash32])]
        overridden.to = contract
        #expect(try node.state.call(overridden, at: .latest) == Support.word(99))
        overridden.stateOverrides = [contract: AccountOverride(code: reader)]
        #expect(try node.state.call(overridden, at: .latest) == Support.word(42))
        // A contract may be the sender of a call (EIP-3607 binds transactions, not calls).
        var fromContract = CallRequest()
        fromContract.from = contract
        fromContract.to = stranger
        #expect(try node.state.call(fromContract, at: .latest) == [])

        // A restart reopens the same head and state, and sealing goes on from it.
        let head = try #require(node.database.head)
        node.close()
        node = try LedgerNode(dataDirectory: directory)
        defer { node.close() }
        #expect(node.database.head == head)
        #expect(try node.state.balance(of: stranger, at: .latest) == 1_005)
        try node.pool.add(try Support.dynamicFee(alice, nonce: 3, to: stranger, value: 1, gas: 21_000))
        let block3 = try #require(try node.sealer?.sealNext())
        #expect(try Self.replayRoot(block3, on: memory) == block3.header.stateRoot)
        #expect(try node.state.balance(of: stranger, at: .latest) == 1_006)
    }
}

/// Calls cannot ask for unbounded work: gas above the cap is clamped, never trapped on.
@Suite struct CallGasCapTests {
    @Test func hugeGasIsClampedAndAnEndlessLoopStops() throws {
        let directory = try NodeTestSupport.makeDevDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let node = try LedgerNode(dataDirectory: directory)
        defer { node.close() }
        let target = Address(low20Of: UInt256(0x100b).hash32)
        var request = CallRequest()
        request.to = target
        request.gas = .max
        #expect(try node.state.call(request, at: .latest) == [])
        // JUMPDEST PUSH1 0 JUMP: loops until the gas runs out.
        request.stateOverrides = [target: AccountOverride(code: [0x5b, 0x60, 0x00, 0x56])]
        #expect(throws: StateBackendError.execution("out of gas")) { try node.state.call(request, at: .latest) }
        #expect(throws: StateBackendError.self) { try node.state.estimateGas(request, at: .latest) }
    }
}
