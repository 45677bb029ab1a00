import Primitives

// Instructions that read the call context, other accounts and the block.
extension Frame {
    /// Charges the EIP-2929 cold surcharge when `address` is touched for the first time.
    @inline(__always)
    mutating func chargeAccountAccess(_ address: Address) throws(Halt) {
        if evm.state.warmAccount(address) { try useGas(GasCost.coldAccountAccess - GasCost.warmAccess) }
    }

    /// BALANCE: warm 100 / cold 2600.
    mutating func balance() throws(Halt) {
        let a = peek(0).address
        try chargeAccountAccess(a)
        setTop(evm.state.balance(a))
    }

    /// CALLDATALOAD: 32 bytes of input from the offset, zero-padded.
    mutating func callDataLoad() {
        let offset = peek(0)
        var word = [UInt8](repeating: 0, count: 32)
        if let o = offset.uint64, o < UInt64(msg.input.count) {
            let start = Int(o)
            let n = min(32, msg.input.count - start)
            for j in 0..<n { word[j] = msg.input[start + j] }
        }
        setTop((try? UInt256(bigEndian: word)) ?? .zero)
    }

    /// Shared body of the *COPY instructions: memory expansion, 3 gas per word, then the copy.
    @inline(__always)
    mutating func copyToMemory(_ source: [UInt8], dest: UInt256, sourceOffset: UInt256, size: UInt256) throws(Halt) {
        let o = try expandMemory(dest, size)
        let n = Int(size.l0)
        try useGas(GasCost.copyWord * Frame.words(n))
        let m = memory
        source.withUnsafeBytes { m.copy(into: o, from: $0, sourceOffset: sourceOffset, count: n) }
    }

    mutating func callDataCopy() throws(Halt) {
        let d = pop(), s = pop(), n = pop()
        let input = msg.input
        try copyToMemory(input, dest: d, sourceOffset: s, size: n)
    }

    mutating func codeCopy() throws(Halt) {
        let d = pop(), s = pop(), n = pop()
        let c = code
        try copyToMemory(c.bytes, dest: d, sourceOffset: s, size: n)
    }

    mutating func extCodeSize() throws(Halt) {
        let a = peek(0).address
        try chargeAccountAccess(a)
        setTop(UInt256(UInt64(evm.state.code(a).count)))
    }

    mutating func extCodeCopy() throws(Halt) {
        let a = pop().address, d = pop(), s = pop(), n = pop()
        try chargeAccountAccess(a)
        let c = evm.state.code(a)
        try copyToMemory(c.bytes, dest: d, sourceOffset: s, size: n)
    }

    /// RETURNDATACOPY: reading past the end is an exceptional halt (EIP-211).
    mutating func returnDataCopy() throws(Halt) {
        let d = pop(), s = pop(), n = pop()
        let (end, overflow) = s.addingReportingOverflow(n)
        if overflow || end > UInt256(UInt64(returnData.count)) { throw .returnDataOutOfBounds }
        let data = returnData
        try copyToMemory(data, dest: d, sourceOffset: s, size: n)
    }

    mutating func extCodeHash() throws(Halt) {
        let a = peek(0).address
        try chargeAccountAccess(a)
        setTop(evm.state.codeHashForOpcode(a))
    }

    /// BLOCKHASH: only the 256 most recent complete blocks; zero otherwise.
    mutating func blockHash() {
        let n = peek(0)
        let current = evm.block.number
        guard let number = n.uint64, number < current, current - number <= 256 else { setTop(.zero); return }
        setTop(UInt256(evm.state.backend.blockHash(number: number)))
    }

    /// BLOBHASH (EIP-4844): the transaction's versioned hash at the index, or zero.
    mutating func blobHash() {
        let i = peek(0)
        guard let index = i.uint64, index < UInt64(evm.blobHashes.count) else { setTop(.zero); return }
        setTop(evm.blobHashes[Int(index)])
    }
}
