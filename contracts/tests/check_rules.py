#!/usr/bin/env python3
"""Deploys the committed MLedger contract artifacts on py-evm (Cancun) and checks the on-chain rules.

    tools/.venv/bin/python contracts/tests/check_rules.py

Needs py-evm and eth-abi (tools/requirements.txt). Prints one line per check and
`[ContractRules] N passed, M failed`; exits 1 on any failure. ContractsTests runs it when
MLEDGER_PYTHON has both packages.
"""
import json
import os
import sys

from eth.chains.base import MiningChain
from eth.db.atomic import AtomicDB
from eth.tools.builder.chain import build, cancun_at, chain_id, disable_pow_check, genesis
from eth.vm.spoof import SpoofTransaction
from eth_abi import decode, encode
from eth_keys import keys
from eth_utils import keccak

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHAIN_ID = 1337
GAS_PRICE = 10**10


def load(name):
    with open(os.path.join(ROOT, "contracts", "build", name + ".json")) as f:
        return json.load(f)


DATASET, MODEL = load("DatasetRecord"), load("ModelRecord")


def types_of(params):
    out = []
    for p in params:
        t = p["type"]
        if t.startswith("tuple"):
            t = "(" + ",".join(types_of(p["components"])) + ")" + t[5:]
        out.append(t)
    return out


def function(artifact, name):
    for entry in artifact["abi"]:
        if entry.get("type") == "function" and entry["name"] == name:
            return entry
    raise KeyError(name)


def constructor_types(artifact):
    return types_of(next(e for e in artifact["abi"] if e["type"] == "constructor")["inputs"])


def call_data(artifact, name, args):
    f = function(artifact, name)
    types = types_of(f["inputs"])
    return keccak(text="%s(%s)" % (name, ",".join(types)))[:4] + encode(types, args)


class Ledger:
    def __init__(self, accounts):
        self.keys = {n: keys.PrivateKey(keccak(text=n)) for n in accounts}
        state = {k.public_key.to_canonical_address(): {"balance": 10**27} for k in self.keys.values()}
        self.chain = build(MiningChain, cancun_at(0), disable_pow_check(), chain_id(CHAIN_ID),
                           genesis(db=AtomicDB(), params={"gas_limit": 60_000_000, "difficulty": 0, "nonce": b"\x00" * 8}, state=state))

    def address(self, who):
        return self.keys[who].public_key.to_canonical_address()

    def send(self, who, to, data):
        """Returns (ok, created_address, revert_reason, computation)."""
        vm = self.chain.get_vm()
        nonce = vm.state.get_nonce(self.address(who))
        tx = vm.create_unsigned_transaction(nonce=nonce, gas_price=GAS_PRICE, gas=15_000_000,
                                            to=to if to else b"", value=0, data=data)
        signed = tx.as_signed_transaction(self.keys[who], chain_id=CHAIN_ID)
        _, receipt, computation = self.chain.apply_transaction(signed)
        self.chain.mine_block()
        self.last_gas = receipt.gas_used  # one transaction per block, so cumulative = own
        if computation.is_error:
            out = computation.output
            reason = decode(["string"], out[4:])[0] if out[:4] == bytes.fromhex("08c379a0") else out.hex()
            return False, None, reason, computation
        return True, (computation.msg.storage_address if not to else None), None, computation

    def view(self, artifact, at, name, args=()):
        vm = self.chain.get_vm()
        f = function(artifact, name)
        nonce = vm.state.get_nonce(self.address("alice"))
        tx = vm.create_unsigned_transaction(nonce=nonce, gas_price=GAS_PRICE, gas=5_000_000, to=at, value=0,
                                            data=call_data(artifact, name, list(args)))
        out = self.chain.get_transaction_result(SpoofTransaction(tx, from_=self.address("alice")),
                                                self.chain.get_canonical_head())
        return decode(types_of(f["outputs"]), out)[0]

    def code(self, at):
        return self.chain.get_vm().state.get_code(at)


passed, failed = 0, 0


def check(name, condition, evidence=""):
    global passed, failed
    if condition:
        passed += 1
        print("PASS", name)
    else:
        failed += 1
        print("FAIL %s: %s" % (name, evidence))


def deploy_dataset(ledger, who, dataset_id, commitment=keccak(text="chunks")):
    args = [dataset_id, commitment, 63938, 8760, [1], keccak(text="schema")]
    return ledger.send(who, None, bytes.fromhex(DATASET["bytecode"][2:]) + encode(constructor_types(DATASET), args))


ZERO = b"\x00" * 20


def deploy_model(ledger, who, datasets, parent=ZERO, relation=0, unverified=False, hyper='{"lr":0.001}'):
    args = ["m", "dev-1", "mledger/safetensors", keccak(text="arch"), hyper, [42], "builtin:gru", datasets,
            [24, 1], [1], 1234, parent, relation, unverified]
    return ledger.send(who, None, bytes.fromhex(MODEL["bytecode"][2:]) + encode(constructor_types(MODEL), args))


def main():
    L = Ledger(["alice", "bob"])
    ok, d1, why, _ = deploy_dataset(L, "alice", "pv-greensboro")
    check("dataset deploys", ok, why)
    gas = {"DatasetRecord deploy": L.last_gas}
    runtime = L.code(d1)
    check("deployed runtime code equals the artifact", "0x" + runtime.hex() == DATASET["runtimeBytecode"])
    check("runtime code hash equals runtimeCodeHash", "0x" + keccak(runtime).hex() == DATASET["runtimeCodeHash"])
    check("owner is the deployer", L.view(DATASET, d1, "owner").lower() == "0x" + L.address("alice").hex())

    stats = [(8760, -5 * 10**17, 2 * 10**18, -10**18, 3 * 10**18)]
    ok, _, why, _ = L.send("alice", d1, call_data(DATASET, "setStatistics", [10**18, stats]))
    check("owner sets statistics", ok, why)
    gas["DatasetRecord setStatistics (1 feature)"] = L.last_gas
    check("statistics read back", [tuple(s) for s in L.view(DATASET, d1, "getStatistics")] == stats)
    ok, _, why, _ = L.send("bob", d1, call_data(DATASET, "setStatistics", [10**18, stats]))
    check("non-owner statistics reverts", not ok and why == "not owner", why)

    ok, _, why, _ = L.send("bob", d1, call_data(DATASET, "finalize", []))
    check("non-owner dataset finalize reverts", not ok and why == "not owner", why)
    ok, _, why, comp = L.send("alice", d1, call_data(DATASET, "finalize", []))
    check("owner finalizes dataset", ok and L.view(DATASET, d1, "finalized"), why)
    gas["DatasetRecord finalize"] = L.last_gas
    topic = keccak(text="DatasetFinalized(address,bytes32)")
    check("DatasetFinalized event logged", any(log[1][0] == int.from_bytes(topic, "big") for log in comp.get_log_entries()))
    ok, _, why, _ = L.send("alice", d1, call_data(DATASET, "finalize", []))
    check("second dataset finalize reverts", not ok and why == "finalized", why)
    ok, _, why, _ = L.send("alice", d1, call_data(DATASET, "updateContent", [keccak(text="x"), 1, 1, [1], keccak(text="s")]))
    check("content is immutable once finalized", not ok and why == "finalized", why)

    ok, d2, why, _ = deploy_dataset(L, "alice", "unfinished")
    check("second dataset deploys unfinalized", ok and not L.view(DATASET, d2, "finalized"), why)
    ok, _, why, _ = deploy_model(L, "alice", [d2])
    check("model citing an unfinalized dataset reverts", not ok and why == "dataset not citable", why)
    ok, _, why, _ = deploy_model(L, "alice", [ZERO[:-1] + b"\x01"])
    check("model citing a codeless address reverts", not ok, why)
    ok, _, why, _ = deploy_model(L, "bob", [d1])
    check("model citing another company's unshared dataset reverts", not ok and why == "dataset not citable", why)
    ok, _, why, _ = L.send("alice", d1, call_data(DATASET, "share", [L.address("bob")]))
    check("owner shares a finalized dataset", ok and L.view(DATASET, d1, "sharedWith", [L.address("bob")]), why)
    ok, _, why, _ = deploy_model(L, "bob", [d1])
    check("model citing a shared dataset deploys", ok, why)

    hyper = '{"hidden":32,"lr":0.001}'
    ok, m1, why, _ = deploy_model(L, "alice", [d1], hyper=hyper)
    check("model citing its owner's finalized dataset deploys", ok, why)
    gas["ModelRecord deploy (1 dataset, 24-byte JSON)"] = L.last_gas
    check("model runtime code equals the artifact", "0x" + L.code(m1).hex() == MODEL["runtimeBytecode"])
    check("hyperParametersHash is keccak of the JSON", L.view(MODEL, m1, "hyperParametersHash") == keccak(text=hyper))
    ok, _, why, _ = deploy_model(L, "alice", [], parent=m1, relation=2)
    check("child of an unfinalized parent reverts", not ok and why == "parent not finalized", why)
    ok, _, why, _ = deploy_model(L, "alice", [d1], parent=ZERO, relation=1)
    check("relation without a parent reverts", not ok and why == "parent and relation", why)
    ok, _, why, _ = deploy_model(L, "alice", [d1], parent=m1, relation=4)
    check("unknown relation reverts", not ok and why == "bad relation", why)

    weights, metrics = keccak(text="weights"), keccak(text="metrics")
    ok, _, why, _ = L.send("bob", m1, call_data(MODEL, "finalize", [weights, metrics]))
    check("non-owner model finalize reverts", not ok and why == "not owner", why)
    ok, _, why, _ = L.send("alice", m1, call_data(MODEL, "finalize", [b"\x00" * 32, metrics]))
    check("finalize without a weights hash reverts", not ok and why == "no weights hash", why)
    ok, _, why, _ = L.send("alice", m1, call_data(MODEL, "finalize", [weights, metrics]))
    check("owner finalizes model", ok and L.view(MODEL, m1, "weightsHash") == weights, why)
    gas["ModelRecord finalize"] = L.last_gas
    ok, _, why, _ = L.send("alice", m1, call_data(MODEL, "finalize", [keccak(text="other"), metrics]))
    check("second model finalize reverts", not ok and why == "finalized", why)
    check("weightsHash unchanged after the rejected finalize", L.view(MODEL, m1, "weightsHash") == weights)
    state = L.chain.get_vm().state
    layout = MODEL["storageLayout"]
    check("weightsHash sits in its layout slot",
          state.get_storage(m1, layout["weightsHash"]["slot"]) == int.from_bytes(weights, "big"))
    check("finalized sits in its layout slot", state.get_storage(m1, layout["finalized"]["slot"]) == 1)
    check("owner sits in its layout slot",
          state.get_storage(m1, layout["owner"]["slot"]) == int.from_bytes(L.address("alice"), "big"))
    check("dataset commitment sits in its layout slot",
          state.get_storage(d1, DATASET["storageLayout"]["commitment"]["slot"]) == int.from_bytes(keccak(text="chunks"), "big"))
    ok, m2, why, _ = deploy_model(L, "alice", [], parent=m1, relation=2)
    check("child of a finalized parent deploys", ok and L.view(MODEL, m2, "relation") == 2, why)
    ok, m3, why, _ = deploy_model(L, "bob", [], unverified=True)
    check("unverified model deploys and is marked", ok and L.view(MODEL, m3, "unverified"), why)
    # finalizeWithArtifact: finalize plus the weights file's chunk commitment (issue 10).
    root = keccak(text="artifact chunks")
    ok, _, why, _ = L.send("bob", m3, call_data(MODEL, "finalizeWithArtifact", [weights, metrics, b"\x00" * 32]))
    check("finalizeWithArtifact without a commitment reverts", not ok and why == "no artifact commitment", why)
    ok, _, why, _ = L.send("alice", m3, call_data(MODEL, "finalizeWithArtifact", [weights, metrics, root]))
    check("non-owner finalizeWithArtifact reverts", not ok and why == "not owner", why)
    ok, _, why, _ = L.send("bob", m3, call_data(MODEL, "finalizeWithArtifact", [weights, metrics, root]))
    check("owner finalizes with the artifact commitment",
          ok and L.view(MODEL, m3, "artifactCommitment") == root and L.view(MODEL, m3, "weightsHash") == weights, why)
    gas["ModelRecord finalizeWithArtifact"] = L.last_gas
    ok, _, why, _ = L.send("bob", m3, call_data(MODEL, "finalizeWithArtifact", [weights, metrics, root]))
    check("second finalizeWithArtifact reverts", not ok and why == "finalized", why)
    check("a plain finalize leaves no artifact commitment", L.view(MODEL, m1, "artifactCommitment") == b"\x00" * 32)

    # anchorRecipe: the training service fixes the recipe before the first step (issue 12).
    ok, m4, why, _ = deploy_model(L, "alice", [], hyper="{}")
    check("model for a controlled run deploys", ok and not L.view(MODEL, m4, "recipeAnchored"), why)
    recipe_hyper = '{"epochs":2,"lr":0.005,"seed":7}'
    trainer = '{"code":"0x00","mledger":"0.1.0","trainer":"energy-gru"}'
    ok, _, why, _ = L.send("bob", m4, call_data(MODEL, "anchorRecipe", [recipe_hyper, [7], trainer]))
    check("non-owner anchorRecipe reverts", not ok and why == "not owner", why)
    ok, _, why, comp = L.send("alice", m4, call_data(MODEL, "anchorRecipe", [recipe_hyper, [7], trainer]))
    check("owner anchors the recipe",
          ok and L.view(MODEL, m4, "recipeAnchored") and L.view(MODEL, m4, "hyperParameters") == recipe_hyper
          and L.view(MODEL, m4, "getSeeds") == (7,) and L.view(MODEL, m4, "trainingRecipe") == trainer, why)
    check("anchorRecipe recomputes the hyper-parameters hash",
          L.view(MODEL, m4, "hyperParametersHash") == keccak(text=recipe_hyper))
    check("anchorRecipe emits RecipeAnchored",
          ok and len(comp.get_log_entries()) == 1
          and comp.get_log_entries()[0][1][0] == int.from_bytes(keccak(text="RecipeAnchored(address,bytes32,uint256[],string)"), "big"))
    gas["ModelRecord anchorRecipe"] = L.last_gas
    ok, _, why, _ = L.send("alice", m4, call_data(MODEL, "anchorRecipe", ['{"epochs":3}', [8], trainer]))
    check("second anchorRecipe reverts", not ok and why == "recipe anchored", why)
    check("the anchored recipe is unchanged after the rejected one", L.view(MODEL, m4, "getSeeds") == (7,))
    ok, _, why, _ = L.send("alice", m1, call_data(MODEL, "anchorRecipe", [recipe_hyper, [7], trainer]))
    check("anchorRecipe on a finalized model reverts", not ok and why == "finalized", why)

    for what, used in gas.items():
        print("gas %-45s %9d" % (what, used))
    print("[ContractRules] %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
