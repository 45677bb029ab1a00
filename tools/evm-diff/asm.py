"""A tiny EVM assembler for the differential fuzzer: opcodes by name, PUSH of the shortest width,
forward labels, and data blobs appended after the code and addressed with CODECOPY."""

OPS = {}  # name -> (byte, stack inputs, stack outputs)


def _def(byte, name, ins, outs):
    OPS[name] = (byte, ins, outs)


for _b, _n, _i, _o in [
    (0x00, "STOP", 0, 0), (0x01, "ADD", 2, 1), (0x02, "MUL", 2, 1), (0x03, "SUB", 2, 1), (0x04, "DIV", 2, 1),
    (0x05, "SDIV", 2, 1), (0x06, "MOD", 2, 1), (0x07, "SMOD", 2, 1), (0x08, "ADDMOD", 3, 1), (0x09, "MULMOD", 3, 1),
    (0x0A, "EXP", 2, 1), (0x0B, "SIGNEXTEND", 2, 1), (0x10, "LT", 2, 1), (0x11, "GT", 2, 1), (0x12, "SLT", 2, 1),
    (0x13, "SGT", 2, 1), (0x14, "EQ", 2, 1), (0x15, "ISZERO", 1, 1), (0x16, "AND", 2, 1), (0x17, "OR", 2, 1),
    (0x18, "XOR", 2, 1), (0x19, "NOT", 1, 1), (0x1A, "BYTE", 2, 1), (0x1B, "SHL", 2, 1), (0x1C, "SHR", 2, 1),
    (0x1D, "SAR", 2, 1), (0x20, "SHA3", 2, 1), (0x30, "ADDRESS", 0, 1), (0x31, "BALANCE", 1, 1),
    (0x32, "ORIGIN", 0, 1), (0x33, "CALLER", 0, 1), (0x34, "CALLVALUE", 0, 1), (0x35, "CALLDATALOAD", 1, 1),
    (0x36, "CALLDATASIZE", 0, 1), (0x37, "CALLDATACOPY", 3, 0), (0x38, "CODESIZE", 0, 1), (0x39, "CODECOPY", 3, 0),
    (0x3A, "GASPRICE", 0, 1), (0x3B, "EXTCODESIZE", 1, 1), (0x3C, "EXTCODECOPY", 4, 0),
    (0x3D, "RETURNDATASIZE", 0, 1), (0x3E, "RETURNDATACOPY", 3, 0), (0x3F, "EXTCODEHASH", 1, 1),
    (0x40, "BLOCKHASH", 1, 1), (0x41, "COINBASE", 0, 1), (0x42, "TIMESTAMP", 0, 1), (0x43, "NUMBER", 0, 1),
    (0x44, "PREVRANDAO", 0, 1), (0x45, "GASLIMIT", 0, 1), (0x46, "CHAINID", 0, 1), (0x47, "SELFBALANCE", 0, 1),
    (0x48, "BASEFEE", 0, 1), (0x49, "BLOBHASH", 1, 1), (0x4A, "BLOBBASEFEE", 0, 1), (0x50, "POP", 1, 0),
    (0x51, "MLOAD", 1, 1), (0x52, "MSTORE", 2, 0), (0x53, "MSTORE8", 2, 0), (0x54, "SLOAD", 1, 1),
    (0x55, "SSTORE", 2, 0), (0x56, "JUMP", 1, 0), (0x57, "JUMPI", 2, 0), (0x58, "PC", 0, 1), (0x59, "MSIZE", 0, 1),
    (0x5A, "GAS", 0, 1), (0x5B, "JUMPDEST", 0, 0), (0x5C, "TLOAD", 1, 1), (0x5D, "TSTORE", 2, 0),
    (0x5E, "MCOPY", 3, 0), (0x5F, "PUSH0", 0, 1), (0xA0, "LOG0", 2, 0), (0xA1, "LOG1", 3, 0), (0xA2, "LOG2", 4, 0),
    (0xA3, "LOG3", 5, 0), (0xA4, "LOG4", 6, 0), (0xF0, "CREATE", 3, 1), (0xF1, "CALL", 7, 1),
    (0xF2, "CALLCODE", 7, 1), (0xF3, "RETURN", 2, 0), (0xF4, "DELEGATECALL", 6, 1), (0xF5, "CREATE2", 4, 1),
    (0xFA, "STATICCALL", 6, 1), (0xFD, "REVERT", 2, 0), (0xFE, "INVALID", 0, 0), (0xFF, "SELFDESTRUCT", 1, 0),
]:
    _def(_b, _n, _i, _o)
for _k in range(1, 17):
    _def(0x7F + _k, f"DUP{_k}", _k, _k + 1)
    _def(0x8F + _k, f"SWAP{_k}", _k + 1, _k + 1)

# Bytes that are no instruction in Cancun (0xEF included: EIP-3541 reserves it).
UNDEFINED = [b for b in range(256) if b not in {v[0] for v in OPS.values()} and not 0x60 <= b <= 0x7F]


class Asm:
    """Builds one contract's code. Labels are resolved with fixed PUSH2 placeholders, so any
    program under 64 KiB assembles in one pass plus patching."""

    def __init__(self):
        self.code = bytearray()
        self.patches = []  # (position of PUSH2 operand, label or ("data", index))
        self.labels = {}
        self.blobs = []

    def op(self, name):
        self.code.append(OPS[name][0])
        return self

    def raw(self, b):
        self.code += bytes(b)
        return self

    def push(self, value, width=None):
        value %= 1 << 256
        if width is None:
            if value == 0:
                self.code.append(0x5F)  # PUSH0 (EIP-3855)
                return self
            width = max(1, (value.bit_length() + 7) // 8)
        self.code.append(0x5F + width)
        self.code += value.to_bytes(width, "big")
        return self

    def push_label(self, label):
        self.code.append(0x61)
        self.patches.append((len(self.code), label))
        self.code += b"\0\0"
        return self

    def label(self, label):
        self.labels[label] = len(self.code)
        return self.op("JUMPDEST")

    def push_data(self, blob):
        """Pushes the code offset where `blob` will lie (after the program's code)."""
        self.blobs.append(bytes(blob))
        self.code.append(0x61)
        self.patches.append((len(self.code), ("data", len(self.blobs) - 1)))
        self.code += b"\0\0"
        return self

    def copy_to_memory(self, blob, mem_offset):
        """CODECOPY of a data blob to memory: leaves nothing on the stack."""
        self.push(len(blob)).push_data(blob).push(mem_offset).op("CODECOPY")
        return self

    def build(self):
        code = bytearray(self.code)
        code.append(0x00)  # the data section is never executed
        starts = []
        for b in self.blobs:
            starts.append(len(code))
            code += b
        for pos, target in self.patches:
            where = starts[target[1]] if isinstance(target, tuple) else self.labels[target]
            code[pos:pos + 2] = (where % 65536).to_bytes(2, "big")
        return bytes(code)
