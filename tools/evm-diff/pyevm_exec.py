"""Runs one generated state test case on py-evm's Cancun VM: the reference side of MLedger's
differential EVM fuzzer.

`execute(case)` takes the case dict of a GeneralStateTests entry (env, pre, transaction with one
data/gas/value each) and returns the post-state root, the logs hash, the exception (if the
transaction was invalid) and the known py-evm defects the run ran into (see DEFECTS), so that a
case touching one of them is counted as steered instead of compared.
"""
import rlp
from eth_keys import keys
from eth_utils import keccak, to_canonical_address, ValidationError

from eth.db.atomic import AtomicDB
from eth.vm.chain_context import ChainContext
from eth.vm.forks.cancun import CancunVM
from eth.vm.forks.cancun.blocks import CancunBlockHeader
from eth.vm.forks.cancun.computation import CancunComputation
from eth.vm.logic.invalid import InvalidOpcode

BLANK_ROOT = keccak(rlp.encode(b""))
CHAIN_ID = 1  # MLedger's state test runner uses chain id 1, like the ethereum/tests fillers

# py-evm 0.12.1b1 defects (what the issue lists). A case that hits one is steered: generated,
# run on py-evm, and counted apart, never compared, because py-evm's answer is the wrong one.
DEFECTS = {
    "modexp-zero-base": "MODEXP with base length 0 returns 0 even where 0^0 mod m = 1 (EIP-198)",
    "tip-above-max-fee": "a max priority fee above the max fee is accepted (EIP-1559 requires refusal)",
    "eip1559-balance": "EIP-1559 balance check: py-evm checks gas*maxFee and value apart, not their sum",
    "eip3607-sender-code": "a sender with code is accepted (EIP-3607 requires refusal)",
    "blob-no-recipient": "a blob transaction without recipient is accepted (EIP-4844 requires one)",
    "blob-seven": "a blob transaction with 7 blobs is accepted (EIP-4844 allows at most 6 per block)",
    "eip7610-storage": "CREATE onto an address with storage only is not a collision (EIP-7610)",
    # Found by this fuzzer (not in the list):
    "eip3860-intrinsic": "a create transaction's initcode word cost is charged as execution gas, not as "
                         "intrinsic gas, so a gas limit between the two is accepted (EIP-3860 refuses it)",
    "eip3860-early-refusal": "CREATE/CREATE2 with initcode over 49152 bytes that py-evm refuses for another "
                             "reason first (balance, depth 1024, nonce, address collision) pushes 0 instead of "
                             "halting the frame (EIP-3860: the size check comes before all of them)",
}


def intrinsic_gas(data, create, access_list, initcode_words=True):
    """Intrinsic gas of a Cancun transaction; EIP-3860 adds 2 per initcode word for a create."""
    g = 21000 + sum(16 if b else 4 for b in data)
    if create:
        g += 32000 + (2 * ((len(data) + 31) // 32) if initcode_words else 0)
    for e in access_list:
        g += 2400 + 1900 * len(e["storageKeys"])
    return g


def _int(h):
    return int(h, 16)


def _bytes(h):
    return bytes.fromhex(h[2:] if h.startswith("0x") else h)


def block_hash(n):
    # MLedger's state-test backend (and geth's) answer BLOCKHASH with keccak of the decimal number.
    return keccak(str(n).encode())


def header_for(env):
    return CancunBlockHeader(
        difficulty=0, block_number=_int(env["currentNumber"]), gas_limit=_int(env["currentGasLimit"]),
        timestamp=_int(env["currentTimestamp"]), coinbase=to_canonical_address(env["currentCoinbase"]),
        mix_hash=_int(env["currentRandom"]).to_bytes(32, "big"), base_fee_per_gas=_int(env["currentBaseFee"]),
        excess_blob_gas=_int(env["currentExcessBlobGas"]))


def build_state(case):
    header = header_for(case["env"])
    number = header.block_number
    # prev_hashes: most recent first, up to 256 (BLOCKHASH's window).
    prev = [block_hash(n) for n in range(number - 1, max(-1, number - 257), -1)]
    state = CancunVM.build_state(AtomicDB(), header, ChainContext(CHAIN_ID), prev)
    for addr, acc in case["pre"].items():
        a = to_canonical_address(addr)
        for k, v in acc["storage"].items():
            state.set_storage(a, _int(k), _int(v))
        state.set_nonce(a, _int(acc["nonce"]))
        state.set_code(a, _bytes(acc["code"]))
        state.set_balance(a, _int(acc["balance"]))
    state.persist()
    return state, header


def build_transaction(t):
    key = keys.PrivateKey(_bytes(t["secretKey"]))
    to = to_canonical_address(t["to"]) if t["to"] else b""
    data, gas, value = _bytes(t["data"][0]), _int(t["gasLimit"][0]), _int(t["value"][0])
    nonce = _int(t["nonce"])
    builder = CancunVM.get_transaction_builder()
    access = [(to_canonical_address(e["address"]), [_int(k) for k in e["storageKeys"]])
              for e in (t.get("accessLists") or [[]])[0] or []]
    if "blobVersionedHashes" in t:
        tx = builder.new_unsigned_blob_transaction(
            CHAIN_ID, nonce, _int(t["maxPriorityFeePerGas"]), _int(t["maxFeePerGas"]), gas, to, value, data,
            access, _int(t["maxFeePerBlobGas"]), [_bytes(h) for h in t["blobVersionedHashes"]])
    elif "maxFeePerGas" in t:
        tx = builder.new_unsigned_dynamic_fee_transaction(
            CHAIN_ID, nonce, _int(t["maxPriorityFeePerGas"]), _int(t["maxFeePerGas"]), gas, to, value, data, access)
    elif "accessLists" in t:
        tx = builder.new_unsigned_access_list_transaction(
            CHAIN_ID, nonce, _int(t["gasPrice"]), gas, to, value, data, access)
    else:
        tx = builder.create_unsigned_transaction(nonce=nonce, gas_price=_int(t["gasPrice"]), gas=gas, to=to,
                                                 value=value, data=data)
    return tx.as_signed_transaction(key, chain_id=CHAIN_ID)


def logs_hash(entries):
    return keccak(rlp.encode([[addr, [t.to_bytes(32, "big") for t in topics], data]
                              for addr, topics, data in entries]))


class _Hooks:
    """Wraps py-evm's opcode table and the MODEXP and CREATE paths for one run: records a
    struct-log-like trace when asked, and notes the known defects the run touches."""

    def __init__(self, trace):
        self.trace = [] if trace else None
        self.defects = set()

    def __enter__(self):
        self.saved_ops = CancunComputation.opcodes
        self.saved_pre = CancunComputation._precompiles
        ops = {}
        for code in range(256):
            fn = self.saved_ops.get(code) or InvalidOpcode(code)
            ops[code] = self._wrap(code, fn)
        CancunComputation.opcodes = ops
        pre = dict(self.saved_pre)
        modexp = pre[b"\x00" * 19 + b"\x05"]

        def watched_modexp(computation):
            d = computation.msg.data_as_bytes
            blen = int.from_bytes(d[:32].ljust(32, b"\0"), "big")
            mlen = int.from_bytes(d[64:96].ljust(32, b"\0"), "big")
            if blen == 0 and mlen > 0:
                self.defects.add("modexp-zero-base")
            return modexp(computation)
        pre[b"\x00" * 19 + b"\x05"] = watched_modexp
        CancunComputation._precompiles = pre
        return self

    def __exit__(self, *exc):
        CancunComputation.opcodes = self.saved_ops
        CancunComputation._precompiles = self.saved_pre

    def _wrap(self, code, fn):
        hooks = self

        def run(computation):
            if code in (0xF0, 0xF5):
                hooks._check_create(computation, code)
            if hooks.trace is not None and len(computation.code):
                # Past the end py-evm yields STOP without moving its counter; geth-style
                # traces (MLedger's StructLogger) put that implicit STOP at pc = code length.
                # Code-less frames run no instruction in those traces, so none is recorded.
                pc = computation.code.program_counter - 1
                raw = computation.code._raw_code_bytes
                if code == 0 and (pc >= len(raw) or raw[pc] != 0):
                    pc = len(raw)
                st = computation._stack.values
                hooks.trace.append({
                    "pc": pc, "op": code,
                    "gas": computation.get_gas_remaining(), "depth": computation.msg.depth + 1,
                    "stack": [hex(v if isinstance(v, int) else int.from_bytes(v, "big")) for v in st[-4:]][::-1],
                    "height": len(st)})
            return fn(computation=computation)
        return run

    def _check_create(self, computation, code):
        # EIP-7610: only worth knowing when the new address has storage but no code or nonce.
        st = computation._stack.values
        need = 4 if code == 0xF5 else 3
        if len(st) < need:
            return
        vals = [v if isinstance(v, int) else int.from_bytes(v, "big") for v in st[-need:]][::-1]
        me = computation.msg.storage_address
        state = computation.state
        endowment, size = vals[0], vals[2]
        refused = (state.get_balance(me) < endowment or computation.msg.depth + 1 > 1024
                   or state.get_nonce(me) + 1 > 2 ** 64 - 1)
        if size > 49152 and refused:
            self.defects.add("eip3860-early-refusal")
        if code == 0xF0:
            from eth._utils.address import generate_contract_address
            addr = generate_contract_address(me, state.get_nonce(me))
        else:
            from eth._utils.address import generate_safe_contract_address
            off, size, salt = vals[1], vals[2], vals[3]
            if size > 1 << 20 or off > 1 << 24:
                return
            initcode = bytes(computation._memory._bytes[off:off + size]).ljust(size, b"\0")
            addr = generate_safe_contract_address(me, salt, initcode)
        if size > 49152 and state.has_code_or_nonce(addr):
            self.defects.add("eip3860-early-refusal")  # the collision check also comes first in py-evm
        # Storage of the committed pre-state is all that can be there: storage written in this
        # transaction always belongs to an account that has code.
        if not state.has_code_or_nonce(addr) and state._account_db._get_storage_root(addr) != BLANK_ROOT:
            self.defects.add("eip7610-storage")


def static_defects(case):
    """The transaction-level defects, known before running."""
    t, found = case["transaction"], set()
    sender_code = case["pre"].get(t["sender"], {}).get("code", "0x")
    if sender_code not in ("0x", ""):
        found.add("eip3607-sender-code")
    if "maxFeePerGas" in t:
        max_fee, tip = _int(t["maxFeePerGas"]), _int(t["maxPriorityFeePerGas"])
        if tip > max_fee:
            found.add("tip-above-max-fee")
        balance = _int(case["pre"].get(t["sender"], {}).get("balance", "0x0"))
        need = _int(t["gasLimit"][0]) * max_fee + _int(t["value"][0])
        if "blobVersionedHashes" in t:
            need += 131072 * len(t["blobVersionedHashes"]) * _int(t["maxFeePerBlobGas"])
        if balance < need:
            found.add("eip1559-balance")
    if not t["to"]:
        data, al = _bytes(t["data"][0]), (t.get("accessLists") or [[]])[0] or []
        gas = _int(t["gasLimit"][0])
        if intrinsic_gas(data, True, al, initcode_words=False) <= gas < intrinsic_gas(data, True, al):
            found.add("eip3860-intrinsic")
    if "blobVersionedHashes" in t:
        if not t["to"]:
            found.add("blob-no-recipient")
        if len(t["blobVersionedHashes"]) > 6:
            found.add("blob-seven")
    return found


def execute(case, trace=False):
    """Runs the case's transaction; returns dict(hash, logs, exception, defects, trace, gas_used)."""
    state, header = build_state(case)
    pre_root = state.state_root
    defects = static_defects(case)
    out = {"exception": None, "trace": None, "gas_used": None}
    with _Hooks(trace) as hooks:
        try:
            tx = build_transaction(case["transaction"])
            # What CancunVM.validate_transaction_against_header checks for a single-transaction block.
            if tx.gas > header.gas_limit:
                raise ValidationError("transaction gas above the block gas limit")
            computation = state.apply_transaction(tx)
            state.persist()
            out["hash"] = state.state_root
            out["logs"] = logs_hash(computation.get_log_entries())
            # Shown beside MLedger's gas used when a case diverges (EIP-3529 caps refunds at 1/5).
            out["gas_used"] = tx.gas - computation.get_gas_remaining() - min(
                computation.get_gas_refund(), (tx.gas - computation.get_gas_remaining()) // 5)
        except ValidationError as e:
            # Only a refused transaction lands here; any other py-evm exception is a crash of the
            # reference and propagates to the generator, which counts it apart.
            out["exception"] = "TR_" + type(e).__name__ + ": " + str(e)[:120]
            out["hash"] = pre_root
            out["logs"] = logs_hash([])
        out["trace"] = hooks.trace
        defects |= hooks.defects
    out["defects"] = sorted(defects)
    out["state"] = state
    return out


def describe(state, query):
    """The post-state of the queried accounts ({address: [storage keys]}) as hex strings; None
    for an account that does not exist."""
    post = {}
    for addr, keys_ in query.items():
        a = to_canonical_address(addr)
        if not state.account_exists(a):
            post[addr] = None
            continue
        post[addr] = {"balance": hex(state.get_balance(a)), "nonce": hex(state.get_nonce(a)),
                      "codeHash": "0x" + state.get_code_hash(a).hex(),
                      "storage": {k: hex(state.get_storage(a, _int(k))) for k in keys_}}
    return post
