extension OpcodeTable {
    /// Names for all 256 byte values, independent of the fork (a trace names PUSH0 even under
    /// London, where it fails); undefined bytes read "opcode 0xc not defined" as in geth.
    static let names: [String] = {
        var list = (0..<256).map { "opcode 0x" + String($0, radix: 16) + " not defined" }
        for (byte, facts) in all { list[Int(byte)] = facts.name }
        return list
    }()

    /// The mnemonic of `opcode` (struct logs' `op`).
    public static func name(of opcode: UInt8) -> String { names[Int(opcode)] }
}
