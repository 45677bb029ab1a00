import EVM
import Primitives
import Testing

/// Opcode families: output, gas used (21000 intrinsic + execution) and halting reason.
@Suite struct InterpreterTests {
    @Test func arithmeticAndItsGas() throws {
        // PUSH1 PUSH1 ADD (3+3+3) then returnTop: PUSH0 (2) MSTORE (3 + 3 memory) PUSH1 PUSH0 RETURN (3+2)
        let program: Asm = .push(2) + .push(3) + .add + .returnTop
        let (r, _) = try Harness(code: program).run()
        #expect(r.halt == .returned)
        #expect(Harness.word(r) == 5)
        let expected: UInt64 = 21000 + 9 + 2 + 6 + 3 + 2
        #expect(r.gasUsed == expected)
    }

    @Test func wrappingSubtractionAndDivisionByZero() throws {
        let (r1, _) = try Harness(code: .push(1) + .push(0) + .sub + .returnTop).run()
        #expect(Harness.word(r1) == UInt256.max)
        let (r2, _) = try Harness(code: .push(0) + .push(7) + .div + .returnTop).run()
        #expect(Harness.word(r2) == 0)
        // SDIV(-8, 2) = -4
        let (r3, _) = try Harness(code: .push(2) + .push(UInt256(8).negated) + .sdiv + .returnTop).run()
        #expect(Harness.word(r3) == UInt256(4).negated)
    }

    @Test func expChargesPerExponentByte() throws {
        // 2 ** 0x0100: exponent of 2 bytes costs 10 + 2 * 50.
        let (r, _) = try Harness(code: .push(0x100) + .push(2) + .exp + .stop).run()
        #expect(r.halt == .stop)
        let expected: UInt64 = 21000 + 3 + 3 + 10 + 100
        #expect(r.gasUsed == expected)
    }

    @Test func stackUnderflowConsumesAllGas() throws {
        let (r, _) = try Harness(code: .add).run(gas: 50_000)
        #expect(r.halt == .stackUnderflow)
        #expect(r.gasUsed == 50_000)
    }

    @Test func jumpIntoPushDataIsRejected() throws {
        // PUSH1 3, JUMP, PUSH1 0x5b: offset 3 is a 0x5b byte inside PUSH data.
        let (r, _) = try Harness(code: .push(3) + .jump + [0x60, 0x5b]).run(gas: 30_000)
        #expect(r.halt == .badJumpDestination)
        let (ok, _) = try Harness(code: .push(4) + .jump + .invalid + .jumpdest + .stop).run()
        #expect(ok.halt == .stop)
    }

    @Test func undefinedOpcodeAndInvalid() throws {
        let (r1, _) = try Harness(code: [0x0c]).run(gas: 30_000)
        #expect(r1.halt == .undefinedInstruction)
        let (r2, _) = try Harness(code: .invalid).run(gas: 30_000)
        #expect(r2.halt == .invalidInstruction)
        // PUSH0 is undefined before Shanghai (EIP-3855).
        var london = Harness(code: .push(0) + .stop)
        london.fork = .london
        let (r3, _) = try london.run(gas: 30_000)
        #expect(r3.halt == .undefinedInstruction)
    }

    @Test func memoryExpansionAndMcopy() throws {
        // MSTORE at 64 grows memory to 3 words (9 gas); MSIZE reads 96.
        let (r, _) = try Harness(code: .push(1) + .push(64) + .mstore + .msize + .returnTop).run()
        #expect(Harness.word(r) == 96)
        // MCOPY (EIP-5656) copies word 0 onto word 32.
        let code: Asm = .push(0xabc) + .push(0) + .mstore + .push(32) + .push(0) + .push(32) + .mcopy
            + .push(32) + .mload + .returnTop
        let (m, _) = try Harness(code: code).run()
        #expect(Harness.word(m) == 0xabc)
    }

    @Test func coldSstoreCostAndRefund() throws {
        // Cold zero -> 1: 2100 + 20000. Then 1 -> 0 in the same transaction refunds 19900 (capped at gas/5).
        let (r, state) = try Harness(code: .push(1) + .push(0) + .sstore + .stop).run()
        let expected: UInt64 = 21000 + 3 + 2 + 22100
        #expect(r.gasUsed == expected)
        #expect(state.sload(Harness.contract, 0) == 1)
        let setThenClear: Asm = .push(1) + .push(0) + .sstore + .push(0) + .push(0) + .sstore + .stop
        let (r2, _) = try Harness(code: setThenClear).run()
        let used: UInt64 = 21000 + 3 + 2 + 22100 + 2 + 2 + 100
        #expect(r2.gasUsed == used - min(used / 5, 19900))
    }

    @Test func transientStorageRoundTrip() throws {
        let code: Asm = .push(42) + .push(7) + .tstore + .push(7) + .tload + .returnTop
        let (r, _) = try Harness(code: code).run()
        #expect(Harness.word(r) == 42)
        let expected: UInt64 = 21000 + 3 + 3 + 100 + 3 + 100 + 2 + 6 + 3 + 2
        #expect(r.gasUsed == expected)
    }

    @Test func revertKeepsGasButNotState() throws {
        let code: Asm = .push(1) + .push(0) + .sstore + .push(0) + .push(0) + .revert
        let (r, state) = try Harness(code: code).run()
        #expect(r.halt == .reverted)
        #expect(state.sload(Harness.contract, 0) == 0)
        let expected: UInt64 = 21000 + 3 + 2 + 22100 + 2 + 2
        #expect(r.gasUsed == expected)
    }

    @Test func callToIdentityPrecompileCopiesInput() throws {
        // mstore(0, 0x1234); staticcall(gas, 4, 0, 32, 32, 32); return mload(32)
        let code: Asm = .push(0x1234) + .push(0) + .mstore + .push(32) + .push(32) + .push(32) + .push(0)
            + .push(4) + .gas + .staticcall + .pop + .push(32) + .mload + .returnTop
        let (r, _) = try Harness(code: code).run()
        #expect(r.halt == .returned)
        #expect(Harness.word(r) == 0x1234)
    }

    @Test func createDeploysReturnedCode() throws {
        // Initcode returns one byte 0x00: PUSH0 PUSH0 MSTORE8? simpler: return 1 zero byte: PUSH1 1 PUSH0 RETURN
        let initcode: Asm = .push(1) + .push(0) + .ret  // 60 01 5f f3
        var word = [UInt8](repeating: 0, count: 32)
        for (i, b) in initcode.bytes.enumerated() { word[i] = b }
        let code: Asm = .push(try UInt256(bigEndian: word)) + .push(0) + .mstore
            + .push(UInt256(UInt64(initcode.bytes.count))) + .push(0) + .push(0) + .create + .returnTop
        let (r, state) = try Harness(code: code).run()
        let created = EVM.createAddress(Harness.contract, nonce: 0)
        #expect(Harness.word(r) == UInt256(created))
        #expect(state.code(created).bytes == [0])
        #expect(state.nonce(Harness.contract) == 1)
    }

    @Test func blockContextOpcodes() throws {
        let (r1, _) = try Harness(code: .basefee + .returnTop).run()
        #expect(Harness.word(r1) == 7)
        let (r2, _) = try Harness(code: .chainid + .returnTop).run()
        #expect(Harness.word(r2) == 1)
        let (r3, _) = try Harness(code: .blobbasefee + .returnTop).run()
        #expect(Harness.word(r3) == 1)  // EIP-4844: excess blob gas 0 gives the minimum fee 1
    }

    @Test func invalidTransactionsAreRejected() throws {
        let h = Harness(code: .stop)
        #expect(throws: TransactionError.nonceMismatch(expected: 0, got: 3)) { _ = try h.run(nonce: 3) }
        #expect(throws: TransactionError.intrinsicGasTooLow(intrinsic: 21000, limit: 20000)) { _ = try h.run(gas: 20000) }
        #expect(throws: TransactionError.insufficientAccountFunds) { _ = try h.run(value: UInt256.max) }
    }
}
