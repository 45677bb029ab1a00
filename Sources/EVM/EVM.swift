import Primitives

/// Executes messages for one transaction at a time over a `JournaledState`. Owns the per-depth
/// stack buffers (reused between frames) and the fork's opcode table.
public final class EVM {
    public let state: JournaledState
    public let block: BlockEnvironment
    public let rules: ForkRules
    let table: OpcodeTable
    var origin: Address = .zero
    var gasPrice: UInt256 = .zero
    var blobHashes: [UInt256] = []
    let blobBaseFee: UInt256
    private var stacks: [UnsafeMutablePointer<UInt256>] = []
    /// A precompile without implementation was called (reported, never passed silently).
    public private(set) var unimplementedPrecompileUsed: UInt64?
    /// EIP-3607: a transaction whose sender has code is invalid. Calls that are not
    /// transactions (`eth_call`, gas estimates) turn this off, as Ethereum nodes do, so that a
    /// contract can be the `from` of a simulated call.
    public var rejectsSenderWithCode = true
    /// Receives execution events (debug tracing). Left nil, frames run the interpreter loop
    /// compiled without tracing and pay one check per call frame.
    public var tracer: (any ExecutionTracer)?
    /// Tracing bookkeeping (see `EVM+Tracing.swift`): gas before the last announced
    /// instruction, whether its cost is still owed, and the interpreter's error for the frame
    /// that just ended.
    var tracedGasBefore: Int64 = 0
    var tracedStepPending = false
    var tracedFrameError: TraceError?

    public init(state: JournaledState, block: BlockEnvironment, fork: Fork) {
        self.state = state
        self.block = block
        rules = ForkRules.rules(for: fork)
        table = OpcodeTable.table(for: fork)
        blobBaseFee = block.blobBaseFee
    }

    deinit { for s in stacks { s.deallocate() } }

    @inline(__always)
    private func stack(depth: Int) -> UnsafeMutablePointer<UInt256> {
        while stacks.count <= depth { stacks.append(.allocate(capacity: 1024)) }
        return stacks[depth]
    }

    /// Highest precompile address for this fork (0x0a point evaluation from Cancun).
    var precompileCount: UInt64 { rules.hasBlobs ? 10 : 9 }

    @inline(__always)
    func isPrecompile(_ a: Address) -> Bool {
        a.hi == 0 && a.mid == 0 && a.lo >= 1 && a.lo <= precompileCount
    }

    /// Runs a message call frame (CALL family or a transaction to an address).
    func call(_ msg: Message) -> FrameResult {
        if tracer == nil { return runCall(msg) }
        return tracedCall(msg)
    }

    func runCall(_ msg: Message) -> FrameResult {
        let cp = state.checkpoint()
        state.touch(msg.target)
        if msg.transfersValue && !msg.value.isZero {
            state.transfer(from: msg.caller, to: msg.target, value: msg.value)
        }
        var result: FrameResult
        if isPrecompile(msg.codeAddress) {
            if Precompiles.unimplemented.contains(msg.codeAddress.lo) { unimplementedPrecompileUsed = msg.codeAddress.lo }
            result = Precompiles.run(address: msg.codeAddress.lo, input: msg.input, gas: msg.gas, rules: rules)
        } else {
            let code = state.code(msg.codeAddress)
            if code.isEmpty {
                result = FrameResult(halt: .stop, gasLeft: msg.gas, output: [])
            } else {
                result = execute(msg, code: code)
            }
        }
        if !result.halt.isSuccess {
            state.revert(to: cp)
            if result.halt != .reverted { result.gasLeft = 0 }
            // Mainnet block 2675119 quirk kept by every client: a failed call still touches RIPEMD-160.
            if msg.target.lo == 3 && msg.target.hi == 0 && msg.target.mid == 0 && state.exists(msg.target) && !state.isAlive(msg.target) {
                state.touch(msg.target)
            }
        }
        return result
    }

    /// Runs initcode for a new account at `msg.target` and installs the returned code.
    func create(_ msg: Message, initcode: [UInt8]) -> FrameResult {
        if tracer == nil { return runCreate(msg, initcode: initcode) }
        return tracedCreate(msg, initcode: initcode)
    }

    func runCreate(_ msg: Message, initcode: [UInt8]) -> FrameResult {
        let cp = state.checkpoint()
        state.markCreated(msg.target)
        state.setNonce(msg.target, 1)
        state.touch(msg.target)
        state.transfer(from: msg.caller, to: msg.target, value: msg.value)
        var result = execute(msg, code: Bytecode(initcode))
        if result.halt.isSuccess {
            let code = result.output
            var failure: Halt?
            if rules.fork >= .london, let first = code.first, first == 0xef { failure = .invalidCodePrefix }  // EIP-3541
            else if code.count > ForkRules.maxCodeSize { failure = .codeTooLarge }  // EIP-170
            else {
                let deposit = GasCost.codeDeposit * Int64(code.count)
                if result.gasLeft < deposit { failure = .outOfGas } else { result.gasLeft -= deposit }
            }
            if let f = failure {
                state.revert(to: cp)
                return FrameResult(halt: f, gasLeft: 0, output: [])
            }
            state.setCode(msg.target, Bytecode(code))
            result.output = []
            return result
        }
        state.revert(to: cp)
        if result.halt != .reverted { result.gasLeft = 0 }
        return result
    }

    /// Interprets code in a new frame.
    func execute(_ msg: Message, code: Bytecode) -> FrameResult {
        var frame = Frame(evm: self, msg: msg, code: code, stack: stack(depth: msg.depth))
        let halt = frame.run()
        defer { frame.memory.release() }
        if tracer != nil { frame.traceEnd(halt) }
        switch halt {
        case .stop, .selfdestructed: return FrameResult(halt: halt, gasLeft: frame.gas, output: [])
        case .returned, .reverted: return FrameResult(halt: halt, gasLeft: frame.gas, output: frame.output)
        default: return FrameResult(halt: halt, gasLeft: 0, output: [])
        }
    }
}
