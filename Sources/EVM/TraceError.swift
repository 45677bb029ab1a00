/// Why a traced frame or instruction failed, with the text geth's tracers print, so traces
/// from MLedger and from geth can be compared line by line.
public enum TraceError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A halt without further detail (REVERT, bad jump, static-context write, ...).
    case halted(Halt)
    case stackUnderflow(height: Int, required: Int)
    /// `limit` is the largest height the instruction may start from.
    case stackOverflow(height: Int, limit: Int)
    /// An opcode the fork does not define, or INVALID (0xfe).
    case invalidOpcode(UInt8)
    /// A CALL or CREATE whose value exceeds the caller's balance: the child never ran.
    case insufficientBalance
    /// The returned code could not be paid for (200 gas per byte).
    case codeStoreOutOfGas

    public var isRevert: Bool { self == .halted(.reverted) }

    public var description: String { message }

    /// geth-compatible error text.
    public var message: String {
        switch self {
        case let .stackUnderflow(height, required): return "stack underflow (\(height) <=> \(required))"
        case let .stackOverflow(height, limit): return "stack limit reached \(height) (\(limit))"
        case let .invalidOpcode(op):
            if op == 0xfe { return "invalid opcode: INVALID" }
            return "invalid opcode: " + OpcodeTable.name(of: op)
        case .insufficientBalance: return "insufficient balance for transfer"
        case .codeStoreOutOfGas: return "contract creation code storage out of gas"
        case let .halted(halt):
            switch halt {
            case .reverted: return "execution reverted"
            case .outOfGas: return "out of gas"
            case .stackUnderflow: return "stack underflow"
            case .stackOverflow: return "stack limit reached"
            case .badJumpDestination: return "invalid jump destination"
            case .undefinedInstruction, .invalidInstruction: return "invalid opcode"
            case .staticStateChange: return "write protection"
            case .returnDataOutOfBounds: return "return data out of bounds"
            case .callDepthExceeded: return "max call depth exceeded"
            case .initcodeTooLarge: return "max initcode size exceeded"
            case .codeTooLarge: return "max code size exceeded"
            case .invalidCodePrefix: return "invalid code: must not begin with 0xef"
            case .precompileFailure: return "precompiled contract failed"
            case .nonceOverflow: return "nonce uint64 overflow"
            case .addressCollision: return "contract address collision"
            case .stop, .returned, .selfdestructed: return "no error"
            }
        }
    }

    /// Whether geth's interpreter meets this error before it logs the instruction (stack and
    /// gas checks), in which case its struct log carries the error.
    var isFoundBeforeExecution: Bool {
        switch self {
        case .stackUnderflow, .stackOverflow, .halted(.outOfGas): return true
        default: return false
        }
    }
}
