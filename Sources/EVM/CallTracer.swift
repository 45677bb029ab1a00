import Primitives

/// One node of a call tree (geth's `callTracer`).
public struct TracedCall: Equatable, Sendable {
    public var kind: FrameKind
    public var from: Address
    /// nil for a CREATE that failed (no contract came to exist).
    public var to: Address?
    /// nil for STATICCALL.
    public var value: UInt256?
    public var gas: UInt64
    public var gasUsed: UInt64
    public var input: [UInt8]
    /// Return data on success, revert data after REVERT, nil otherwise (and when empty).
    public var output: [UInt8]?
    /// geth-compatible error text.
    public var error: String?
    public var calls: [TracedCall]
}

/// Builds the call tree of a transaction: one node per frame, nested by depth.
public final class CallTracer: ExecutionTracer {
    /// Options from `tracerConfig`.
    public struct Config: Equatable, Sendable {
        /// Only the transaction's own frame, no children.
        public var onlyTopCall = false
        public init(onlyTopCall: Bool = false) { self.onlyTopCall = onlyTopCall }
    }

    public let config: Config
    /// Open frames, outermost first.
    private var stack: [TracedCall] = []
    private var gasLimit: UInt64 = 0
    private var top: TracedCall?

    public init(config: Config = Config()) { self.config = config }

    /// The call tree; nil until the transaction has ended.
    public private(set) var result: TracedCall?

    public func transactionWillStart(_ transaction: TransactionEnvironment) { gasLimit = transaction.gasLimit }

    public func frameWillStart(_ frame: TraceFrameStart) {
        if config.onlyTopCall && frame.depth > 0 { return }
        // The top frame shows the transaction's gas limit, as geth does (intrinsic gas included).
        stack.append(TracedCall(kind: frame.kind, from: frame.from, to: frame.to, value: frame.value,
                                gas: frame.depth == 0 ? gasLimit : frame.gas, gasUsed: 0, input: frame.input,
                                output: nil, error: nil, calls: []))
    }

    public func frameDidEnd(_ end: TraceFrameEnd) {
        if config.onlyTopCall && end.depth > 0 { return }
        guard var call = stack.popLast() else { return }
        call.gasUsed = end.gasUsed
        CallTracer.record(end, in: &call)
        if stack.isEmpty {
            top = call
        } else {
            stack[stack.count - 1].calls.append(call)
        }
    }

    public func transactionDidEnd(_ result: TransactionResult) {
        guard var call = top else { return }
        call.gasUsed = result.gasUsed  // the receipt's figure: intrinsic gas and refunds included
        self.result = call
    }

    /// Output, error and revert reason of an ended frame, with geth's rules: output only on
    /// success or REVERT, a failed CREATE has no `to`.
    static func record(_ end: TraceFrameEnd, in call: inout TracedCall) {
        guard let error = end.error else {
            call.output = end.output.isEmpty ? nil : end.output
            return
        }
        call.error = error.message
        if call.kind.isCreate { call.to = nil }
        guard error.isRevert, !end.output.isEmpty else { return }
        call.output = end.output
    }
}
