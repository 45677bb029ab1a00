import Primitives

/// One instruction of a struct log (geth's default tracer): the machine state before it ran.
public struct StructLog: Equatable, Sendable {
    public var pc: Int
    public var opcode: UInt8
    public var op: String { OpcodeTable.name(of: opcode) }
    /// Gas left before the instruction.
    public var gas: UInt64
    /// Gas the instruction consumed (for the CALL family including the gas handed to the child).
    public var gasCost: UInt64
    /// 1 for the transaction's frame.
    public var depth: Int
    /// Bottom first; nil when the stack is disabled.
    public var stack: [UInt256]?
    /// The whole memory; nil unless memory is enabled.
    public var memory: [UInt8]?
    /// At SLOAD and SSTORE: every slot of the current contract touched so far, with its value.
    public var storage: [UInt256: UInt256]?
    /// The frame's last return data; nil unless enabled.
    public var returnData: [UInt8]?
    public var refund: UInt64
    /// Set when the instruction failed before it could run (out of gas, stack bounds).
    public var error: String?
}

/// What a struct-logged transaction produced.
public struct StructLoggerResult: Equatable, Sendable {
    /// Gas used by the transaction (after refunds).
    public var gas: UInt64
    public var failed: Bool
    /// The return data, or the revert data when reverted; empty after other failures.
    public var returnValue: [UInt8]
    public var logs: [StructLog]
}

/// The struct (opcode) logger: one `StructLog` per instruction at every depth.
public final class StructLogger: ExecutionTracer {
    /// geth's options for its default tracer.
    public struct Config: Equatable, Sendable {
        public var disableStack = false
        public var disableStorage = false
        public var enableMemory = false
        public var enableReturnData = false
        /// Most instructions to record; 0 for no limit.
        public var limit = 0

        public init(disableStack: Bool = false, disableStorage: Bool = false, enableMemory: Bool = false,
                    enableReturnData: Bool = false, limit: Int = 0) {
            self.disableStack = disableStack; self.disableStorage = disableStorage; self.enableMemory = enableMemory
            self.enableReturnData = enableReturnData; self.limit = limit
        }
    }

    public let config: Config
    public private(set) var logs: [StructLog] = []
    /// Slots seen per contract (geth keeps one map per address for the whole transaction).
    private var storage: [Address: [UInt256: UInt256]] = [:]
    /// Whether the last announced instruction was recorded (the limit may have stopped it).
    private var lastRecorded = false
    private var output: [UInt8] = []
    private var topError: TraceError?
    private var gasUsed: UInt64 = 0
    private var finished = false

    public init(config: Config = Config()) { self.config = config }

    /// The collected trace; nil until the transaction has ended.
    public var result: StructLoggerResult? {
        guard finished else { return nil }
        let failed = topError != nil
        let value = failed && !(topError?.isRevert ?? false) ? [] : output
        return StructLoggerResult(gas: gasUsed, failed: failed, returnValue: value, logs: logs)
    }

    public func instructionWillRun(_ step: TraceStep) {
        lastRecorded = false
        if config.limit > 0 && logs.count >= config.limit { return }
        var log = StructLog(pc: step.pc, opcode: step.opcode, gas: UInt64(max(0, step.gas)), gasCost: 0, depth: step.depth,
                            refund: UInt64(max(0, step.refund)))
        if !config.disableStack { log.stack = Array(step.stack) }
        if config.enableMemory { log.memory = Array(step.memory) }
        if config.enableReturnData { log.returnData = step.returnData }
        if !config.disableStorage, let entry = storageEntry(step) {
            var seen = storage[step.address] ?? [:]
            seen[entry.key] = entry.value
            storage[step.address] = seen
            log.storage = seen
        }
        logs.append(log)
        lastRecorded = true
    }

    /// The slot an SLOAD reads (with its current value) or an SSTORE writes, from the stack
    /// the instruction is about to consume; nil when it would underflow.
    private func storageEntry(_ step: TraceStep) -> (key: UInt256, value: UInt256)? {
        let n = step.stack.count
        switch step.opcode {
        case 0x54 where n >= 1:
            let key = step.stack[n - 1]
            return (key, step.storageValue(key))
        case 0x55 where n >= 2:
            return (step.stack[n - 1], step.stack[n - 2])
        default:
            return nil
        }
    }

    public func instructionDidCharge(gasCost: UInt64, error: TraceError?) {
        guard lastRecorded, !logs.isEmpty else { return }
        logs[logs.count - 1].gasCost = gasCost
        if let error { logs[logs.count - 1].error = error.message }
    }

    public func frameDidEnd(_ end: TraceFrameEnd) {
        guard end.depth == 0 else { return }
        output = end.output
        topError = end.error
    }

    public func transactionDidEnd(_ result: TransactionResult) {
        gasUsed = result.gasUsed
        finished = true
    }
}
