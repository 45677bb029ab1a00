import Primitives
import LedgerCrypto

// Arithmetic and hashing instructions whose gas depends on their operands.
extension Frame {
    /// EXP: 50 gas per byte of the exponent (EIP-160).
    @inline(__always)
    mutating func exp() throws(Halt) {
        let base = pop(), exponent = peek(0)
        try useGas(GasCost.expByte * Int64(exponent.byteWidth))
        setTop(base.exp(exponent))
    }

    /// KECCAK256: 30 + 6 per word, plus memory expansion.
    mutating func keccak256() throws(Halt) {
        let offset = pop(), size = peek(0)
        let o = try expandMemory(offset, size)
        let n = Int(size.l0)
        try useGas(GasCost.keccakWord * Frame.words(n))
        let h = Keccak256.hash(UnsafeRawBufferPointer(start: memory.base + o, count: n))
        setTop(UInt256(h))
    }
}
