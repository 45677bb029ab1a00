import Primitives
import LedgerCrypto
import RLP

// Calls, contract creation and SELFDESTRUCT.
extension Frame {
    /// All but one 64th of the gas left (EIP-150).
    @inline(__always)
    static func allButOne64th(_ gas: Int64) -> Int64 { gas - gas / 64 }

    /// CALL, CALLCODE, DELEGATECALL, STATICCALL.
    mutating func call(_ op: UInt8) throws(Halt) {
        let requested = pop()
        let to = pop().address
        let value: UInt256 = (op == 0xf1 || op == 0xf2) ? pop() : .zero
        let inOffset = pop(), inSize = pop(), outOffset = pop(), outSize = pop()
        let inO = try expandMemory(inOffset, inSize)
        let outO = try expandMemory(outOffset, outSize)
        let state = evm.state
        try chargeAccountAccess(to)
        var extra: Int64 = 0
        if !value.isZero {
            extra += GasCost.callValue
            if op == 0xf1 && !state.isAlive(to) { extra += GasCost.newAccount }
        }
        try useGas(extra)
        if op == 0xf1 && msg.isStatic && !value.isZero { throw .staticStateChange }
        let cap = Frame.allButOne64th(gas)
        var childGas = requested.uint64.map { $0 > UInt64(Int64.max) ? cap : min(Int64($0), cap) } ?? cap
        try useGas(childGas)
        if evm.tracer != nil { evm.traceSettleCost(gasLeft: gas) }
        if !value.isZero { childGas += GasCost.callStipend }
        returnData = []
        if msg.depth + 1 > 1024 || (!value.isZero && state.balance(msg.target) < value) {
            if evm.tracer != nil {
                let refused = childMessage(op, to: to, value: value, input: memory.bytes(inO, Int(inSize.l0)), gas: childGas)
                evm.traceRefusedFrame(refused, input: refused.input,
                                      error: msg.depth + 1 > 1024 ? .halted(.callDepthExceeded) : .insufficientBalance, gasUsed: 0)
            }
            gas += childGas
            push(UInt256.zero)
            return
        }
        let child = childMessage(op, to: to, value: value, input: memory.bytes(inO, Int(inSize.l0)), gas: childGas)
        let result = evm.call(child)
        gas += result.gasLeft
        returnData = result.output
        push(result.halt.isSuccess)
        let n = min(Int(outSize.l0), result.output.count)
        if n > 0 {
            result.output.withUnsafeBytes { memory.base.advanced(by: outO).copyMemory(from: $0.baseAddress!, byteCount: n) }
        }
    }

    /// The message of a CALL-family child frame.
    @inline(__always)
    func childMessage(_ op: UInt8, to: Address, value: UInt256, input: [UInt8], gas childGas: Int64) -> Message {
        switch op {
        case 0xf1:
            return Message(caller: msg.target, target: to, codeAddress: to, value: value, input: input, gas: childGas,
                           isStatic: msg.isStatic, depth: msg.depth + 1, transfersValue: true, kind: .call)
        case 0xf2:
            return Message(caller: msg.target, target: msg.target, codeAddress: to, value: value, input: input,
                           gas: childGas, isStatic: msg.isStatic, depth: msg.depth + 1, transfersValue: true, kind: .callCode)
        case 0xf4:
            return Message(caller: msg.caller, target: msg.target, codeAddress: to, value: msg.value, input: input,
                           gas: childGas, isStatic: msg.isStatic, depth: msg.depth + 1, transfersValue: false,
                           kind: .delegateCall)
        default:
            return Message(caller: msg.target, target: to, codeAddress: to, value: .zero, input: input, gas: childGas,
                           isStatic: true, depth: msg.depth + 1, transfersValue: true, kind: .staticCall)
        }
    }

    /// CREATE and CREATE2: 32000 + EIP-3860 initcode words (+ hashing words for CREATE2).
    mutating func create(isCreate2: Bool) throws(Halt) {
        if msg.isStatic { throw .staticStateChange }
        let value = pop(), offset = pop(), size = pop()
        let salt: UInt256 = isCreate2 ? pop() : .zero
        let o = try expandMemory(offset, size)
        let n = Int(size.l0)
        if evm.rules.limitsInitcode {
            if n > ForkRules.maxInitcodeSize { throw .outOfGas }
            try useGas(GasCost.initcodeWord * Frame.words(n))
        }
        if isCreate2 { try useGas(GasCost.keccakWord * Frame.words(n)) }
        let initcode = memory.bytes(o, n)
        returnData = []
        let state = evm.state
        let creator = msg.target
        let address: Address
        if isCreate2 {
            var preimage: [UInt8] = [0xff] + creator.bytes + salt.bigEndianBytes
            preimage += Keccak256.hash(initcode).bytes
            address = Address(low20Of: Keccak256.hash(preimage))
        } else {
            address = EVM.createAddress(creator, nonce: state.nonce(creator))
        }
        let childGas = Frame.allButOne64th(gas)
        if evm.tracer != nil { evm.traceSettleCost(gasLeft: gas) }  // geth's CREATE cost excludes the child's gas
        gas -= childGas
        let child = Message(caller: creator, target: address, codeAddress: address, value: value, input: [],
                            gas: childGas, isStatic: false, depth: msg.depth + 1, transfersValue: true,
                            kind: isCreate2 ? .create2 : .create)
        if msg.depth + 1 > 1024 || state.balance(creator) < value || state.nonce(creator) == UInt64.max {
            if evm.tracer != nil {
                let error: TraceError = msg.depth + 1 > 1024 ? .halted(.callDepthExceeded)
                    : state.balance(creator) < value ? .insufficientBalance : .halted(.nonceOverflow)
                evm.traceRefusedFrame(child, input: initcode, error: error, gasUsed: 0)
            }
            gas += childGas
            push(UInt256.zero)
            return
        }
        // EIP-2929 (execution-specs `generic_create`): the new address is warmed only once the
        // early checks above have passed; a refused CREATE warms nothing. A collision still warms.
        _ = state.warmAccount(address)
        state.incrementNonce(creator)
        if state.hasCodeNonceOrStorage(address) {
            // EIP-684: the child's gas is lost.
            evm.traceRefusedFrame(child, input: initcode, error: .halted(.addressCollision), gasUsed: childGas)
            push(UInt256.zero)
            return
        }
        let result = evm.create(child, initcode: initcode)
        gas += result.gasLeft
        if result.halt.isSuccess {
            push(address)
        } else {
            returnData = result.output
            push(UInt256.zero)
        }
    }

    /// SELFDESTRUCT: sends the balance away; deletes the account only if it was created in this
    /// transaction (EIP-6780, Cancun), always before Cancun.
    mutating func selfDestruct() throws(Halt) {
        let beneficiary = pop().address
        let state = evm.state
        // The constant part is 5000, so the cold surcharge is the full 2600 (EIP-2929).
        if state.warmAccount(beneficiary) { try useGas(GasCost.coldAccountAccess) }
        let me = msg.target
        let balance = state.balance(me)
        if !balance.isZero && !state.isAlive(beneficiary) { try useGas(GasCost.newAccount) }
        if msg.isStatic { throw .staticStateChange }
        if beneficiary != me {
            state.transfer(from: me, to: beneficiary, value: balance)
        }
        if !evm.rules.selfdestructOnlyInCreatingTransaction || state.created.contains(me) {
            if !balance.isZero || beneficiary == me { state.setBalance(me, .zero) }
            state.markDestructed(me)
        }
        if state.exists(beneficiary) && !state.isAlive(beneficiary) { state.touch(beneficiary) }
        if evm.tracer != nil { evm.traceSelfDestruct(from: me, to: beneficiary, value: balance, depth: msg.depth + 1, gasLeft: gas) }
    }
}

extension EVM {
    /// CREATE address: keccak(rlp([sender, nonce]))[12:].
    public static func createAddress(_ sender: Address, nonce: UInt64) -> Address {
        let encoded = RLP.encode(list: [RLP.encode(bytes: sender.bytes), RLP.encode(uint: nonce)])
        return Address(low20Of: Keccak256.hash(encoded))
    }
}
