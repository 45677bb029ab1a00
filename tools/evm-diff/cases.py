"""One random Cancun state test case: block environment, pre-state (contracts from programs.py),
and a transaction of any type (legacy, EIP-2930, EIP-1559, EIP-4844; call or create) with access
lists, edge gas limits, fees, values and nonces, a few of them invalid on purpose."""
import random

from eth_keys import keys
from eth_utils import keccak
import rlp

import programs
import inputs
from pyevm_exec import intrinsic_gas

SECRET = bytes.fromhex("45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8")
SENDER = keys.PrivateKey(SECRET).public_key.to_canonical_address()


def addr(n):
    return f"0x{n:040x}"


MAIN = [addr(0xC0DE00 + i) for i in range(4)]  # levels 0-3: a program calls only deeper levels
RECURSE = addr(0xC0DE10)
EOA = addr(0xE0A000)
NOBODY = addr(0xDEAD00)
PRECOMPILES = [addr(i) for i in range(1, 11)] + [addr(0x0B), addr(0x100)]  # the last two: none in Cancun


def hx(v):
    return hex(v)


class World:
    def __init__(self, r, number, coinbase):
        self.number = number
        self.coinbase = coinbase
        self.sender = "0x" + SENDER.hex()
        self.addresses = MAIN + [RECURSE, EOA, NOBODY, coinbase, self.sender] + PRECOMPILES
        self.last_initcode = None

    def callee(self, r, level):
        k = r.randrange(10)
        if k < 4 and level < 3:
            return r.choice(MAIN[level + 1:])
        if k < 5:
            return RECURSE
        if k < 8:
            return r.choice(PRECOMPILES)
        if k < 9 or level == 0:
            return r.choice([EOA, NOBODY, self.coinbase, self.sender])
        return MAIN[0]  # re-entry: MAIN lets itself be entered twice


def access_list(r):
    out = []
    for _ in range(r.choice([0, 0, 1, 2, 3])):
        a = r.choice(MAIN + [RECURSE, NOBODY, EOA] + PRECOMPILES[:3])
        keys_ = [hx(r.choice([0, 1, 2, 3, 0x101, r.getrandbits(256)])) for _ in range(r.choice([0, 1, 2]))]
        out.append({"address": a, "storageKeys": ["0x%064x" % int(k, 16) for k in keys_]})
    return out


def storage(r):
    # Original values 0, 1 and other: the SSTORE gas and refund cases (EIP-2200, EIP-3529).
    return {hx(s): hx(r.choice([1, 2, r.getrandbits(256)])) for s in range(4) if r.random() < 0.5}


def make_case(seed, index):
    r = random.Random(f"mledger-evm-diff/{seed}/{index}")
    number = r.choice([1, 2, 255, 256, 257, r.randrange(1, 1 << 20)])
    coinbase = r.choice([addr(0xC0FFEE), EOA, MAIN[1]])
    world = World(r, number, coinbase)
    base_fee = r.choice([0, 7, 10, r.randrange(1, 1000)])
    excess_blob = r.choice([0, 0, 393216, 10_000_000, r.randrange(1 << 24)])
    env = {
        "currentCoinbase": coinbase, "currentDifficulty": "0x0", "currentGasLimit": hx(r.choice([1 << 52] * 5 + [30_000_000])),
        "currentNumber": hx(number), "currentTimestamp": hx(r.randrange(1, 1 << 40)),
        "currentRandom": "0x%064x" % r.getrandbits(256), "currentBaseFee": hx(base_fee),
        "currentExcessBlobGas": hx(excess_blob),
    }

    pre = {}
    for level, a in enumerate(MAIN):
        ctx = programs.Context(r, world, level, 0x100 * (level + 1))
        code = programs.program(ctx, r.randrange(2 + 4 * (level == 0), 16 - 3 * level), reentry_guard=level == 0)
        pre[a] = {"balance": hx(r.choice([0, 1, 10 ** 18])), "code": "0x" + code.hex(), "nonce": hx(r.choice([0, 1, 5])),
                  "storage": storage(r)}
    # Past the 1024 call-depth limit now and then only: py-evm needs seconds for 1024 frames.
    limit = 1100 if r.random() < 0.005 else r.choice([1, 2, 5, 30, 200])
    deep = limit == 1100  # the transaction goes straight to RECURSE with gas for 1024 frames
    pre[RECURSE] = {"balance": hx(r.choice([0, 10])), "code": "0x" + programs.recursive(r, world, limit).hex(),
                    "nonce": "0x1", "storage": {}}
    pre[EOA] = {"balance": hx(10 ** 18), "code": "0x", "nonce": "0x3", "storage": {}}
    if coinbase not in pre and r.random() < 0.5:
        pre[coinbase] = {"balance": hx(r.randrange(1, 1000)), "code": "0x", "nonce": "0x0", "storage": {}}
    if r.random() < 0.15:  # a CREATE collision: MAIN's next CREATE address already has a nonce or code
        n = int(pre[MAIN[0]]["nonce"], 16)
        target = "0x" + keccak(rlp.encode([bytes.fromhex(MAIN[0][2:]), n]))[12:].hex()
        pre[target] = {"balance": "0x0", "code": r.choice(["0x", "0x00"]), "nonce": hx(r.choice([0, 1])),
                       "storage": {}}
        if pre[target]["code"] == "0x" and pre[target]["nonce"] == "0x0":
            pre[target]["nonce"] = "0x1"  # storage-only collisions are EIP-7610, a py-evm defect

    tx_type = r.choice([0, 1, 2, 2, 3])
    create = tx_type != 3 and r.random() < 0.12 and not deep
    if create:
        ctx = programs.Context(r, world, 0, 0x900)
        runtime = programs.program(ctx, r.randrange(0, 5))
        init = programs.Asm()
        for _ in range(r.randrange(0, 4)):
            programs.snippet(init, programs.Context(r, world, 1, 0xA00))
        init.copy_to_memory(runtime, 0).push(len(runtime)).push(0).op("RETURN")
        data = init.build()
        to = ""
    else:
        k = r.randrange(10)
        to = MAIN[0] if k < 7 else (RECURSE if k == 7 else r.choice(PRECOMPILES + [EOA, NOBODY]))
        if deep:
            to = RECURSE
        pre_n = int(to, 16)
        data = inputs.precompile_input(r, pre_n) if 1 <= pre_n <= 10 else r.randbytes(r.choice([0, 0, 4, 32, 68]))
    al = access_list(r) if tx_type >= 1 else []
    intrinsic = intrinsic_gas(data, create, al)
    gas = r.choice([intrinsic, intrinsic + r.randrange(1, 5000), 100_000, 1_000_000, 5_000_000, 16_000_000])
    if deep:
        gas = 1 << 40  # (63/64)^1024 is about 1e-7: what reaches the bottom is about 100k gas
        env["currentGasLimit"] = hx(1 << 52)
    if r.random() < 0.03:
        gas = intrinsic - 1  # refused: below the intrinsic gas
    value = r.choice([0, 0, 1, 10 ** 9, 10 ** 18])

    nonce = r.choice([0, 1, 7])
    tx_nonce = nonce if r.random() > 0.03 else r.choice([nonce + 1, nonce - 1 if nonce else 2 ** 64 - 1])
    tx = {"data": ["0x" + data.hex()], "gasLimit": [hx(gas)], "value": [hx(value)], "nonce": hx(tx_nonce),
          "secretKey": "0x" + SECRET.hex(), "sender": world.sender, "to": to}
    price_cap = base_fee + r.choice([0, 1, 100])
    if tx_type <= 1:
        tx["gasPrice"] = hx(price_cap if r.random() > 0.03 else max(0, base_fee - 1))
    else:
        max_fee = price_cap if r.random() > 0.03 else max(0, base_fee - 1)
        tip = r.choice([0, 1, max_fee])
        if r.random() < 0.02:
            tip = max_fee + 1  # a py-evm defect: steered, never compared
        tx["maxFeePerGas"], tx["maxPriorityFeePerGas"] = hx(max_fee), hx(tip)
    if tx_type >= 1:
        tx["accessLists"] = [al]
    if tx_type == 3:
        n_blobs = r.choice([1, 1, 2, 3, 6])
        if r.random() < 0.03:
            n_blobs = r.choice([0, 7])
        hashes = [b"\x01" + r.randbytes(31) for _ in range(n_blobs)]
        if hashes and r.random() < 0.03:
            hashes[0] = b"\x00" + hashes[0][1:]  # not a KZG versioned hash
        if r.random() < 0.5 and hashes:  # the point-evaluation hash, so 0x0a can succeed with BLOBHASH input
            hashes[-1] = inputs.versioned_hash(b"\xc0" + b"\0" * 47)
        tx["blobVersionedHashes"] = ["0x" + h.hex() for h in hashes]
        tx["maxFeePerBlobGas"] = hx(r.choice([1, 2, 100, 10 ** 6]))

    # The sender: rich, or with just about what the transaction costs.
    cost = gas * int(tx.get("maxFeePerGas", tx.get("gasPrice", "0x0")), 16) + value
    if tx_type == 3:
        cost += 131072 * len(tx["blobVersionedHashes"]) * int(tx["maxFeePerBlobGas"], 16)
    balance = r.choice([10 ** 30, 10 ** 30, cost, cost + 1, max(0, cost - 1)]) if r.random() < 0.1 else 10 ** 30
    sender = {"balance": hx(balance), "code": "0x", "nonce": hx(nonce), "storage": {}}
    if r.random() < 0.01:
        sender["code"] = "0x00"  # EIP-3607: a py-evm defect, steered
    pre[world.sender] = sender

    return {"env": env, "pre": pre, "transaction": tx}
