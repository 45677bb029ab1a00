import Primitives

/// One call frame's message: who calls whom, with what value, input and gas.
struct Message {
    var caller: Address
    var target: Address
    var codeAddress: Address
    var value: UInt256
    var input: [UInt8]
    var gas: Int64
    var isStatic: Bool
    var depth: Int
    var transfersValue: Bool
    /// The instruction (or transaction) that opened the frame, for traces.
    var kind: FrameKind = .call
}

/// How a frame ended, with its leftover gas and output (return or revert data).
struct FrameResult {
    var halt: Halt
    var gasLeft: Int64
    var output: [UInt8]
}

/// An executing call frame: stack and memory in raw buffers, program counter and gas as plain
/// integers. The dispatcher in `run()` checks the opcode table before each body.
struct Frame {
    let st: UnsafeMutablePointer<UInt256>
    var sp: Int = 0
    var memory = Memory()
    var gas: Int64
    var pc: Int = 0
    let code: Bytecode
    let msg: Message
    var returnData: [UInt8] = []
    var outputOffset = 0
    var outputSize = 0
    unowned(unsafe) let evm: EVM

    init(evm: EVM, msg: Message, code: Bytecode, stack: UnsafeMutablePointer<UInt256>) {
        self.evm = evm; self.msg = msg; self.code = code; self.gas = msg.gas; self.st = stack
    }

    // MARK: Stack (bounds already checked by the dispatcher)

    @inline(__always) mutating func pop() -> UInt256 { sp &-= 1; return st[sp] }
    @inline(__always) mutating func push(_ v: UInt256) { st[sp] = v; sp &+= 1 }
    @inline(__always) mutating func push(_ a: Address) { push(UInt256(a)) }
    @inline(__always) mutating func push(_ v: UInt64) { push(UInt256(v)) }
    @inline(__always) mutating func push(_ b: Bool) { push(UInt256(b ? 1 : 0)) }
    /// The item `i` places below the top (0 is the top).
    @inline(__always) func peek(_ i: Int) -> UInt256 { st[sp &- 1 &- i] }
    @inline(__always) mutating func setTop(_ v: UInt256) { st[sp &- 1] = v }

    // MARK: Gas and memory

    @inline(__always)
    mutating func useGas(_ amount: Int64) throws(Halt) {
        gas &-= amount
        if gas < 0 { throw .outOfGas }
    }

    /// Charges memory expansion for `[offset, offset+size)` and returns the offset as Int.
    /// A zero size touches no memory, whatever the offset.
    @inline(__always)
    mutating func expandMemory(_ offset: UInt256, _ size: UInt256) throws(Halt) -> Int {
        if size.isZero { return 0 }
        guard let o = offset.uint64, let s = size.uint64, o <= 0xFFFF_FFFF, s <= 0xFFFF_FFFF else { throw .outOfGas }
        let end = Int(o &+ s)
        if end > memory.size { try growMemory(end) }
        return Int(o)
    }

    @inline(__always)
    mutating func expandMemory(_ offset: UInt256, fixed size: Int) throws(Halt) -> Int {
        guard let o = offset.uint64, o <= 0xFFFF_FFFF else { throw .outOfGas }
        let end = Int(o) &+ size
        if end > memory.size { try growMemory(end) }
        return Int(o)
    }

    mutating func growMemory(_ end: Int) throws(Halt) {
        let newWords = (end + 31) >> 5
        try useGas(Memory.cost(words: newWords) - Memory.cost(words: memory.words))
        memory.grow(to: newWords << 5)
    }

    @inline(__always)
    static func words(_ size: Int) -> Int64 { Int64((size + 31) >> 5) }

    /// Output of this frame (RETURN / REVERT data).
    var output: [UInt8] { memory.bytes(outputOffset, outputSize) }

    // MARK: Dispatch

    /// Runs until a halt. Stack bounds and constant gas come from the fork's opcode table.
    mutating func run() -> Halt {
        // Two copies of the loop: the untraced one carries no tracing check at all.
        if evm.tracer == nil { return dispatch(traced: false) }
        return dispatch(traced: true)
    }

    @inline(__always)
    mutating func dispatch(traced: Bool) -> Halt {
        let table = evm.table
        let required = table.required, maxHeight = table.maxHeight, constantGas = table.gas
        let bytes = code.padded
        while true {
            if traced { traceInstruction() }
            let op = bytes[pc]
            let i = Int(op)
            if sp < required[i] {
                return table.defined[i] ? .stackUnderflow : .undefinedInstruction
            }
            if sp > maxHeight[i] { return .stackOverflow }
            gas &-= constantGas[i]
            if gas < 0 { return .outOfGas }
            do {
                switch op {
                case 0x00: return .stop
                case 0x01: let a = pop(); setTop(a &+ peek(0))
                case 0x02: let a = pop(); setTop(a &* peek(0))
                case 0x03: let a = pop(); setTop(a &- peek(0))
                case 0x04: let a = pop(); setTop(a.div(peek(0)))
                case 0x05: let a = pop(); setTop(a.sdiv(peek(0)))
                case 0x06: let a = pop(); setTop(a.mod(peek(0)))
                case 0x07: let a = pop(); setTop(a.smod(peek(0)))
                case 0x08: let a = pop(), b = pop(); setTop(UInt256.addMod(a, b, peek(0)))
                case 0x09: let a = pop(), b = pop(); setTop(UInt256.mulMod(a, b, peek(0)))
                case 0x0a: try exp()
                case 0x0b: let b = pop(); setTop(UInt256.signExtend(byteIndex: b, peek(0)))
                case 0x10: let a = pop(); setTop(a < peek(0) ? .one : .zero)
                case 0x11: let a = pop(); setTop(peek(0) < a ? .one : .zero)
                case 0x12: let a = pop(); setTop(UInt256.slt(a, peek(0)) ? .one : .zero)
                case 0x13: let a = pop(); setTop(UInt256.sgt(a, peek(0)) ? .one : .zero)
                case 0x14: let a = pop(); setTop(a == peek(0) ? .one : .zero)
                case 0x15: setTop(peek(0).isZero ? .one : .zero)
                case 0x16: let a = pop(); setTop(a & peek(0))
                case 0x17: let a = pop(); setTop(a | peek(0))
                case 0x18: let a = pop(); setTop(a ^ peek(0))
                case 0x19: setTop(~peek(0))
                case 0x1a: let a = pop(); setTop(peek(0).byte(at: a))
                case 0x1b: let a = pop(); setTop(peek(0).shiftedLeft(by: a))
                case 0x1c: let a = pop(); setTop(peek(0).shiftedRight(by: a))
                case 0x1d: let a = pop(); setTop(peek(0).arithmeticShiftedRight(by: a))
                case 0x20: try keccak256()
                case 0x30: push(msg.target)
                case 0x31: try balance()
                case 0x32: push(evm.origin)
                case 0x33: push(msg.caller)
                case 0x34: push(msg.value)
                case 0x35: callDataLoad()
                case 0x36: push(UInt64(msg.input.count))
                case 0x37: try callDataCopy()
                case 0x38: push(UInt64(code.count))
                case 0x39: try codeCopy()
                case 0x3a: push(evm.gasPrice)
                case 0x3b: try extCodeSize()
                case 0x3c: try extCodeCopy()
                case 0x3d: push(UInt64(returnData.count))
                case 0x3e: try returnDataCopy()
                case 0x3f: try extCodeHash()
                case 0x40: blockHash()
                case 0x41: push(evm.block.coinbase)
                case 0x42: push(evm.block.timestamp)
                case 0x43: push(evm.block.number)
                case 0x44: push(evm.rules.hasPrevRandao ? evm.block.prevRandao : evm.block.difficulty)
                case 0x45: push(evm.block.gasLimit)
                case 0x46: push(evm.block.chainId)
                case 0x47: push(evm.state.balance(msg.target))
                case 0x48: push(evm.block.baseFee)
                case 0x49: blobHash()
                case 0x4a: push(evm.blobBaseFee)
                case 0x50: sp &-= 1
                case 0x51: let o = try expandMemory(peek(0), fixed: 32); setTop(memory.load(o))
                case 0x52: let o = try expandMemory(pop(), fixed: 32); memory.store(o, pop())
                case 0x53:
                    let o = try expandMemory(pop(), fixed: 1)
                    memory.base.storeBytes(of: UInt8(truncatingIfNeeded: pop().l0), toByteOffset: o, as: UInt8.self)
                case 0x54: try sload()
                case 0x55: try sstore()
                case 0x56:
                    let dest = pop()
                    guard code.isJumpdest(dest) else { return .badJumpDestination }
                    pc = Int(dest.l0)
                    continue
                case 0x57:
                    let dest = pop(), cond = pop()
                    if !cond.isZero {
                        guard code.isJumpdest(dest) else { return .badJumpDestination }
                        pc = Int(dest.l0)
                        continue
                    }
                case 0x58: push(UInt64(pc))
                case 0x59: push(UInt64(memory.size))
                case 0x5a: push(UInt64(gas))
                case 0x5b: break
                case 0x5c: let k = peek(0); setTop(evm.state.tload(msg.target, k))
                case 0x5d:
                    if msg.isStatic { return .staticStateChange }
                    let k = pop(), v = pop(); evm.state.tstore(msg.target, k, v)
                case 0x5e: try mcopy()
                case 0x5f: push(UInt256.zero)
                case 0x60:
                    push(UInt256(UInt64(bytes[pc &+ 1])))
                    pc &+= 2
                    continue
                case 0x61...0x7f:
                    let n = i - 0x5f
                    push(Frame.readPush(bytes + pc + 1, n))
                    pc &+= n &+ 1
                    continue
                case 0x80...0x8f: push(peek(i - 0x80))
                case 0x90...0x9f:
                    let n = i - 0x8f
                    let top = st[sp &- 1]
                    st[sp &- 1] = st[sp &- 1 &- n]
                    st[sp &- 1 &- n] = top
                case 0xa0...0xa4: try log(topics: i - 0xa0)
                case 0xf0: try create(isCreate2: false)
                case 0xf1, 0xf2, 0xf4, 0xfa: try call(op)
                case 0xf3:
                    let o = pop(), s = pop()
                    outputOffset = try expandMemory(o, s); outputSize = Int(s.l0)
                    return .returned
                case 0xf5: try create(isCreate2: true)
                case 0xfd:
                    let o = pop(), s = pop()
                    outputOffset = try expandMemory(o, s); outputSize = Int(s.l0)
                    return .reverted
                case 0xfe: return .invalidInstruction
                case 0xff: try selfDestruct(); return .selfdestructed
                default: return .undefinedInstruction
                }
            } catch {
                return error
            }
            pc &+= 1
        }
    }

    /// Reads an n-byte big-endian immediate (the code buffer is zero-padded past its end).
    @inline(__always)
    static func readPush(_ p: UnsafeMutablePointer<UInt8>, _ n: Int) -> UInt256 {
        var limbs: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var end = n  // exclusive end of the bytes still to place, counted from p
        var k = 0
        while end > 0 {
            let start = max(0, end - 8)
            var w: UInt64 = 0
            if end - start == 8 {
                w = UInt64(bigEndian: UnsafeRawPointer(p + start).loadUnaligned(as: UInt64.self))
            } else {
                for j in start..<end { w = w << 8 | UInt64(p[j]) }
            }
            switch k {
            case 0: limbs.0 = w
            case 1: limbs.1 = w
            case 2: limbs.2 = w
            default: limbs.3 = w
            }
            k += 1
            end = start
        }
        return UInt256(l0: limbs.0, l1: limbs.1, l2: limbs.2, l3: limbs.3)
    }
}
