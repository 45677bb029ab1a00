import LedgerCrypto
import EVM
import Primitives
import Testing

/// EIP-2929 and CREATE/CREATE2: the would-be address joins the accessed-addresses set only after
/// the early checks (value within the creator's balance, call depth, creator nonce below 2^64-1)
/// pass. A CREATE refused by those checks pushes 0, returns the child's gas, bumps no nonce and
/// warms nothing, so the first EXTCODESIZE of that address afterwards pays the cold 2,600.
/// (Execution-specs `generic_create`; found by differential testing against evmone and py-evm.)
@Suite struct CreateWarmingTests {
    /// Contract C (balance 0, nonce 1): CREATE[2] with value 1 (refused: C has no balance),
    /// POP, EXTCODESIZE of the would-be address, POP, then SSTORE(0, GAS).
    private func run(_ create: Asm, wouldBe address: Address) throws -> (UInt64, UInt256) {
        let program: Asm = create + .pop + .push(address: address) + [0x3b] + .pop
            + .gas + .push(0) + .sstore + .stop
        let harness = Harness(code: program)
        harness.backend.set(Harness.contract, nonce: 1, code: program.bytes)
        let (r, state) = try harness.run(gas: 100_000)
        #expect(r.halt == .stop)
        #expect(state.nonce(Harness.contract) == 1, "a refused CREATE bumps no nonce")
        return (r.gasUsed, state.sload(Harness.contract, 0))
    }

    @Test func refusedCreateLeavesTheAddressCold() throws {
        // PUSH0 PUSH0 PUSH1 1 CREATE: value 1, empty init code (bytes 5f5f6001f0).
        let wouldBe = EVM.createAddress(Harness.contract, nonce: 1)
        let (used, gasAtStore) = try run([0x5f, 0x5f, 0x60, 0x01, 0xf0], wouldBe: wouldBe)
        // 21,000 intrinsic + 56,718 execution; GAS read 0xad60 (0xb724 if the address were warm).
        #expect(used == 77_718)
        #expect(gasAtStore == 0xad60)
    }

    @Test func refusedCreate2LeavesTheAddressCold() throws {
        // PUSH0 (salt) PUSH0 PUSH0 PUSH1 1 CREATE2: value 1, empty init code, salt 0.
        var preimage: [UInt8] = [0xff] + Harness.contract.bytes + [UInt8](repeating: 0, count: 32)
        preimage += Keccak256.hash([]).bytes
        let wouldBe = Address(low20Of: Keccak256.hash(preimage))
        let (used, gasAtStore) = try run([0x5f, 0x5f, 0x5f, 0x60, 0x01, 0xf5], wouldBe: wouldBe)
        #expect(used == 77_720)
        #expect(gasAtStore == 0xad5e)
    }

    @Test func successfulCreateWarmsTheNewAddress() throws {
        // The same program with value 0 succeeds: the new account is warm (100), and C's nonce is 2.
        let wouldBe = EVM.createAddress(Harness.contract, nonce: 1)
        let program: Asm = .push(0) + .push(0) + .push(0) + .create + .pop + .push(address: wouldBe) + [0x3b]
            + .pop + .gas + .push(0) + .sstore + .stop
        let harness = Harness(code: program)
        harness.backend.set(Harness.contract, nonce: 1, code: program.bytes)
        let (r, state) = try harness.run(gas: 100_000)
        #expect(r.halt == .stop)
        #expect(state.nonce(Harness.contract) == 2)
        #expect(state.nonce(wouldBe) == 1)
        // 100,000 - 21,000 - (2+2+2 + 32,000 + 2 + 3 + 100 warm EXTCODESIZE + 2 + 2) = 46,885.
        #expect(state.sload(Harness.contract, 0) == 0xb725)
    }
}
