"""A seeded generator of bad JSON-RPC request bodies, each with the answer the node owes it.

Categories: garbage bytes, truncated JSON, bad envelopes, unknown methods, wrong parameter
types and shapes, huge numbers, unknown block tags, RLP garbage and invalid signatures in
eth_sendRawTransaction, batches mixing them, oversized batches and oversized bodies. Every
expectation is a set of JSON-RPC error codes (per call for batches) or HTTP 413.
"""

import json
import random
from dataclasses import dataclass, field

import rlp

from dev_chain import CHAIN_ID, DEV_ACCOUNTS, sign, transfer

PARSE, INVALID_REQUEST, NO_METHOD, INVALID_PARAMS, SERVER = -32700, -32600, -32601, -32602, -32000
SECP256K1_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
MAX_BATCH = 1_000          # RPCConfiguration.maxBatchSize
MAX_BODY = 5 * 1024 * 1024  # RPCConfiguration.maxRequestBytes
ANY_ID = object()  # the reply's id is not checked (a request id the node cannot represent)


@dataclass
class Case:
    category: str
    body: bytes
    # One error reply with one of these codes and this id ...
    codes: frozenset = frozenset()
    id: object = None
    # ... or, for a batch, one error per (id, codes).
    batch: list = field(default_factory=list)
    too_large: bool = False
    chunked: bool = False


def strictly_valid_json(body: bytes) -> bool:
    def refuse(_):
        raise ValueError("not JSON")
    try:
        json.loads(body.decode("utf-8"), parse_constant=refuse)
        return True
    except (ValueError, RecursionError):
        return False


class BodyGenerator:
    def __init__(self, seed: int):
        self.random = random.Random(seed)
        self.next_id = 0
        signer = DEV_ACCOUNTS[3]
        # Far-future nonces and a non-zero value: any sender a broken signature recovers to
        # has no funds, so none of these can ever be admitted.
        self.signed_dynamic = [sign(signer, transfer(10**9 + n, "0x" + "42" * 20, 1)) for n in range(4)]
        self.signed_legacy = [sign(signer, transfer(10**9 + n, "0x" + "43" * 20, 1, legacy=True)) for n in range(4)]

    # MARK: values

    def hex_bytes(self, count: int) -> str:
        return "0x" + self.random.randbytes(count).hex()

    def new_id(self):
        self.next_id += 1
        return self.next_id if self.random.random() < 0.7 else f"fuzz-{self.next_id}"

    def envelope(self, method, params, id_value) -> dict:
        return {"jsonrpc": "2.0", "id": id_value, "method": method, "params": params}

    def wrong_scalar(self):
        return self.random.choice([True, False, 0, -1, 7, 3.5, [], {}, {"a": 1}, [1, 2]])

    def bad_hex(self, valid_length: int | None) -> object:
        choices = [
            "", "0x", "0xzz", "zz", "deadbeef", "0X", "0x0g", "0x" + "1" * 3,
            self.wrong_scalar(),
        ]
        if valid_length is not None:
            choices += [self.hex_bytes(valid_length - 1), self.hex_bytes(valid_length + 1), self.hex_bytes(valid_length)[2:]]
        return self.random.choice(choices)

    def bad_quantity(self) -> object:
        return self.random.choice([
            "0x", "0x01", "0x00ff", "12", "0xg", "0x-1", self.wrong_scalar(),
            "0x1" + "0" * self.random.randint(16, 40),  # beyond 64 bits
        ])

    def bad_uint256(self) -> object:
        return self.random.choice([
            "0x", "0x0001", "0xzz", 5, True, "0x1" + "0" * self.random.randint(64, 200),  # beyond 256 bits
        ])

    def bad_tag(self) -> object:
        word = "".join(self.random.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(self.random.randint(1, 12)))
        return self.random.choice([
            word, "lastest", "Latest", "pendingg", "earliest ", "0x", "0x01", "-1", 1, True, [], "0x" + "f" * 17,
        ])

    # MARK: calls with invalid params

    def invalid_params_call(self) -> tuple[dict, frozenset]:
        """A known method with one parameter made wrong (type, shape, size or count). Each spec:
        method, most arguments it takes, valid arguments, a mutator per argument."""
        r = self.random
        address, hash32 = self.hex_bytes(20), self.hex_bytes(32)
        call_object = {"to": address, "data": "0x"}
        specs = [
            ("eth_getBalance", 2, [address, "latest"], [lambda: self.bad_hex(20), self.bad_tag]),
            ("eth_getTransactionCount", 2, [address, "latest"], [lambda: self.bad_hex(20), self.bad_tag]),
            ("eth_getCode", 2, [address, "latest"], [lambda: self.bad_hex(20), self.bad_tag]),
            ("eth_getStorageAt", 3, [address, "0x0", "latest"], [lambda: self.bad_hex(20), self.bad_uint256, self.bad_tag]),
            ("eth_getBlockByNumber", 2, ["latest", False], [self.bad_tag, lambda: r.choice(["true", 1, "0x1", {}])]),
            ("eth_getBlockByHash", 2, [hash32, False], [lambda: self.bad_hex(32), lambda: r.choice(["false", 0, []])]),
            ("eth_getTransactionByHash", 1, [hash32], [lambda: self.bad_hex(32)]),
            ("eth_getTransactionReceipt", 1, [hash32], [lambda: self.bad_hex(32)]),
            ("eth_getBlockTransactionCountByNumber", 1, ["latest"], [self.bad_tag]),
            ("eth_getTransactionByBlockNumberAndIndex", 2, ["latest", "0x0"], [self.bad_tag, self.bad_quantity]),
            ("eth_sendRawTransaction", 1, ["0x00"], [lambda: r.choice(["0x123", "0xzz", "abcd", 5, {}, [], True])]),
            ("web3_sha3", 1, ["0x"], [lambda: r.choice(["0x1", "0xqq", "text", 1, None])]),
            ("eth_call", 3, [call_object, "latest"], [self.bad_call_object, self.bad_tag]),
            ("eth_estimateGas", 3, [call_object], [self.bad_call_object]),
            ("eth_getLogs", 1, [{"fromBlock": "0x0", "toBlock": "latest"}], [self.bad_filter]),
            ("eth_feeHistory", 3, ["0x1", "latest", []], [None, self.bad_tag,
                                                      lambda: r.choice(["x", [101], [50, 10], ["a"], {}, [-1]])]),
            ("eth_getProof", 3, [address, [], "latest"], [lambda: self.bad_hex(20),
                                                       lambda: r.choice(["0x0", [self.bad_uint256()], {}, 5]),
                                                       self.bad_tag]),
        ]
        method, most, params, mutators = r.choice(specs)
        params = list(params)
        kind = r.random()
        if kind < 0.12:
            params = params + ["0x1"] * (most - len(params) + r.randint(1, 3))  # too many arguments
        elif kind < 0.2:
            params = params[:0]  # every method here has a required first argument
        elif kind < 0.26:
            params = r.choice([{"0": params[0]}, "latest", 5, True])  # params must be an array
        else:
            index = r.choice([i for i, mutate in enumerate(mutators) if mutate is not None])
            params[index] = mutators[index]()
            # Keep "missing" failures required: a null first argument is a missing one.
            if params[index] is None and index > 0:
                params[index] = "0xzz"
        return self.envelope(method, params, self.new_id()), frozenset({INVALID_PARAMS})

    def bad_call_object(self) -> object:
        r = self.random
        field_name, value = r.choice([
            ("to", self.bad_hex(20)), ("from", self.bad_hex(20)), ("gas", self.bad_quantity()),
            ("value", self.bad_uint256()), ("gasPrice", self.bad_uint256()), ("data", r.choice(["0x1", "0xzz", 7])),
            ("nonce", self.bad_quantity()), ("maxFeePerGas", self.bad_uint256()),
        ])
        if value is None:  # null means absent in a call object, which would be valid
            value = "0xzz"
        return r.choice([{"to": self.hex_bytes(20), field_name: value}, "call", 5, [], True])

    def bad_filter(self) -> object:
        r = self.random
        return r.choice([
            {"fromBlock": 5}, {"fromBlock": self.bad_tag()}, {"toBlock": "0x" + "f" * 17},
            {"address": self.bad_hex(20)}, {"address": [self.hex_bytes(20), "0x12"]}, {"topics": "x"},
            {"topics": [["0x12"]]}, {"topics": [self.hex_bytes(31)]}, {"topics": [None] * 5},
            {"blockHash": self.hex_bytes(32), "fromBlock": "0x0"}, {"blockHash": "0x12"},
            {"unknownField": 1}, "filter", 5, [],
        ])

    # MARK: categories

    def garbage(self) -> Case:
        while True:
            body = self.random.randbytes(self.random.randint(1, 600))
            if not strictly_valid_json(body):
                return Case("garbage bytes", body, frozenset({PARSE}))

    def truncated(self) -> Case:
        call, _ = self.invalid_params_call()
        text = json.dumps(call if self.random.random() < 0.6 else [call, call]).encode()
        body = text[: self.random.randint(1, len(text) - 1)]
        assert not strictly_valid_json(body)
        return Case("truncated JSON", body, frozenset({PARSE}))

    def deep_nesting(self) -> Case:
        depth = self.random.choice([600, 5_000, 100_000])
        body = ("[" * depth).encode()
        if self.random.random() < 0.5:
            # Closed: valid JSON nested past any sensible depth, inside the params.
            inner = "[" * depth + "]" * depth
            body = f'{{"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":{inner}}}'.encode()
            return Case("deep nesting", body, frozenset({PARSE, INVALID_PARAMS}), id=1)
        return Case("deep nesting", body, frozenset({PARSE}))

    def bad_envelope(self) -> Case:
        r = self.random
        choice = r.randrange(8)
        if choice == 0:
            return Case("bad envelope", json.dumps(r.choice([5, "text", True, None, 1.5])).encode(),
                        frozenset({INVALID_REQUEST}))
        if choice == 1:
            return Case("bad envelope", b"[]", frozenset({INVALID_REQUEST}))
        if choice == 2:
            bad_id = r.choice([{}, [], {"a": 1}, [1], True, False])
            call = {"jsonrpc": "2.0", "id": bad_id, "method": "eth_chainId", "params": []}
            return Case("bad envelope", json.dumps(call).encode(), frozenset({INVALID_REQUEST}))
        call_id = self.new_id()
        if choice == 3:
            call = {"id": call_id, "method": "eth_chainId"}
        elif choice == 4:
            call = {"jsonrpc": r.choice(["1.0", "2", 2.0, 2, None]), "id": call_id, "method": "eth_chainId"}
        elif choice == 5:
            call = {"jsonrpc": "2.0", "id": call_id, "method": r.choice([5, None, [], {}, True])}
        elif choice == 6:
            call = {"jsonrpc": "2.0", "id": call_id}
        else:
            name = "".join(r.choice("abcdefghijklmnopqrstuvwxyz_ÄßЖ中") for _ in range(r.randint(1, 80)))
            call = {"jsonrpc": "2.0", "id": call_id, "method": "fuzz_" + name, "params": []}
            return Case("unknown method", json.dumps(call).encode(), frozenset({NO_METHOD}), id=call_id)
        return Case("bad envelope", json.dumps(call).encode(), frozenset({INVALID_REQUEST}), id=call_id)

    def wrong_params(self) -> Case:
        call, codes = self.invalid_params_call()
        return Case("invalid params", json.dumps(call).encode(), codes, id=call["id"])

    def huge_numbers(self) -> Case:
        r = self.random
        call_id = self.new_id()
        digits = "9" * r.randint(20, 400)
        kind = r.randrange(4)
        if kind == 0:  # a JSON number where a hex quantity belongs
            body = f'{{"jsonrpc":"2.0","id":{json.dumps(call_id)},"method":"eth_getBlockByNumber","params":[{digits},false]}}'
            return Case("huge numbers", body.encode(), frozenset({INVALID_PARAMS, PARSE}), id=call_id)
        if kind == 1:  # a huge JSON number as the id (not representable: parse or invalid request)
            body = f'{{"jsonrpc":"2.0","id":{digits}e{r.randint(300, 9999)},"method":"fuzz_nothing"}}'
            return Case("huge numbers", body.encode(), frozenset({PARSE, INVALID_REQUEST, NO_METHOD}), id=ANY_ID)
        if kind == 2:
            call = self.envelope("eth_getStorageAt", [self.hex_bytes(20), "0x1" + "0" * r.randint(64, 300), "latest"], call_id)
        else:
            call = self.envelope("eth_getBlockByNumber", ["0x" + "f" * r.randint(17, 300), False], call_id)
        return Case("huge numbers", json.dumps(call).encode(), frozenset({INVALID_PARAMS}), id=call_id)

    def unknown_tag(self) -> Case:
        call_id = self.new_id()
        method = self.random.choice(["eth_getBlockByNumber", "eth_getBlockTransactionCountByNumber"])
        params = [self.bad_tag()] + ([False] if method == "eth_getBlockByNumber" else [])
        return Case("unknown block tag", json.dumps(self.envelope(method, params, call_id)).encode(),
                    frozenset({INVALID_PARAMS}), id=call_id)

    def rlp_garbage(self) -> Case:
        r = self.random
        kind = r.randrange(6)
        if kind == 0:
            raw = r.randbytes(r.randint(0, 300))
        elif kind == 1:
            raw = bytes([r.choice([1, 2, 3, 4, 0x7f])]) + r.randbytes(r.randint(0, 300))
        elif kind == 2:
            items = [r.randbytes(r.randint(0, 40)) for _ in range(r.randint(0, 14))]
            raw = bytes([r.choice([1, 2])]) + rlp.encode(items) if r.random() < 0.5 else rlp.encode(items)
        elif kind == 3:
            signed = r.choice(self.signed_dynamic + self.signed_legacy)
            raw = signed[: r.randint(0, len(signed) - 1)]  # truncated
        elif kind == 4:
            signed = bytearray(r.choice(self.signed_dynamic + self.signed_legacy))
            signed[r.randrange(len(signed))] ^= 1 << r.randrange(8)  # one flipped bit anywhere
            raw = bytes(signed)
        else:
            signed = r.choice(self.signed_dynamic)
            raw = signed + r.randbytes(r.randint(1, 20))  # trailing bytes
        call_id = self.new_id()
        return Case("RLP garbage", json.dumps(self.envelope("eth_sendRawTransaction", ["0x" + raw.hex()], call_id)).encode(),
                    frozenset({SERVER}), id=call_id)

    def invalid_signature(self) -> Case:
        r = self.random
        if r.random() < 0.6:
            fields = list(rlp.decode(r.choice(self.signed_dynamic)[1:]))
            y, rr, ss = 9, 10, 11
            prefix = b"\x02"
        else:
            fields = list(rlp.decode(r.choice(self.signed_legacy)))
            y, rr, ss = 6, 7, 8
            prefix = b""
        original = list(fields)
        mutation = r.randrange(7)
        if mutation == 0:
            fields[rr] = b""
        elif mutation == 1:
            fields[ss] = b""
        elif mutation == 2:
            fields[ss] = (SECP256K1_ORDER - int.from_bytes(fields[ss], "big")).to_bytes(32, "big").lstrip(b"\0")
        elif mutation == 3:
            fields[rr] = (SECP256K1_ORDER + r.randint(0, 1000)).to_bytes(33, "big").lstrip(b"\0")
        elif mutation == 4:
            fields[rr] = r.randbytes(32).lstrip(b"\0")  # some other point, or none
        elif mutation == 5:
            fields[y] = r.choice([b"\x02", b"\x1b\x1b", b"\x25", b"\x1d", (CHAIN_ID * 2 + 37).to_bytes(2, "big")])
        else:
            fields[ss] = r.randbytes(32).lstrip(b"\0")
        if fields == original:
            fields[rr] = b""
        raw = prefix + rlp.encode(fields)
        call_id = self.new_id()
        return Case("invalid signature", json.dumps(self.envelope("eth_sendRawTransaction", ["0x" + raw.hex()], call_id)).encode(),
                    frozenset({SERVER}), id=call_id)

    def mixed_batch(self) -> Case:
        # Calls whose faults are inside valid JSON only: one unparsable number would make the
        # whole batch a parse error instead of one error per call.
        makers = [self.wrong_params, self.unknown_tag, self.rlp_garbage, self.invalid_signature]
        calls, expected = [], []
        for _ in range(self.random.randint(2, 30)):
            case = self.random.choice(makers)()
            if case.id is None:
                continue
            calls.append(json.loads(case.body))
            expected.append((case.id, case.codes))
        if not calls:
            return self.wrong_params()
        return Case("mixed batch", json.dumps(calls).encode(), batch=expected)

    def oversized_batch(self) -> Case:
        count = MAX_BATCH + self.random.randint(1, 200)
        calls = [{"jsonrpc": "2.0", "id": n, "method": "eth_chainId"} for n in range(count)]
        return Case("oversized batch", json.dumps(calls).encode(), frozenset({INVALID_REQUEST, SERVER}))

    def oversized_body(self) -> Case:
        padding = "0" * (MAX_BODY + self.random.randint(1, 4096))
        body = f'{{"jsonrpc":"2.0","id":1,"method":"web3_sha3","params":["0x{padding}"]}}'.encode()
        return Case("oversized body", body, too_large=True, chunked=self.random.random() < 0.5)

    def cases(self, count: int, oversized_bodies: int = 4):
        weighted = [
            (self.garbage, 14), (self.truncated, 12), (self.bad_envelope, 12), (self.wrong_params, 22),
            (self.huge_numbers, 8), (self.unknown_tag, 6), (self.rlp_garbage, 12), (self.invalid_signature, 10),
            (self.mixed_batch, 4), (self.deep_nesting, 1), (self.oversized_batch, 1),
        ]
        makers = [maker for maker, weight in weighted for _ in range(weight)]
        big = set(self.random.sample(range(count), oversized_bodies))
        for index in range(count):
            yield self.oversized_body() if index in big else self.random.choice(makers)()
