import MLedgerTesting
import EVM
import Primitives
import Testing

extension Harness {
    /// `run` with a tracer attached to the EVM.
    func traced(_ tracer: any ExecutionTracer, gas: UInt64 = 1_000_000, value: UInt256 = .zero, data: [UInt8] = [],
                to: Address? = Harness.contract) throws(TransactionError) -> (TransactionResult, JournaledState) {
        let state = JournaledState(backend: backend)
        let evm = EVM(state: state, block: block, fork: fork)
        evm.tracer = tracer
        let tx = TransactionEnvironment(type: 0, sender: Harness.sender, to: to, value: value, data: data,
                                        gasLimit: gas, nonce: 0, gasPrice: 10)
        return (try evm.execute(transaction: tx), state)
    }

    /// The state root after applying what `state` changed, on a copy of the pre-state.
    func root(after state: JournaledState) -> Hash32 {
        let post = backend.copy()
        post.apply(state.changes())
        return TrieRoot.stateRoot(post)
    }
}

/// A 32-byte word whose first bytes are `prefix` (ABI selectors, left-aligned strings).
private func leftAligned(_ prefix: [UInt8]) -> UInt256 {
    (try? UInt256(bigEndian: prefix + [UInt8](repeating: 0, count: 32 - prefix.count))) ?? .zero
}

/// Code that reverts with Solidity's `Error("nope")`: selector, offset 0x20, length 4, text.
private let revertWithNope: Asm =
    .push(leftAligned([0x08, 0xc3, 0x79, 0xa0])) + .push(0) + .mstore
    + .push(0x20) + .push(4) + .mstore
    + .push(4) + .push(36) + .mstore
    + .push(leftAligned(Array("nope".utf8))) + .push(68) + .mstore
    + .push(100) + .push(0) + .revert

/// CALL(gas, to, value, 0, 0, 0, 0): arguments pushed last-first.
private func call(_ to: Address, gas: UInt256, value: UInt256 = .zero) -> Asm {
    .push(0) + .push(0) + .push(0) + .push(0) + .push(value) + .push(address: to) + .push(gas) + .call
}

@Suite struct TracerTests {
    static let callee = Address(hi: 0, mid: 0, lo: 0xb0b)

    @Test func structLoggerStepsAndGasMatchHandCount() throws {
        // 2 + 3, stored at slot 0, loaded back and returned.
        let program: Asm = .push(2) + .push(3) + .add + .push(0) + .sstore + .push(0) + .sload + .returnTop
        let logger = StructLogger()
        let (r, _) = try Harness(code: program).traced(logger, gas: 100_000)
        #expect(r.halt == .returned)
        // (pc, op, gasCost) by hand: SSTORE of a cold zero slot to non-zero is 2100 + 20000
        // (EIP-2929, EIP-2200); the SLOAD after it is warm (100); MSTORE pays 3 + 3 for one word.
        let expected: [(Int, String, UInt64)] = [
            (0, "PUSH1", 3), (2, "PUSH1", 3), (4, "ADD", 3), (5, "PUSH0", 2), (6, "SSTORE", 22100),
            (7, "PUSH0", 2), (8, "SLOAD", 100), (9, "PUSH0", 2), (10, "MSTORE", 6), (11, "PUSH1", 3),
            (13, "PUSH0", 2), (14, "RETURN", 0),
        ]
        let result = try #require(logger.result)
        let logs = result.logs
        #expect(logs.count == expected.count)
        var gas: UInt64 = 100_000 - 21000
        for (log, (pc, op, cost)) in zip(logs, expected) {
            #expect(log.pc == pc && log.op == op && log.gasCost == cost, "step \(pc)")
            #expect(log.gas == gas, "gas before pc \(pc)")
            #expect(log.depth == 1)
            gas -= cost
        }
        #expect(result.gas == r.gasUsed)
        #expect(r.gasUsed == 100_000 - gas)
        #expect(!result.failed)
        #expect(result.returnValue == UInt256(5).bigEndianBytes)
        // The stack before SSTORE holds value 5 under key 0; storage shows the slot from then on.
        #expect(logs[4].stack == [5, 0])
        #expect(logs[4].storage == [0: 5])
        #expect(logs[6].storage == [0: 5])
        #expect(logs[5].storage == nil)
        #expect(logs[0].memory == nil)
    }

    @Test func structLoggerOptionsAndLimit() throws {
        let program: Asm = .push(7) + .push(0) + .mstore + .push(0) + .sload + .returnTop
        let logger = StructLogger(config: .init(disableStack: true, disableStorage: true, enableMemory: true, limit: 4))
        _ = try Harness(code: program).traced(logger)
        let logs = try #require(logger.result).logs
        #expect(logs.count == 4)
        #expect(logs.allSatisfy { $0.stack == nil && $0.storage == nil })
        #expect(logs[2].memory == [])                       // before the first MSTORE
        #expect(logs[3].memory == UInt256(7).bigEndianBytes)  // after it
    }

    @Test func structLoggerMarksOutOfGasAndStackUnderflowSteps() throws {
        // ADD on an empty stack: geth reports the constant cost and the stack error on the step.
        let underflow = StructLogger()
        let (r1, _) = try Harness(code: .add).traced(underflow, gas: 30_000)
        #expect(r1.halt == .stackUnderflow)
        let u = try #require(underflow.result)
        #expect(u.failed && u.returnValue.isEmpty && u.gas == 30_000)
        #expect(u.logs.map(\.error) == ["stack underflow (0 <=> 2)"])
        #expect(u.logs.first?.gasCost == 3)
        // A cold SSTORE with 21000 + 2306 gas: passes the EIP-2200 stipend check, then runs out.
        let outOfGas = StructLogger()
        let (r2, _) = try Harness(code: .push(1) + .push(0) + .sstore).traced(outOfGas, gas: 21000 + 2306)
        #expect(r2.halt == .outOfGas)
        let o = try #require(outOfGas.result)
        #expect(o.logs.last?.op == "SSTORE")
        #expect(o.logs.last?.error == "out of gas")
        #expect(o.logs.last?.gasCost == 22100)
        // REVERT is not a step error, but it fails the trace and keeps the revert data.
        let reverted = StructLogger()
        _ = try Harness(code: revertWithNope).traced(reverted)
        let rv = try #require(reverted.result)
        #expect(rv.failed && rv.logs.allSatisfy { $0.error == nil })
        #expect(rv.returnValue.count == 100)
    }

    @Test func callTracerNestedRevertWithReason() throws {
        let caller: Asm = call(TracerTests.callee, gas: 50_000) + .returnTop
        let harness = Harness(code: caller, extra: [(TracerTests.callee, revertWithNope)])
        let tracer = CallTracer()
        let (r, _) = try harness.traced(tracer, gas: 200_000)
        #expect(r.halt == .returned)
        #expect(Harness.word(r) == 0)  // the CALL reported failure
        let top = try #require(tracer.result)
        // Callee by hand: four MSTOREs growing memory word by word (6 each with their two
        // pushes at 3+2, 3+3, 3+3, 3+3), then PUSH1 PUSH0 REVERT.
        let calleeGas: UInt64 = 11 + 12 + 12 + 12 + 5
        // Caller: five PUSH0, PUSH20, PUSH2, CALL to a cold account (2600), the callee, returnTop (13).
        let callerGas: UInt64 = 10 + 3 + 3 + 2600 + calleeGas + 13
        #expect(r.gasUsed == 21000 + callerGas)
        #expect(top.kind == .call && top.from == Harness.sender && top.to == Harness.contract)
        #expect(top.gas == 200_000 && top.gasUsed == r.gasUsed && top.value == 0)
        #expect(top.output == [UInt8](repeating: 0, count: 32) && top.error == nil)
        #expect(top.calls.count == 1)
        let child = try #require(top.calls.first)
        #expect(child.kind == .call && child.from == Harness.contract && child.to == TracerTests.callee)
        #expect(child.gas == 50_000 && child.gasUsed == calleeGas)
        #expect(child.error == "execution reverted")
        #expect(child.output?.prefix(4) == [0x08, 0xc3, 0x79, 0xa0])  // Error(string); JSON decodes it
        #expect(child.output?.count == 100)
        #expect(child.calls.isEmpty)

        let only = CallTracer(config: .init(onlyTopCall: true))
        _ = try harness.traced(only, gas: 200_000)
        #expect(try #require(only.result).calls.isEmpty)
        #expect(only.result?.gasUsed == r.gasUsed)
    }

    @Test func structLoggerCallCostIncludesChildGas() throws {
        let harness = Harness(code: call(TracerTests.callee, gas: 50_000) + .stop, extra: [(TracerTests.callee, revertWithNope)])
        let logger = StructLogger()
        _ = try harness.traced(logger, gas: 200_000)
        let logs = try #require(logger.result).logs
        let callStep = try #require(logs.first { $0.op == "CALL" })
        #expect(callStep.gasCost == 2600 + 50_000)
        #expect(logs.filter { $0.depth == 2 }.count == 15)
        // Back in the caller, the gas is what the child left plus what CALL kept.
        let after = try #require(logs.last)
        #expect(after.op == "STOP" && after.depth == 1)
        #expect(after.gas == callStep.gas - 2600 - (11 + 12 + 12 + 12 + 5))
    }

    @Test func structLoggerCreateCostExcludesChildGas() throws {
        // As in geth, CREATE's gasCost is 32000 + initcode words (EIP-3860) + memory; the gas
        // handed to the initcode is not part of it (unlike the CALL family).
        let initcode: Asm = .push(1) + .push(0) + .ret
        let word = leftAligned(initcode.bytes)
        let code: Asm = .push(word) + .push(0) + .mstore + .push(4) + .push(0) + .push(0) + .create + .stop
        let logger = StructLogger()
        _ = try Harness(code: code).traced(logger)
        let logs = try #require(logger.result).logs
        let create = try #require(logs.first { $0.op == "CREATE" })
        #expect(create.gasCost == 32000 + 2)
        #expect(logs.filter { $0.depth == 2 }.map(\.op) == ["PUSH1", "PUSH0", "RETURN"])
        let first = try #require(logs.first { $0.depth == 2 })
        #expect(first.gas == (create.gas - create.gasCost) - (create.gas - create.gasCost) / 64)  // EIP-150
    }

    @Test func callTracerRefusedCallAndCreation() throws {
        // A CALL with more value than the contract holds never runs the callee.
        let poor = Harness(code: call(TracerTests.callee, gas: 1000, value: 1) + .stop)
        let tracer = CallTracer()
        _ = try poor.traced(tracer)
        let refused = try #require(tracer.result?.calls.first)
        #expect(refused.error == "insufficient balance for transfer")
        #expect(refused.gasUsed == 0 && refused.gas == 1000 + 2300 && refused.value == 1)

        // A contract-creation transaction: the frame's output is the deployed code.
        let initcode: Asm = .push(0xfe) + .push(0) + .mstore + .push(1) + .push(31) + .ret
        let create = CallTracer()
        let (r, _) = try Harness(code: .stop).traced(create, data: initcode.bytes, to: nil)
        let top = try #require(create.result)
        #expect(top.kind == .create && top.to == r.createdAddress && top.input == initcode.bytes)
        #expect(top.output == [0xfe])
    }

    @Test func callTracerFrameKinds() throws {
        // DELEGATECALL to code that stops, STATICCALL to the identity precompile, SELFDESTRUCT.
        let beneficiary = Address(hi: 0, mid: 0, lo: 0xbe4e)
        let zeros: Asm = .push(0) + .push(0) + .push(0) + .push(0)
        let code: Asm = zeros + .push(address: TracerTests.callee) + .push(10_000) + [0xf4] + .pop
            + zeros + .push(address: Address(hi: 0, mid: 0, lo: 4)) + .push(10_000) + .staticcall + .pop
            + .push(address: beneficiary) + .selfdestruct
        let tracer = CallTracer()
        _ = try Harness(code: code, extra: [(TracerTests.callee, .stop)]).traced(tracer, value: 7)
        let calls = try #require(tracer.result).calls
        #expect(calls.map(\.kind) == [.delegateCall, .staticCall, .selfDestruct])
        guard calls.count == 3 else { return }
        // DELEGATECALL: from the delegating contract, to the code's account, with the inherited value.
        #expect(calls[0].from == Harness.contract && calls[0].to == TracerTests.callee && calls[0].value == 7)
        #expect(calls[0].gas == 10_000 && calls[0].gasUsed == 0)
        // A precompile is a frame too; STATICCALL carries no value; identity costs 15 for no words.
        #expect(calls[1].to == Address(hi: 0, mid: 0, lo: 4) && calls[1].value == nil && calls[1].gasUsed == 15)
        #expect(calls[2].from == Harness.contract && calls[2].to == beneficiary && calls[2].value == 7 && calls[2].gas == 0)
    }

    /// Tracing observes only: the random programs of `RandomBytecodeTests` give the same gas,
    /// halt, output and post-state root with either tracer as without one, and consecutive
    /// steps in the top frame agree with the reported gas costs.
    @Test func tracingDoesNotChangeResults() throws {
        var rng = RandomBytecodeTests.SplitMix(seed: 0x4d4c_6564_6765_72)
        var steps = 0
        for iteration in 0..<400 {
            let code = RandomBytecodeTests.randomProgram(using: &rng)
            let harness = Harness(code: Asm(code))
            let (plain, plainState) = try harness.run(gas: 100_000)
            let logger = StructLogger(config: .init(enableMemory: true, enableReturnData: true))
            let (logged, loggedState) = try harness.traced(logger, gas: 100_000)
            let calls = CallTracer()
            let (called, calledState) = try harness.traced(calls, gas: 100_000)
            let root = harness.root(after: plainState)
            for (traced, state) in [(logged, loggedState), (called, calledState)] {
                #expect(traced.gasUsed == plain.gasUsed && traced.halt == plain.halt && traced.output == plain.output,
                        "iteration \(iteration)")
                #expect(harness.root(after: state) == root, "iteration \(iteration)")
            }
            let logs = try #require(logger.result).logs
            steps += logs.count
            #expect(calls.result?.gasUsed == plain.gasUsed)
            for (a, b) in zip(logs, logs.dropFirst()) where a.depth == 1 && b.depth == 1 {
                // CALL and CREATE give back the child's unused gas, so only plain steps add up.
                if [0xf0, 0xf1, 0xf2, 0xf4, 0xf5, 0xfa].contains(a.opcode) { continue }
                #expect(b.gas == a.gas - a.gasCost, "iteration \(iteration) pc \(a.pc)")
            }
        }
        #expect(steps > 400)
    }
}
