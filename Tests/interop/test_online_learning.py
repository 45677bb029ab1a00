"""Online learning end to end against the live binary: a service declared over REST is fed
synthetic three-phase readings (derived from the hourly PV series in ../shared/datasets) with
`POST /ol/{name}/data`; training steps run, a snapshot is anchored (its ModelRecord read by web3
through the committed ABI, its weights downloaded and hashed), KServe V1 and V2 answer with the
right shapes, signed receipts recover (eth-account) to the record's owner, and after `kill -9`
the node resumes the service with the same snapshot chain."""

import json
import math
import random
import time
from pathlib import Path

import pytest
import requests
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_utils import keccak
from web3 import Web3

from dev_chain import REPO_ROOT
from ledger_helpers import make_web3
from mledger_node import NodeProcess, init_datadir, start_rest_dev_node, wait_for_rest

MODEL_ABI = json.loads((REPO_ROOT / "contracts" / "build" / "ModelRecord.json").read_text())["abi"]
SERIES = REPO_ROOT.parent / "shared" / "datasets" / "pv-greensboro-hourly.csv"
RELATION_NONE, RELATION_ONLINE_SNAPSHOT_OF = 0, 3


def hourly_power(hours: int) -> list[float]:
    """The first `hours` values of the series' `power_w` column; a missing file fails loudly."""
    assert SERIES.is_file(), f"dataset missing: {SERIES}"
    lines = SERIES.read_text().splitlines()
    assert lines[0].strip() == "power_w", lines[0]
    values = [float(line) for line in lines[1:hours + 1]]
    assert len(values) == hours
    return values


def readings_for_hour(hour: int, power_w: float, rng: random.Random, per_hour: int = 6) -> list[dict]:
    """Three-phase readings whose mean active power is exactly `power_w`: noise comes in +/- pairs."""
    readings = []
    for k in range(per_hour):
        sign = 1 if k % 2 == 0 else -1
        noise = rng.uniform(0, 0.05) if sign == 1 else readings[-1]["_noise"]
        target = max(power_w, 0.0) * (1 + sign * noise)
        volts = [230.0 + rng.uniform(-3, 3) for _ in range(3)]
        pf = [0.95, 0.97, 0.99]
        amps = [target / 3 / (v * f) for v, f in zip(volts, pf)]
        readings.append({"timestamp": 1_700_000_000 // 3600 * 3600 + hour * 3600 + k * (3600 // per_hour),
                         "voltage": volts, "current": amps, "power_factor": pf, "_noise": noise})
    for reading in readings:
        del reading["_noise"]
    return readings


DECLARATION = {
    "name": "pv-house", "organization_id": "acme-ol", "developer_id": "dev-1", "sources": ["http"],
    "transformer": {"lateness_seconds": 0}, "batch": {"hours": 12},
    "snapshot": {"min_relative_improvement": 0.0}, "training": {"seed": 7},
}


def feed_until_snapshot(api: str, name: str, series: list[float], start: int = 0) -> dict:
    rng = random.Random(11)
    status = None
    for hour in range(start, len(series)):
        r = requests.post(f"{api}/ol/{name}/data", json=readings_for_hour(hour, series[hour], rng), timeout=60)
        assert r.status_code == 200, r.text
        assert r.json()["accepted"] == 6, r.text
        if hour >= 61 and hour % 12 == 1:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                status = requests.get(f"{api}/ol/{name}", timeout=30).json()
                if not status["training"]:
                    break
                time.sleep(0.1)
            if status["snapshots"]:
                return status
    pytest.fail(f"no snapshot after {len(series)} hours: {status}")


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    node = start_rest_dev_node(tmp_path_factory.mktemp("online-learning") / "node.log")
    yield node
    assert node.stop() == 0, node.log_tail()


def test_trains_anchors_serves_and_signs(api):
    r = requests.post(f"{api.api}/ol", json=DECLARATION, timeout=60)
    assert r.status_code == 201, r.text
    series = hourly_power(240)
    status = feed_until_snapshot(api.api, "pv-house", series)
    assert status["training_steps"] >= 1 and status["ready"] is True
    snapshot = status["snapshots"][0]

    # The record, read by web3 through the ABI: final, weights hash, no parent, the data range.
    w3 = make_web3(api.port)
    record = w3.eth.contract(address=Web3.to_checksum_address(snapshot["contract_address"]), abi=MODEL_ABI)
    assert record.functions.finalized().call() is True
    assert "0x" + record.functions.weightsHash().call().hex().removeprefix("0x") == snapshot["weights_hash"]
    assert record.functions.relation().call() == RELATION_NONE
    recorded = json.loads(record.functions.hyperParameters().call())
    assert recorded["online_service"] == "pv-house"
    assert recorded["validation_mse"] == pytest.approx(snapshot["validation_mse"])
    assert recorded["first_hour"] == snapshot["first_hour"] and recorded["last_hour"] == snapshot["last_hour"]
    owner = record.functions.owner().call()

    # The weights file, downloaded through model sharing, hashes to what the record anchors.
    weights = requests.get(f"{api.api}/model/{snapshot['model_id']}", timeout=60)
    assert weights.status_code == 200
    assert "0x" + keccak(weights.content).hex() == snapshot["weights_hash"]
    from safetensors.numpy import load
    tensors = load(weights.content)
    assert tensors["gru.weight_ih_l0"].shape == (192, 1) and tensors["fc2.weight"].shape == (24, 64)

    # KServe V1.
    assert requests.get(f"{api.api}/v1/models/pv-house", timeout=30).json() == {"name": "pv-house", "ready": True}
    window = series[100:136]
    r = requests.post(f"{api.api}/v1/models/pv-house:predict", json={"instances": [window, window]}, timeout=30)
    assert r.status_code == 200, r.text
    body = r.json()
    assert len(body["predictions"]) == 2 and all(len(p) == 24 for p in body["predictions"])
    assert all(lo <= hi for lo, hi in zip(body["intervals"]["lower"][0], body["intervals"]["upper"][0]))
    r = requests.post(f"{api.api}/v1/models/pv-house:predict", json={"instances": []}, timeout=30)
    assert r.status_code == 200 and len(r.json()["predictions"]) == 1 and len(r.json()["predictions"][0]) == 24
    r = requests.post(f"{api.api}/v1/models/pv-house:predict", json={"instances": [[1.0] * 35]}, timeout=30)
    assert r.status_code == 422 and r.json()["field"] == "instances[0]"

    # Open Inference Protocol V2.
    assert requests.get(f"{api.api}/v2/health/live", timeout=30).json() == {"live": True}
    assert requests.get(f"{api.api}/v2/models/pv-house/ready", timeout=30).status_code == 200
    infer = {"id": "q1", "inputs": [{"name": "input", "shape": [1, 36], "datatype": "FP32", "data": window}]}
    r = requests.post(f"{api.api}/v2/models/pv-house/infer", json=infer, headers={"X-MLedger-Receipt": "1"}, timeout=30)
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["id"] == "q1" and answer["model_name"] == "pv-house"
    assert [o["name"] for o in answer["outputs"]] == ["forecast", "lower_90", "upper_90"]
    assert all(o["shape"] == [1, 24] and len(o["data"]) == 24 for o in answer["outputs"])
    assert answer["outputs"][0]["data"] == pytest.approx(body["predictions"][0], rel=1e-6)

    # The receipt recovers (eth-account) to the company account that owns the anchored record.
    receipt = answer["receipt"]
    signer = Account.recover_message(encode_defunct(text=receipt["message"]), signature=receipt["signature"])
    assert signer == owner == Web3.to_checksum_address(receipt["signer"])
    signed = json.loads(receipt["message"])
    assert signed["model_record"] == snapshot["contract_address"] and signed["weights_hash"] == snapshot["weights_hash"]
    assert signed["block_number"] >= record.functions.createdBlock().call()
    r = requests.post(f"{api.api}/v1/models/pv-house:predict", json={"instances": [window]}, headers={"X-MLedger-Receipt": "1"}, timeout=30)
    v1_receipt = r.json()["receipt"]
    assert Account.recover_message(encode_defunct(text=v1_receipt["message"]), signature=v1_receipt["signature"]) == owner

    # A malformed message: 422 naming the reason, counted in /metrics, the node still serving.
    r = requests.post(f"{api.api}/ol/pv-house/data", data=b"{not json", headers={"Content-Type": "application/json"}, timeout=30)
    assert r.status_code == 422 and r.json()["dropped"] == {"not_json": 1}
    metrics = requests.get(f"{api.api}/metrics", timeout=30).text
    assert 'reason="not_json"' in metrics and "mledger_ol_dropped_total" in metrics
    assert requests.get(f"{api.api}/v1/models/pv-house", timeout=30).status_code == 200


def test_kill_9_resumes_with_the_same_chain(tmp_path, monkeypatch):
    monkeypatch.setenv("MLEDGER_PASSPHRASE", "interop online-learning passphrase")
    datadir = tmp_path / "data"
    init_datadir(datadir)
    declaration = tmp_path / "pv.json"
    declaration.write_text(json.dumps({**DECLARATION, "name": "pv-file"}))
    node = wait_for_rest(NodeProcess(datadir, extra_args=("--ol", str(declaration))).start())
    series = hourly_power(240)
    try:
        status = feed_until_snapshot(node.api, "pv-file", series)
    finally:
        node.kill()
    node = wait_for_rest(NodeProcess(datadir, extra_args=("--ol", str(declaration))).start())
    try:
        resumed = requests.get(f"{node.api}/ol/pv-file", timeout=30).json()
        assert resumed["snapshots"] == status["snapshots"]
        assert resumed["hours_closed"] == status["hours_closed"]
        assert resumed["ready"] is True and resumed["serving"] == status["snapshots"][-1]["contract_address"]
        r = requests.post(f"{node.api}/v1/models/pv-file:predict", json={"instances": [series[:36]]}, timeout=30)
        assert r.status_code == 200 and len(r.json()["predictions"][0]) == 24
    finally:
        assert node.stop() == 0, node.log_tail()
