"""Issue 10 at size and under a crash: a 100 MB training result uploaded with `requests`, read back
byte for byte, and its record read by web3.py through the committed ModelRecord ABI (weights hash
and artifact chunk commitment as anchored); then `kill -9` in the middle of another upload: after
the restart everything acknowledged is intact, the interrupted upload left no file behind and no
visible artifact, and the same model takes its result again."""

import json
import os
import threading
import time

import pytest
import requests
from eth_utils import keccak
from web3 import Web3

from dev_chain import REPO_ROOT
from ledger_helpers import make_web3
from mledger_node import NodeProcess, init_datadir, wait_for_rest

MODEL_ABI = json.loads((REPO_ROOT / "contracts" / "build" / "ModelRecord.json").read_text())["abi"]
CHUNK = 64 * 1024


def chunk_root(data: bytes) -> bytes:
    """The 64 KiB chunk commitment, recomputed independently: Keccak-256 leaves, pairs hashed
    level by level, an odd last node carried up unchanged (Sources/Datasets' rule)."""
    level = [keccak(data[i:i + CHUNK]) for i in range(0, max(len(data), 1), CHUNK)]
    while len(level) > 1:
        level = [keccak(level[i] + level[i + 1]) if i + 1 < len(level) else level[i] for i in range(0, len(level), 2)]
    return level[0]


def register(api: str, org: str) -> str:
    dataset = {"organization_id": org, "samples_dimension": "(4)", "size_bytes": 4096, "hash": "0x" + "ab" * 32}
    r = requests.post(f"{api}/dataset", json=dataset, timeout=60)
    assert r.status_code == 200, r.text
    model = {"model_params": {"developer_id": "dev", "organization_id": org, "train_image": "mledger/energy-gru"},
             "data_params": {"dataset_id": r.json()["dataset_id"]}}
    r = requests.post(f"{api}/model", json=model, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()["model_id"]


@pytest.fixture
def persistent_node(tmp_path, monkeypatch):
    """`mledger run --datadir D` with the REST API (node passphrase from the environment)."""
    monkeypatch.setenv("MLEDGER_PASSPHRASE", "interop durability passphrase")
    datadir = tmp_path / "data"
    init_datadir(datadir)
    node = wait_for_rest(NodeProcess(datadir).start())
    yield node
    node.kill()


def test_100_mb_result_round_trip_and_web3_reads_the_anchored_record(persistent_node):
    api = persistent_node.api
    model_id = register(api, "acme")
    weights = os.urandom(100 * 1024 * 1024)
    r = requests.put(f"{api}/model/{model_id}", files={"model": ("weights.safetensors", weights)}, timeout=300)
    assert r.status_code == 200, r.text[:500]
    meta = requests.get(f"{api}/model/{model_id}/metadata", timeout=60).json()
    assert meta["artifact_size"] == len(weights)
    assert meta["keccak256"] == "0x" + keccak(weights).hex()

    w3 = make_web3(persistent_node.port)
    record = w3.eth.contract(address=Web3.to_checksum_address(meta["contract_address"]), abi=MODEL_ABI)
    assert record.functions.finalized().call() is True
    assert record.functions.weightsHash().call() == keccak(weights)
    assert record.functions.artifactCommitment().call() == chunk_root(weights)

    with requests.get(f"{api}/model/{model_id}", stream=True, timeout=300) as r:
        assert r.status_code == 200
        assert int(r.headers["Content-Length"]) == len(weights)
        got = b"".join(r.iter_content(1 << 20))
    assert keccak(got) == keccak(weights)


def test_kill_9_during_an_upload_loses_nothing_acknowledged(persistent_node):
    node = persistent_node
    done_id = register(node.api, "acme")
    done_bytes = os.urandom(3 * CHUNK + 17)
    r = requests.put(f"{node.api}/model/{done_id}", files={"model": ("w.bin", done_bytes)}, timeout=60)
    assert r.status_code == 200, r.text
    cut_id = register(node.api, "acme")

    # A large upload in the background; kill -9 once its temporary file is on disk.
    incoming = node.datadir / "objects" / "acme" / ".incoming"
    big = os.urandom(300 * 1024 * 1024)
    outcome = {}

    def upload():
        try:
            outcome["status"] = requests.put(f"{node.api}/model/{cut_id}", files={"model": ("big.bin", big)},
                                             timeout=120).status_code
        except requests.RequestException as error:
            outcome["error"] = error
    thread = threading.Thread(target=upload)
    thread.start()
    deadline = time.monotonic() + 60
    while not (incoming.is_dir() and any(p.stat().st_size > 0 for p in incoming.iterdir())):
        assert time.monotonic() < deadline, "the upload never reached the store"
        time.sleep(0.01)
    node.kill()
    thread.join(60)
    assert "status" not in outcome, f"the interrupted upload was acknowledged: {outcome}"

    node.start()
    wait_for_rest(node)
    # Acknowledged before the crash: intact and served.
    r = requests.get(f"{node.api}/model/{done_id}", timeout=60)
    assert r.status_code == 200 and r.content == done_bytes
    # The interrupted one: no artifact, no temporary file, and it takes its result now.
    meta = requests.get(f"{node.api}/model/{cut_id}/metadata", timeout=60).json()
    assert meta.get("artifact_size") is None, meta
    assert not incoming.is_dir() or not any(incoming.iterdir()), list(incoming.iterdir())
    small = os.urandom(CHUNK + 1)
    r = requests.put(f"{node.api}/model/{cut_id}", files={"model": ("w.bin", small)}, timeout=60)
    assert r.status_code == 200, r.text
    assert requests.get(f"{node.api}/model/{cut_id}", timeout=60).content == small
