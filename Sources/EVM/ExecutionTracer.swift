import Primitives

/// Receives execution events from an `EVM` whose `tracer` is set (debug_traceTransaction,
/// debug_traceCall). Every method has an empty default, so a tracer implements only what it
/// needs. Events arrive in execution order:
///
///     transactionWillStart
///       frameWillStart (depth 0)
///         instructionWillRun, instructionDidCharge, instructionWillRun, ...
///         frameWillStart (depth 1) ... frameDidEnd (depth 1)      (CALL, CREATE, ...)
///       frameDidEnd (depth 0)
///     transactionDidEnd
///
/// `instructionDidCharge` follows every `instructionWillRun` exactly once, before any other
/// event; for the CALL and CREATE families it arrives before the child frame starts.
/// A tracer serves one transaction; make a new one for the next.
public protocol ExecutionTracer: AnyObject {
    /// The transaction passed validation and bought its gas; execution starts.
    func transactionWillStart(_ transaction: TransactionEnvironment)
    /// A call frame starts: the transaction's own frame, a CALL-family or CREATE-family
    /// instruction (also when the child is refused before running: depth, balance, collision),
    /// a precompile call, or a SELFDESTRUCT (geth reports it as a frame without gas).
    func frameWillStart(_ frame: TraceFrameStart)
    /// An instruction is about to run. The views in `step` are valid only during the call.
    func instructionWillRun(_ step: TraceStep)
    /// What the instruction announced by the last `instructionWillRun` cost (geth's
    /// `gasCost`: constant plus dynamic gas, for the CALL family including the gas handed to
    /// the child), and the error when it failed before doing its work (out of gas, stack
    /// underflow or overflow), as geth marks such steps.
    func instructionDidCharge(gasCost: UInt64, error: TraceError?)
    /// The frame announced by the matching `frameWillStart` ended.
    func frameDidEnd(_ end: TraceFrameEnd)
    /// The transaction is settled (refunds applied, coinbase paid).
    func transactionDidEnd(_ result: TransactionResult)
}

extension ExecutionTracer {
    public func transactionWillStart(_ transaction: TransactionEnvironment) {}
    public func frameWillStart(_ frame: TraceFrameStart) {}
    public func instructionWillRun(_ step: TraceStep) {}
    public func instructionDidCharge(gasCost: UInt64, error: TraceError?) {}
    public func frameDidEnd(_ end: TraceFrameEnd) {}
    public func transactionDidEnd(_ result: TransactionResult) {}
}

/// How a frame was entered; `name` is the opcode name geth's call tracer prints as `type`.
public enum FrameKind: UInt8, Sendable {
    case call, callCode, delegateCall, staticCall, create, create2, selfDestruct

    public var name: String {
        switch self {
        case .call: return "CALL"
        case .callCode: return "CALLCODE"
        case .delegateCall: return "DELEGATECALL"
        case .staticCall: return "STATICCALL"
        case .create: return "CREATE"
        case .create2: return "CREATE2"
        case .selfDestruct: return "SELFDESTRUCT"
        }
    }

    public var isCreate: Bool { self == .create || self == .create2 }
}

/// A frame as it starts.
public struct TraceFrameStart: Sendable {
    public var kind: FrameKind
    /// 0 for the transaction's frame, 1 for its children, ...
    public var depth: Int
    /// The account making the call (for DELEGATECALL the delegating contract itself).
    public var from: Address
    /// The code's account: callee, delegate, precompile, new contract or SELFDESTRUCT beneficiary.
    public var to: Address
    /// Value moved or, for DELEGATECALL, the value inherited from the parent; nil for STATICCALL.
    public var value: UInt256?
    /// Gas available to the frame (with the 2300 stipend of a value call).
    public var gas: UInt64
    /// Call data, or the initcode of a CREATE.
    public var input: [UInt8]
}

/// A frame as it ends.
public struct TraceFrameEnd: Sendable {
    public var depth: Int
    /// Return data, revert data, or the deployed code of a successful CREATE.
    public var output: [UInt8]
    public var gasUsed: UInt64
    /// nil when the frame succeeded.
    public var error: TraceError?
}

/// The machine state before one instruction. `stack` and `memory` point into the
/// interpreter's buffers: copy what you keep, and only during `instructionWillRun`.
public struct TraceStep {
    public var pc: Int
    public var opcode: UInt8
    /// Gas left before the instruction.
    public var gas: Int64
    /// Frame depth, 1 for the transaction's frame (geth's numbering in struct logs).
    public var depth: Int
    /// Bottom of the stack first; the top is `stack.last`.
    public var stack: UnsafeBufferPointer<UInt256>
    public var memory: UnsafeRawBufferPointer
    /// Return data of the frame's last call.
    public var returnData: [UInt8]
    /// The account whose storage the frame uses (the DELEGATECALL caller, not the code's account).
    public var address: Address
    /// The refund counter (EIP-3529) so far.
    public var refund: Int64
    unowned(unsafe) let state: JournaledState

    /// The current value of `key` in the frame's storage, read without warming it (EIP-2929)
    /// or changing anything else.
    public func storageValue(_ key: UInt256) -> UInt256 { state.sload(address, key) }
}
