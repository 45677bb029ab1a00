import Primitives

// Frame events for an attached `ExecutionTracer`. Every function here runs only when
// `tracer` is set; the untraced paths call `runCall` / `runCreate` directly.
extension EVM {
    /// `call` with frame events around it.
    func tracedCall(_ msg: Message) -> FrameResult {
        tracer?.frameWillStart(traceStart(msg, input: msg.input))
        tracedFrameError = nil
        let result = runCall(msg)
        let error = result.halt.isSuccess ? nil : (tracedFrameError ?? .halted(result.halt))
        tracedFrameError = nil
        tracer?.frameDidEnd(TraceFrameEnd(depth: msg.depth, output: result.output,
                                          gasUsed: EVM.gasUsed(msg.gas, left: result.gasLeft), error: error))
        return result
    }

    /// `create` with frame events around it; a successful frame's output is the deployed code.
    func tracedCreate(_ msg: Message, initcode: [UInt8]) -> FrameResult {
        tracer?.frameWillStart(traceStart(msg, input: initcode))
        tracedFrameError = nil
        let result = runCreate(msg, initcode: initcode)
        var error: TraceError?
        var output = result.output
        if result.halt.isSuccess {
            output = state.code(msg.target).bytes
        } else if let interpreterError = tracedFrameError {
            error = interpreterError
        } else {
            // The initcode succeeded, so the failure is the deposit's: EIP-170, EIP-3541 or
            // 200 gas per byte of code.
            error = result.halt == .outOfGas ? .codeStoreOutOfGas : .halted(result.halt)
        }
        tracedFrameError = nil
        tracer?.frameDidEnd(TraceFrameEnd(depth: msg.depth, output: output,
                                          gasUsed: EVM.gasUsed(msg.gas, left: result.gasLeft), error: error))
        return result
    }

    /// A child refused before it ran (call depth, balance, nonce, address collision): geth
    /// still reports it as a frame, with the gas it kept.
    func traceRefusedFrame(_ msg: Message, input: [UInt8], error: TraceError, gasUsed: Int64) {
        guard let tracer else { return }
        tracer.frameWillStart(traceStart(msg, input: input))
        tracer.frameDidEnd(TraceFrameEnd(depth: msg.depth, output: [], gasUsed: UInt64(max(0, gasUsed)), error: error))
    }

    /// SELFDESTRUCT as geth reports it: a frame from the contract to the beneficiary carrying
    /// the balance, without gas.
    func traceSelfDestruct(from: Address, to: Address, value: UInt256, depth: Int, gasLeft: Int64) {
        guard let tracer else { return }
        traceSettleCost(gasLeft: gasLeft)
        tracer.frameWillStart(TraceFrameStart(kind: .selfDestruct, depth: depth, from: from, to: to, value: value,
                                              gas: 0, input: []))
        tracer.frameDidEnd(TraceFrameEnd(depth: depth, output: [], gasUsed: 0, error: nil))
    }

    /// Reports what the last announced instruction cost, now that the gas left after it is
    /// known (at the next instruction, or when it hands gas to a child frame).
    func traceSettleCost(gasLeft: Int64) {
        guard tracedStepPending, let tracer else { return }
        tracedStepPending = false
        tracer.instructionDidCharge(gasCost: UInt64(max(0, tracedGasBefore - gasLeft)), error: nil)
    }

    func traceStart(_ msg: Message, input: [UInt8]) -> TraceFrameStart {
        // DELEGATECALL keeps the parent's caller in the message; the trace names the
        // delegating contract, which is the message's target.
        TraceFrameStart(kind: msg.kind, depth: msg.depth, from: msg.kind == .delegateCall ? msg.target : msg.caller,
                        to: msg.codeAddress, value: msg.kind == .staticCall ? nil : msg.value,
                        gas: UInt64(max(0, msg.gas)), input: input)
    }

    static func gasUsed(_ gas: Int64, left: Int64) -> UInt64 { UInt64(max(0, gas - max(0, left))) }
}

extension Frame {
    /// Announces the instruction at `pc` to the tracer, settling the previous one's cost.
    /// Out of line so the dispatch loop stays small when tracing is off.
    @inline(never)
    func traceInstruction() {
        // Code-less frames (empty initcode) run no instruction in geth's traces.
        guard let tracer = evm.tracer, code.count > 0 else { return }
        evm.traceSettleCost(gasLeft: gas)
        tracer.instructionWillRun(TraceStep(
            pc: pc, opcode: code.padded[pc], gas: gas, depth: msg.depth + 1,
            stack: UnsafeBufferPointer(start: st, count: sp),
            memory: UnsafeRawBufferPointer(start: memory.base, count: memory.size),
            returnData: returnData, address: msg.target, refund: evm.state.refund, state: evm.state))
        evm.tracedGasBefore = gas
        evm.tracedStepPending = true
    }

    /// At the end of the frame: settles the last instruction's cost and records the
    /// interpreter's error for the frame event.
    func traceEnd(_ halt: Halt) {
        var error: TraceError?
        var cost = evm.tracedGasBefore - gas
        if !halt.isSuccess {
            let op = Int(code.padded[pc])
            switch halt {
            case .stackUnderflow:
                error = .stackUnderflow(height: sp, required: Int(evm.table.required[op]))
                cost = evm.table.gas[op]  // geth reports the constant gas it would have charged
            case .stackOverflow:
                error = .stackOverflow(height: sp, limit: Int(evm.table.maxHeight[op]))
                cost = evm.table.gas[op]
            case .undefinedInstruction, .invalidInstruction:
                error = .invalidOpcode(UInt8(op))
            default:
                error = .halted(halt)
            }
        }
        if evm.tracedStepPending, let tracer = evm.tracer {
            evm.tracedStepPending = false
            let stepError = (error?.isFoundBeforeExecution ?? false) ? error : nil
            tracer.instructionDidCharge(gasCost: UInt64(max(0, cost)), error: stepError)
        }
        evm.tracedFrameError = error
    }
}
