import Primitives

// Storage, memory copy and log instructions.
extension Frame {
    /// SLOAD: warm 100 / cold 2100 (EIP-2929).
    mutating func sload() throws(Halt) {
        let key = peek(0)
        try useGas(evm.state.warmSlot(msg.target, key) ? GasCost.coldSload : GasCost.warmAccess)
        setTop(evm.state.sload(msg.target, key))
    }

    /// SSTORE with EIP-2200 net metering, EIP-2929 cold surcharge and EIP-3529 refunds.
    mutating func sstore() throws(Halt) {
        if msg.isStatic { throw .staticStateChange }
        // EIP-2200: fail if no more than the call stipend is left.
        if gas <= GasCost.callStipend { throw .outOfGas }
        let key = pop(), new = pop()
        let state = evm.state
        var cost: Int64 = state.warmSlot(msg.target, key) ? GasCost.coldSload : 0
        let slot = state.slot(msg.target, key)
        let current = slot.current, original = slot.original
        if current == new {
            cost += GasCost.warmAccess
        } else if original == current {
            if original.isZero {
                cost += GasCost.sstoreSet
            } else {
                cost += GasCost.sstoreReset
                if new.isZero { state.addRefund(GasCost.sstoreClearRefund) }
            }
        } else {
            cost += GasCost.warmAccess
            if !original.isZero {
                if current.isZero { state.addRefund(-GasCost.sstoreClearRefund) }
                else if new.isZero { state.addRefund(GasCost.sstoreClearRefund) }
            }
            if original == new {
                state.addRefund(original.isZero ? GasCost.sstoreSet - GasCost.warmAccess
                                                : GasCost.sstoreReset - GasCost.warmAccess)
            }
        }
        try useGas(cost)
        state.sstore(msg.target, key, new)
    }

    /// MCOPY (EIP-5656): overlapping copy within memory, 3 gas per word.
    mutating func mcopy() throws(Halt) {
        let d = pop(), s = pop(), n = pop()
        if n.isZero { return }
        let dst = try expandMemory(d, n)
        let src = try expandMemory(s, n)
        let count = Int(n.l0)
        try useGas(GasCost.copyWord * Frame.words(count))
        (memory.base + dst).copyMemory(from: memory.base + src, byteCount: count)
    }

    /// LOG0..LOG4: 375 + 375 per topic (constant) + 8 per data byte.
    mutating func log(topics count: Int) throws(Halt) {
        if msg.isStatic { throw .staticStateChange }
        let o = pop(), s = pop()
        let offset = try expandMemory(o, s)
        let n = Int(s.l0)
        try useGas(GasCost.logData * Int64(n))
        var topics = [UInt256]()
        topics.reserveCapacity(count)
        for _ in 0..<count { topics.append(pop()) }
        evm.state.appendLog(Log(address: msg.target, topics: topics, data: memory.bytes(offset, n)))
    }
}
