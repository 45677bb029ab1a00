import EVM
import Primitives

/// A tiny bytecode DSL for tests: `push(2) + push(3) + .add`, instead of hex blobs.
struct Asm: ExpressibleByArrayLiteral, Equatable {
    var bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    init(arrayLiteral elements: UInt8...) { bytes = elements }

    static func + (a: Asm, b: Asm) -> Asm { Asm(a.bytes + b.bytes) }

    /// The shortest PUSH for `value` (PUSH0 for zero).
    static func push(_ value: UInt256) -> Asm {
        let b = value.minimalBigEndianBytes
        if b.isEmpty { return [0x5f] }
        return Asm([0x5f + UInt8(b.count)] + b)
    }
    static func push(address a: Address) -> Asm { Asm([0x73] + a.bytes) }

    static let stop: Asm = [0x00], add: Asm = [0x01], mul: Asm = [0x02], sub: Asm = [0x03], div: Asm = [0x04]
    static let sdiv: Asm = [0x05], exp: Asm = [0x0a], lt: Asm = [0x10], iszero: Asm = [0x15], shl: Asm = [0x1b]
    static let sar: Asm = [0x1d], keccak256: Asm = [0x20], address: Asm = [0x30], caller: Asm = [0x33]
    static let callvalue: Asm = [0x34], pop: Asm = [0x50], mload: Asm = [0x51], mstore: Asm = [0x52]
    static let sload: Asm = [0x54], sstore: Asm = [0x55], jump: Asm = [0x56], jumpi: Asm = [0x57]
    static let msize: Asm = [0x59], gas: Asm = [0x5a], jumpdest: Asm = [0x5b], tload: Asm = [0x5c]
    static let tstore: Asm = [0x5d], mcopy: Asm = [0x5e], create: Asm = [0xf0], call: Asm = [0xf1]
    static let ret: Asm = [0xf3], staticcall: Asm = [0xfa], revert: Asm = [0xfd], invalid: Asm = [0xfe]
    static let selfdestruct: Asm = [0xff], returndatasize: Asm = [0x3d], basefee: Asm = [0x48]
    static let blobbasefee: Asm = [0x4a], chainid: Asm = [0x46]
    static func dup(_ n: UInt8) -> Asm { [0x7f + n] }
    static func swap(_ n: UInt8) -> Asm { [0x8f + n] }

    /// Stores the top of the stack at memory 0 and returns those 32 bytes.
    static let returnTop: Asm = push(0) + mstore + push(32) + push(0) + ret
}

/// Runs code as the callee of a plain transaction and returns what happened.
struct Harness {
    static let sender = Address(hi: 0, mid: 0, lo: 0x5e4d)
    static let contract = Address(hi: 0, mid: 0, lo: 0xc0de)
    static let coinbase = Address(hi: 0, mid: 0, lo: 0xc0b)

    let backend = MemoryBackend()
    var fork: Fork = .cancun

    init(code: Asm, extra: [(Address, Asm)] = []) {
        backend.set(Harness.sender, balance: UInt256(UInt64(1) << 60))
        backend.set(Harness.contract, code: code.bytes)
        for (a, c) in extra { backend.set(a, code: c.bytes) }
    }

    var block: BlockEnvironment {
        BlockEnvironment(coinbase: Harness.coinbase, number: 10, timestamp: 1000, gasLimit: 30_000_000, baseFee: 7,
                         prevRandao: 0x1234, chainId: 1, excessBlobGas: 0)
    }

    func run(gas: UInt64 = 1_000_000, value: UInt256 = .zero, data: [UInt8] = [], nonce: UInt64 = 0,
             to: Address? = Harness.contract) throws(TransactionError) -> (TransactionResult, JournaledState) {
        let state = JournaledState(backend: backend)
        let evm = EVM(state: state, block: block, fork: fork)
        let tx = TransactionEnvironment(type: 0, sender: Harness.sender, to: to, value: value, data: data,
                                        gasLimit: gas, nonce: nonce, gasPrice: 10)
        return (try evm.execute(transaction: tx), state)
    }

    /// The 32-byte output as a number.
    static func word(_ r: TransactionResult) -> UInt256? { try? UInt256(bigEndian: r.output) }
}
