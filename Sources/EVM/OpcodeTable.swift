/// Facts about one opcode that the dispatcher checks before the instruction body runs:
/// the body may then pop and push without bounds checks and has its constant gas already paid.
public struct OpcodeFacts: Sendable {
    public var name: String
    /// Items the instruction pops.
    public var stackIn: Int
    /// Items the instruction pushes.
    public var stackOut: Int
    /// Bytes of immediate data after the opcode (PUSH1..PUSH32).
    public var immediateSize: Int
    /// Gas charged before the body; dynamic parts are charged by the body.
    public var constantGas: Int64
    /// First fork that defines the opcode (`nil` for opcodes older than every supported fork).
    public var introduced: Fork?
}

/// The per-fork dispatch table: 256 entries, undefined opcodes marked `defined == false`.
/// Stored as flat arrays of small integers so the hot loop reads them without ARC traffic.
public final class OpcodeTable: @unchecked Sendable {
    /// Per byte: constant gas.
    let gas: UnsafeMutablePointer<Int64>
    /// Per byte: minimum stack height needed.
    let required: UnsafeMutablePointer<Int32>
    /// Per byte: largest stack height allowed before the instruction (1024 - net growth).
    let maxHeight: UnsafeMutablePointer<Int32>
    /// Per byte: whether the fork defines it.
    let defined: UnsafeMutablePointer<Bool>

    public let facts: [OpcodeFacts?]

    init(fork: Fork) {
        gas = .allocate(capacity: 256); required = .allocate(capacity: 256)
        maxHeight = .allocate(capacity: 256); defined = .allocate(capacity: 256)
        var list = [OpcodeFacts?](repeating: nil, count: 256)
        for (byte, f) in OpcodeTable.all where (f.introduced ?? .london) <= fork { list[Int(byte)] = f }
        facts = list
        for i in 0..<256 {
            if let f = list[i] {
                gas[i] = f.constantGas; required[i] = Int32(f.stackIn)
                maxHeight[i] = Int32(1024 - max(0, f.stackOut - f.stackIn)); defined[i] = true
            } else {
                gas[i] = 0; required[i] = Int32.max; maxHeight[i] = 1024; defined[i] = false  // fails the height check first
            }
        }
    }

    deinit { gas.deallocate(); required.deallocate(); maxHeight.deallocate(); defined.deallocate() }

    private static let tables: [OpcodeTable] = Fork.allCases.map { OpcodeTable(fork: $0) }
    /// The shared table for a fork.
    public static func table(for fork: Fork) -> OpcodeTable { tables[fork.rawValue] }

    static let all: [(UInt8, OpcodeFacts)] = {
        var t: [(UInt8, OpcodeFacts)] = []
        func op(_ b: UInt8, _ n: String, _ i: Int, _ o: Int, _ g: Int64, _ fork: Fork? = nil, imm: Int = 0) {
            t.append((b, OpcodeFacts(name: n, stackIn: i, stackOut: o, immediateSize: imm, constantGas: g, introduced: fork)))
        }
        op(0x00, "STOP", 0, 0, 0)
        op(0x01, "ADD", 2, 1, 3); op(0x02, "MUL", 2, 1, 5); op(0x03, "SUB", 2, 1, 3)
        op(0x04, "DIV", 2, 1, 5); op(0x05, "SDIV", 2, 1, 5); op(0x06, "MOD", 2, 1, 5)
        op(0x07, "SMOD", 2, 1, 5); op(0x08, "ADDMOD", 3, 1, 8); op(0x09, "MULMOD", 3, 1, 8)
        op(0x0a, "EXP", 2, 1, 10); op(0x0b, "SIGNEXTEND", 2, 1, 5)
        op(0x10, "LT", 2, 1, 3); op(0x11, "GT", 2, 1, 3); op(0x12, "SLT", 2, 1, 3)
        op(0x13, "SGT", 2, 1, 3); op(0x14, "EQ", 2, 1, 3); op(0x15, "ISZERO", 1, 1, 3)
        op(0x16, "AND", 2, 1, 3); op(0x17, "OR", 2, 1, 3); op(0x18, "XOR", 2, 1, 3)
        op(0x19, "NOT", 1, 1, 3); op(0x1a, "BYTE", 2, 1, 3); op(0x1b, "SHL", 2, 1, 3)
        op(0x1c, "SHR", 2, 1, 3); op(0x1d, "SAR", 2, 1, 3)
        op(0x20, "KECCAK256", 2, 1, 30)
        op(0x30, "ADDRESS", 0, 1, 2); op(0x31, "BALANCE", 1, 1, GasCost.warmAccess)
        op(0x32, "ORIGIN", 0, 1, 2); op(0x33, "CALLER", 0, 1, 2); op(0x34, "CALLVALUE", 0, 1, 2)
        op(0x35, "CALLDATALOAD", 1, 1, 3); op(0x36, "CALLDATASIZE", 0, 1, 2)
        op(0x37, "CALLDATACOPY", 3, 0, 3); op(0x38, "CODESIZE", 0, 1, 2); op(0x39, "CODECOPY", 3, 0, 3)
        op(0x3a, "GASPRICE", 0, 1, 2); op(0x3b, "EXTCODESIZE", 1, 1, GasCost.warmAccess)
        op(0x3c, "EXTCODECOPY", 4, 0, GasCost.warmAccess); op(0x3d, "RETURNDATASIZE", 0, 1, 2)
        op(0x3e, "RETURNDATACOPY", 3, 0, 3); op(0x3f, "EXTCODEHASH", 1, 1, GasCost.warmAccess)
        op(0x40, "BLOCKHASH", 1, 1, 20); op(0x41, "COINBASE", 0, 1, 2); op(0x42, "TIMESTAMP", 0, 1, 2)
        op(0x43, "NUMBER", 0, 1, 2); op(0x44, "PREVRANDAO", 0, 1, 2); op(0x45, "GASLIMIT", 0, 1, 2)
        op(0x46, "CHAINID", 0, 1, 2); op(0x47, "SELFBALANCE", 0, 1, 5); op(0x48, "BASEFEE", 0, 1, 2)
        op(0x49, "BLOBHASH", 1, 1, 3, .cancun)        // EIP-4844
        op(0x4a, "BLOBBASEFEE", 0, 1, 2, .cancun)     // EIP-7516
        op(0x50, "POP", 1, 0, 2); op(0x51, "MLOAD", 1, 1, 3); op(0x52, "MSTORE", 2, 0, 3)
        op(0x53, "MSTORE8", 2, 0, 3); op(0x54, "SLOAD", 1, 1, 0); op(0x55, "SSTORE", 2, 0, 0)
        op(0x56, "JUMP", 1, 0, 8); op(0x57, "JUMPI", 2, 0, 10); op(0x58, "PC", 0, 1, 2)
        op(0x59, "MSIZE", 0, 1, 2); op(0x5a, "GAS", 0, 1, 2); op(0x5b, "JUMPDEST", 0, 0, 1)
        op(0x5c, "TLOAD", 1, 1, 100, .cancun)         // EIP-1153
        op(0x5d, "TSTORE", 2, 0, 100, .cancun)        // EIP-1153
        op(0x5e, "MCOPY", 3, 0, 3, .cancun)           // EIP-5656
        op(0x5f, "PUSH0", 0, 1, 2, .shanghai)         // EIP-3855
        for n in 1...32 { op(0x5f + UInt8(n), "PUSH\(n)", 0, 1, 3, imm: n) }
        for n in 1...16 { op(0x7f + UInt8(n), "DUP\(n)", n, n + 1, 3) }
        for n in 1...16 { op(0x8f + UInt8(n), "SWAP\(n)", n + 1, n + 1, 3) }
        for n in 0...4 { op(0xa0 + UInt8(n), "LOG\(n)", n + 2, 0, 375 * Int64(n + 1)) }
        op(0xf0, "CREATE", 3, 1, GasCost.create); op(0xf1, "CALL", 7, 1, GasCost.warmAccess)
        op(0xf2, "CALLCODE", 7, 1, GasCost.warmAccess); op(0xf3, "RETURN", 2, 0, 0)
        op(0xf4, "DELEGATECALL", 6, 1, GasCost.warmAccess); op(0xf5, "CREATE2", 4, 1, GasCost.create)
        op(0xfa, "STATICCALL", 6, 1, GasCost.warmAccess); op(0xfd, "REVERT", 2, 0, 0)
        op(0xfe, "INVALID", 0, 0, 0); op(0xff, "SELFDESTRUCT", 1, 0, GasCost.selfdestruct)
        return t
    }()
}
