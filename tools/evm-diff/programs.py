"""Random contract programs for the differential fuzzer.

A program is a sequence of snippets, each stack-neutral (it stores what it computed with SSTORE,
logs it or pops it), so that any snippet may follow any other and every computed value reaches
the post-state root or the logs hash, where the two EVMs are compared. A program ends with a
terminator: STOP, RETURN, REVERT, INVALID, SELFDESTRUCT, an undefined opcode, a stack underflow,
a bad jump, an endless loop (out of gas) or simply the end of the code.
"""
from eth_utils import keccak

from asm import Asm, OPS, UNDEFINED
import inputs

PURE = ["ADD", "MUL", "SUB", "DIV", "SDIV", "MOD", "SMOD", "ADDMOD", "MULMOD", "EXP", "SIGNEXTEND", "LT", "GT",
        "SLT", "SGT", "EQ", "ISZERO", "AND", "OR", "XOR", "NOT", "BYTE", "SHL", "SHR", "SAR"]
NULLARY_ENV = ["ADDRESS", "ORIGIN", "CALLER", "CALLVALUE", "CALLDATASIZE", "CODESIZE", "GASPRICE",
               "RETURNDATASIZE", "COINBASE", "TIMESTAMP", "NUMBER", "PREVRANDAO", "GASLIMIT", "CHAINID",
               "SELFBALANCE", "BASEFEE", "BLOBBASEFEE", "PC", "MSIZE", "GAS"]
M = (1 << 256) - 1
EDGE = [0, 1, 2, 3, 7, 8, 31, 32, 33, 63, 64, 255, 256, 257, (1 << 64) - 1, 1 << 64, 1 << 128, (1 << 255) - 1,
        1 << 255, (1 << 255) + 1, M - 1, M]


class Context:
    """What a program may refer to: the case's addresses and block, and the program's own
    counters (next storage slot, stack height, recursion budget)."""

    def __init__(self, r, world, level, slot_base):
        self.r, self.world, self.level = r, world, level
        self.slot = slot_base
        self.height = 0
        self.snippets_left = 0

    def next_slot(self):
        self.slot += 1
        return self.slot


def operand(ctx):
    r = ctx.r
    k = r.randrange(10)
    if k < 4:
        return r.choice(EDGE)
    if k < 6:
        return r.randrange(70)
    if k < 8:
        return r.getrandbits(r.choice([8, 64, 160, 256]))
    return int(r.choice(ctx.world.addresses), 16)


def mem_offset(ctx):
    r = ctx.r
    k = r.randrange(40)
    if k == 0:
        return r.choice([1 << 16, 1 << 20, 1 << 32, 1 << 64, M])  # expensive or impossible expansion
    return r.randrange(0, 300)


def mem_size(ctx):
    r = ctx.r
    k = r.randrange(40)
    if k == 0:
        return r.choice([1 << 15, 1 << 32, M])
    if k < 4:
        return 0  # a zero size never expands memory, whatever the offset
    return r.randrange(1, 100)


def sink(asm, ctx):
    """Consumes the value on top of the stack so that it shows in the state or the logs."""
    k = ctx.r.randrange(10)
    if k < 8:
        asm.push(ctx.next_slot()).op("SSTORE")
    elif k == 8:
        asm.push(0).push(0).op("LOG1")
    else:
        asm.op("POP")


def s_pure(asm, ctx):
    name = ctx.r.choice(PURE)
    for _ in range(OPS[name][1]):
        asm.push(operand(ctx))
    asm.op(name)
    sink(asm, ctx)


def s_env(asm, ctx):
    r = ctx.r
    k = r.randrange(8)
    if k < 3:
        asm.op(r.choice(NULLARY_ENV))
    elif k == 3:
        asm.push(int(r.choice(ctx.world.addresses), 16)).op(r.choice(["BALANCE", "EXTCODESIZE", "EXTCODEHASH"]))
    elif k == 4:
        n = ctx.world.number
        asm.push(r.choice([n, n - 1, n - 2, n - 256, n - 257, n + 1, 0, M, r.randrange(n + 2)]) % (1 << 256))
        asm.op("BLOCKHASH")
    elif k == 5:
        asm.push(r.choice([0, 1, 2, 5, 6, 7, M, 1 << 64])).op("BLOBHASH")
    elif k == 6:
        asm.push(r.choice([0, 1, 4, 31, 32, 33, 100, M])).op("CALLDATALOAD")
    else:
        asm.push(operand(ctx)).op(r.choice(["BALANCE", "EXTCODESIZE", "EXTCODEHASH"]))
    sink(asm, ctx)


def s_memory(asm, ctx):
    r = ctx.r
    k = r.randrange(9)
    if k == 0:
        asm.push(operand(ctx)).push(mem_offset(ctx)).op(r.choice(["MSTORE", "MSTORE8"]))
    elif k == 1:
        asm.push(mem_offset(ctx)).op("MLOAD")
        sink(asm, ctx)
    elif k == 2:  # MCOPY, overlapping either way (EIP-5656)
        asm.push(mem_size(ctx)).push(mem_offset(ctx)).push(mem_offset(ctx)).op("MCOPY")
    elif k == 3:
        asm.push(mem_size(ctx)).push(mem_offset(ctx)).op("SHA3")
        sink(asm, ctx)
    elif k == 4:
        asm.push(mem_size(ctx)).push(r.choice([0, 1, 40, M])).push(mem_offset(ctx)).op("CALLDATACOPY")
    elif k == 5:
        asm.push(mem_size(ctx)).push(r.choice([0, 5, 1000, M])).push(mem_offset(ctx)).op("CODECOPY")
    elif k == 6:
        asm.push(mem_size(ctx)).push(r.choice([0, 3, M])).push(mem_offset(ctx))
        asm.push(int(r.choice(ctx.world.addresses), 16)).op("EXTCODECOPY")
    elif k == 7:  # out of range copies halt the frame (EIP-211)
        bad = r.random() < 0.2
        asm.push(r.choice([0, 1, 32, 33] if bad else [0, 0, 1])).push(r.choice([1, 32, M] if bad else [0]))
        asm.push(mem_offset(ctx))
        asm.op("RETURNDATACOPY")
    else:
        asm.op("MSIZE")
        sink(asm, ctx)


def s_storage(asm, ctx):
    r = ctx.r
    k = r.randrange(6)
    slot = r.choice([0, 1, 2, 3, r.randrange(8), ctx.slot, M])
    if k < 2:  # SSTORE over original values: the EIP-2200/3529 gas and refund cases
        asm.push(r.choice([0, 0, 1, 2, operand(ctx)])).push(slot).op("SSTORE")
    elif k == 2:
        asm.push(slot).op("SLOAD")
        sink(asm, ctx)
    elif k == 3:
        asm.push(r.choice([0, 1, operand(ctx)])).push(slot).op("TSTORE")
    elif k == 4:
        asm.push(slot).op("TLOAD")
        sink(asm, ctx)
    else:
        asm.push(slot).op("SLOAD").push(r.randrange(3)).op("ADD").push(slot).op("SSTORE")


def s_log(asm, ctx):
    n = ctx.r.randrange(5)
    for _ in range(n):
        asm.push(operand(ctx))
    asm.push(mem_size(ctx)).push(mem_offset(ctx)).op(f"LOG{n}")


def s_stack(asm, ctx):
    """PUSHn of every width, DUPn and SWAPn over a temporarily deeper stack."""
    r = ctx.r
    depth = r.choice([17, 17, r.randrange(1, 18)])  # deep enough for DUP16 and SWAP16 most times
    for _ in range(depth):
        width = r.randrange(0, 33)
        if width == 0:
            asm.op("PUSH0")
        else:
            asm.push(r.getrandbits(8 * width), width)
    height = depth
    for _ in range(r.randrange(1, 4)):
        if r.random() < 0.5:
            asm.op(f"DUP{r.randrange(1, min(16, height) + 1)}")
            height += 1
        elif height >= 2:
            asm.op(f"SWAP{r.randrange(1, min(16, height - 1) + 1)}")
    for _ in range(height - 1):
        asm.op("POP")
    sink(asm, ctx)


def s_jump(asm, ctx):
    r = ctx.r
    label = f"j{len(asm.code)}"
    if r.random() < 0.5:
        asm.push_label(label).op("JUMP")
    else:
        asm.push(r.choice([0, 1, operand(ctx)])).push_label(label).op("JUMPI")
    asm.raw([r.choice([0x5B, 0x00, 0x01, 0xFE]) for _ in range(r.randrange(3))])
    asm.label(label)


def s_loop(asm, ctx):
    """A bounded loop: gas burnt step by step (and out of gas when it runs short)."""
    n = ctx.r.choice([2, 10, 100, 1000])
    top = f"l{len(asm.code)}"
    asm.push(n).label(top).push(1).op("SWAP1").op("SUB").op("DUP1").push_label(top).op("JUMPI").op("POP")


def spin(asm, label):
    """An endless loop that runs out of gas in a few thousand steps: each turn hashes 32 KiB.
    With more than 20M gas left it gives up at once (a transaction may carry 2^40 gas for the
    deep-recursion cases, and py-evm would spin for hours); what follows it then runs."""
    asm.label(label).op("GAS").push(20_000_000).op("LT").push_label(label + "x").op("JUMPI")
    asm.push(0x8000).push(0).op("SHA3").op("POP").push_label(label).op("JUMP")
    asm.label(label + "x")


def call_gas(asm, ctx):
    r = ctx.r
    k = r.randrange(8)
    if k == 0:
        asm.op("GAS")
    elif k == 1:
        asm.push(2).op("GAS").op("DIV")
    else:
        asm.push(r.choice([0, 1, 2300, 5000, 30000, 100000, r.randrange(200000), M]))


def s_call(asm, ctx):
    r = ctx.r
    w = ctx.world
    kind = r.choice(["CALL", "CALL", "CALLCODE", "DELEGATECALL", "STATICCALL"])
    target = w.callee(r, ctx.level)
    in_off, out_off = 0x400, r.choice([0, 0x500, 0x40])
    pre = int(target, 16)
    if 1 <= pre <= 10 and r.random() < 0.8:
        data = inputs.precompile_input(r, pre)
        in_len = len(data)
        if data:
            asm.copy_to_memory(data, in_off)
    else:
        data = r.randbytes(r.choice([0, 4, 32, 36, 100]))
        in_len = len(data)
        if data:
            asm.copy_to_memory(data, in_off)
    asm.push(r.choice([0, 32, 64, 100])).push(out_off).push(in_len).push(in_off)
    if kind in ("CALL", "CALLCODE"):
        asm.push(r.choice([0, 0, 1, 1000, 10 ** 18, M]))
    asm.push(pre)
    call_gas(asm, ctx)
    asm.op(kind)
    sink(asm, ctx)
    asm.op("RETURNDATASIZE")
    sink(asm, ctx)
    if r.random() < 0.5:
        asm.push(out_off).op("MLOAD")
        sink(asm, ctx)


def initcode(ctx):
    """Initcode of one of the kinds CREATE and CREATE2 must handle."""
    r = ctx.r
    k = r.randrange(12)
    a = Asm()
    if k <= 4:  # deploys a random runtime, after some work of its own
        sub = Context(r, ctx.world, ctx.level + 1, 0x2000 * (ctx.level + 2))
        runtime = program(sub, r.randrange(0, 4)) if r.random() < 0.6 else bytes([0x60, 0x01, 0x60, 0x00, 0x55])
        if k == 4:
            sub2 = Context(r, ctx.world, ctx.level + 1, 0x3000)
            for _ in range(r.randrange(1, 4)):
                snippet(a, sub2)
        a.copy_to_memory(runtime, 0).push(len(runtime)).push(0).op("RETURN")
    elif k == 5:
        a.push(r.randrange(1 << 64)).push(0).op("MSTORE").push(r.choice([0, 8, 32])).push(0).op("REVERT")
    elif k == 6:
        a.op("INVALID")
    elif k == 7:  # deposits code starting with 0xEF (EIP-3541) or over 24576 bytes (EIP-170)
        if r.random() < 0.5:
            a.push(0xEF).push(0).op("MSTORE8").push(r.choice([1, 2])).push(0).op("RETURN")
        else:
            a.push(r.choice([24576, 24577])).push(0).op("RETURN")
    elif k == 8:  # EIP-6780: destroyed in the transaction that created it
        a.push(int(r.choice(ctx.world.addresses), 16)).op("SELFDESTRUCT")
    elif k == 9:
        return b""
    elif k == 10:
        spin(a, "spin")
        a.op("INVALID")
    else:  # creates again from inside the initcode
        inner = bytes([0x60, 0x2A, 0x60, 0x00, 0x53, 0x60, 0x01, 0x60, 0x00, 0xF3])  # returns 0x2a
        a.copy_to_memory(inner, 0).push(len(inner)).push(0).push(r.choice([0, 1])).op("CREATE")
        a.push(0).op("SSTORE")
    return a.build()


def s_create(asm, ctx):
    r = ctx.r
    w = ctx.world
    reuse = w.last_initcode is not None and r.random() < 0.3
    code = w.last_initcode if reuse else initcode(ctx)
    w.last_initcode = code
    if code:
        asm.copy_to_memory(code, 0x800)
    size = len(code)
    if r.random() < 0.04:
        size = r.choice([49152, 49153])  # EIP-3860 initcode limit
    use2 = r.random() < 0.5
    salt = r.choice([0, 1, 2]) if reuse or r.random() < 0.7 else r.getrandbits(256)
    if use2:
        asm.push(salt)
    asm.push(size).push(0x800).push(r.choice([0, 0, 1, 10 ** 18, M]))
    asm.op("CREATE2" if use2 else "CREATE")
    if r.random() < 0.4:  # call what was created (it may self-destruct: EIP-6780)
        asm.push(0).push(0).push(0).push(0).push(r.choice([0, 1])).op("DUP6").op("GAS").op("CALL")
        sink(asm, ctx)
    sink(asm, ctx)
    if use2 and size == len(code) and r.random() < 0.6:
        touch_create2_address(asm, ctx, salt, code)


def touch_create2_address(asm, ctx, salt, code):
    """EIP-2929 after CREATE2, whether it succeeded, was refused by its early checks (value above
    the balance, depth, nonce: the address must stay cold) or collided (warm): computes the
    would-be address on chain, keccak256(0xff ++ ADDRESS ++ salt ++ keccak256(initcode)), reads
    it, and stores GAS so the access's warm or cold price reaches the state root."""
    asm.op("ADDRESS").push(0x700).op("MSTORE")  # the address lands in bytes 0x70c..0x71f
    asm.push(0xFF).push(0x70B).op("MSTORE8")
    asm.push(salt).push(0x720).op("MSTORE")
    asm.push(int.from_bytes(keccak(code), "big")).push(0x740).op("MSTORE")
    asm.push(85).push(0x70B).op("SHA3").push((1 << 160) - 1).op("AND")
    asm.op(ctx.r.choice(["EXTCODESIZE", "BALANCE", "EXTCODEHASH"]))
    sink(asm, ctx)
    asm.op("GAS").push(ctx.next_slot()).op("SSTORE")


SNIPPETS = [(s_pure, 6), (s_env, 4), (s_memory, 4), (s_storage, 4), (s_log, 2), (s_stack, 3), (s_jump, 1),
            (s_loop, 1), (s_call, 5), (s_create, 2)]
_TOTAL = sum(wt for _, wt in SNIPPETS)


def snippet(asm, ctx):
    x = ctx.r.randrange(_TOTAL)
    for fn, wt in SNIPPETS:
        if x < wt:
            if fn in (s_call, s_create) and ctx.level >= 3:
                fn = s_pure  # keeps nesting (and generation time) bounded
            return fn(asm, ctx)
        x -= wt


def terminator(asm, ctx):
    r = ctx.r
    k = r.randrange(14)
    if k < 3:
        asm.op("STOP")
    elif k < 5:
        asm.push(mem_size(ctx) if r.random() < 0.3 else r.randrange(65)).push(r.randrange(64)).op("RETURN")
    elif k < 7:
        asm.push(r.randrange(65)).push(r.randrange(64)).op("REVERT")
    elif k == 7:
        asm.op("INVALID")
    elif k == 8:
        asm.push(int(r.choice(ctx.world.addresses), 16)).op("SELFDESTRUCT")
    elif k == 9:
        asm.raw([r.choice(UNDEFINED)])
    elif k == 10:
        asm.op(r.choice(["ADD", "SSTORE", "CALL", "LOG4", "DUP3", "SWAP2"]))  # stack underflow
    elif k == 11:
        asm.push(r.choice([1, 3, len(asm.code) + 2, 0xFFFF, M])).op("JUMP")  # not a JUMPDEST
    elif k == 12:
        if r.random() < 0.5:
            spin(asm, "forever")
            asm.op("INVALID")
        else:  # pushes until the 1025th item: stack overflow
            asm.label("grow").op("PUSH0").push_label("grow").op("JUMP")
    # k == 13: the code just ends (an implicit STOP)


def program(ctx, n, reentry_guard=False):
    asm = Asm()
    if reentry_guard:
        # MAIN may be re-entered once from a deeper contract; a third entry stops at once.
        # The counter is transient storage, so a reverted entry does not count (EIP-1153).
        asm.push(0xEE).op("TLOAD").push(1).op("ADD").op("DUP1").push(0xEE).op("TSTORE")
        asm.push(3).op("SWAP1").op("LT").push_label("entered").op("JUMPI").op("STOP").label("entered")
    for _ in range(n):
        snippet(asm, ctx)
    terminator(asm, ctx)
    return asm.build()


def recursive(r, world, limit):
    """A contract that calls itself until a transient counter reaches `limit` (up to past the
    1024 call-depth limit), then does random work and ends at random: reverts and out-of-gas at
    any depth."""
    asm = Asm()
    asm.push(0xC0).op("TLOAD").push(1).op("ADD").op("DUP1").push(0xC0).op("TSTORE")
    asm.push(limit).op("DUP2").op("LT").op("ISZERO").push_label("bottom").op("JUMPI")
    asm.push(0).push(0).push(0).push(0).push(r.choice([0, 0, 1])).op("ADDRESS").op("GAS")
    asm.op(r.choice(["CALL", "CALL", "CALLCODE"]))
    if r.random() < 0.3:  # records each level's call result
        asm.op("SWAP1").push(0x1000).op("ADD").op("SSTORE")
    else:
        asm.op("POP").op("POP")
    if r.random() < 0.3:  # every level reverts after its child returned
        asm.push(0).push(0).op("REVERT")
    asm.op("STOP")
    asm.label("bottom").op("POP")
    ctx = Context(r, world, 3, 0x4000)
    for _ in range(r.randrange(0, 4)):
        snippet(asm, ctx)
    terminator(asm, ctx)
    return asm.build()
