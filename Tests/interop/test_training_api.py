"""The training service end to end against the live binary: a dataset uploaded and a model
registered as the MLaaS client does, a job posted with `requests`, its recipe read back with
web3.py (anchored before the weights were finalized), the weights downloaded, and the model
reproduced from the chain alone by `mledger reproduce` with 1 and 2 threads; a flipped dataset
byte makes it FAIL naming the dataset commitment. Then the process executor with a PyTorch CPU
program (two runs with one seed give one weights hash; a failing program finalizes nothing; a
cancel kills its process group), bad inputs, and a node killed mid-job that re-runs it."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from eth_utils import keccak
from web3 import Web3

from dev_chain import REPO_ROOT
from ledger_helpers import make_web3
from mledger_node import NodeProcess, init_datadir, mledger, start_rest_dev_node, wait_for_rest

MODEL_ABI = json.loads((REPO_ROOT / "contracts" / "build" / "ModelRecord.json").read_text())["abi"]
DATASET = Path(os.environ.get("MLEDGER_SHARED", REPO_ROOT.parent / "shared")) / "datasets" / "pv-greensboro-hourly.csv"
DATASET_ABI = json.loads((REPO_ROOT / "contracts" / "build" / "DatasetRecord.json").read_text())["abi"]
TORCH_SCRIPT = REPO_ROOT / "Tests" / "interop" / "training" / "torch_train.py"
PARAMS = {"epochs": 2, "seed": 7, "batch_size": 64, "lr": 0.005}


def series_bytes(rows: int = 1500) -> bytes:
    if not DATASET.is_file():
        pytest.fail(f"missing input {DATASET} (the shared PV series)")
    lines = DATASET.read_text().splitlines()
    return ("\n".join(lines[:rows + 1]) + "\n").encode()


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    node = start_rest_dev_node(tmp_path_factory.mktemp("training") / "node.log")
    yield node
    assert node.stop() == 0, node.log_tail()


def upload_dataset(api: str, org: str, data: bytes, filename: str = "pv.csv") -> str:
    r = requests.post(f"{api}/dataset", files={"file": (filename, data)},
                      data={"metadata": json.dumps({"organization_id": org, "samples_dimension": "(1)"})}, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()["dataset_id"]


def register_model(api: str, org: str, dataset_id: str, train_image: str = "energy-gru", seeds=(7,)) -> str:
    body = {"model_params": {"developer_id": "dev-1", "organization_id": org, "train_image": train_image, "seeds": list(seeds)},
            "data_params": {"dataset_id": dataset_id}}
    r = requests.post(f"{api}/model", json=body, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()["model_id"]


def wait_final(api: str, job_id: str, timeout: float = 300) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = requests.get(f"{api}/train/{job_id}", timeout=30).json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish within {timeout}s: {job}")


def reproduce(node, address: str, *args: str) -> subprocess.CompletedProcess:
    return mledger("reproduce", "--rpc", node.url, "--model", address, *args, timeout=300)


def test_train_anchor_finalize_download_and_reproduce(api, tmp_path):
    data = series_bytes()
    dataset_id = upload_dataset(api.api, "acme", data)
    model_id = register_model(api.api, "acme", dataset_id)

    r = requests.post(f"{api.api}/train/{model_id}", json=PARAMS, timeout=60)
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["status"] == "queued" and job["model_id"] == model_id
    again = requests.post(f"{api.api}/train/{model_id}", json=dict(reversed(list(PARAMS.items()))), timeout=60)
    assert again.status_code == 200 and again.json()["job_id"] == job["job_id"], again.text

    # Server-Sent Events: the state first, then progress, and the final state.
    events = []
    with requests.get(f"{api.api}/train/{job['job_id']}/events", stream=True, timeout=300) as stream:
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        for line in stream.iter_lines(decode_unicode=True):
            if line.startswith("event: "):
                events.append(line[7:])
    assert events[0] == "state" and events[-1] == "state" and "progress" in events, events

    done = wait_final(api.api, job["job_id"])
    assert done["status"] == "succeeded", done
    assert done["progress"]["epoch"] == 2 and done["progress"]["epochs"] == 2, done["progress"]
    assert done["progress"]["epochs_done"] == 2, done["progress"]
    # The answer conforms to the job schema of /openapi.json, whose progress object lists every
    # member it may carry (additionalProperties false): epochs_done included.
    document = requests.get(f"{api.api}/openapi.json", timeout=30).json()
    job_schema = document["paths"]["/train/{id}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert set(done["progress"]) <= set(job_schema["properties"]["progress"]["properties"]), done["progress"]
    progress_schema = job_schema["properties"]["progress"]
    assert progress_schema["additionalProperties"] is False and progress_schema["properties"]["epochs_done"]["type"] == "integer"
    assert any("recipe anchored" in line for line in done["log_tail"]), done["log_tail"]
    weights_hash = done["result"]["weights_hash"]
    listed = requests.get(f"{api.api}/train", params={"model_id": model_id}, timeout=30).json()["jobs"]
    assert [j["job_id"] for j in listed] == [job["job_id"]]

    weights = requests.get(f"{api.api}/model/{model_id}", timeout=60)
    assert weights.status_code == 200 and "0x" + keccak(weights.content).hex() == weights_hash

    meta = requests.get(f"{api.api}/model/{model_id}/metadata", timeout=30).json()
    address = Web3.to_checksum_address(meta["contract_address"])
    w3 = make_web3(api.port)
    record = w3.eth.contract(address=address, abi=MODEL_ABI)
    assert record.functions.recipeAnchored().call() is True
    anchored = record.functions.hyperParameters().call()
    assert json.loads(anchored)["epochs"] == 2 and json.loads(anchored)["seed"] == 7
    assert record.functions.hyperParametersHash().call() == keccak(text=anchored)
    assert record.functions.getSeeds().call() == [7]
    trainer = json.loads(record.functions.trainingRecipe().call())
    assert trainer["trainer"] == "energy-gru" and trainer["code"].startswith("0x")
    assert record.functions.weightsHash().call().hex() == weights_hash[2:]
    # The recipe was on the record before the weights: its event is in an earlier block.
    anchored_at = record.events.RecipeAnchored().get_logs(from_block=0)[0]["blockNumber"]
    finalized_at = record.events.ModelFinalized().get_logs(from_block=0)[0]["blockNumber"]
    assert anchored_at < finalized_at

    dataset_file = tmp_path / "pv.csv"
    dataset_file.write_bytes(data)
    for threads in ("1", "2"):
        out = reproduce(api, address, "--dataset", str(dataset_file), "--threads", threads)
        assert out.returncode == 0, out.stdout + out.stderr
        assert f"PASS weights-hash {weights_hash}" in out.stdout, out.stdout
        assert out.stdout.splitlines()[-1] == "reproduce: 4 passed, 0 failed", out.stdout
    out = reproduce(api, address, "--sharing", api.api, "--threads", "2", "--json")
    assert out.returncode == 0, out.stdout + out.stderr
    assert json.loads(out.stdout)["failed"] == 0

    audit = mledger("audit", "--rpc", api.url, "--model", address, "--dataset", str(dataset_file), "--retrain", timeout=300)
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert f"PASS retrain weights-hash {weights_hash}" in audit.stdout and "retrain: 4 passed, 0 failed" in audit.stdout, audit.stdout

    flipped = bytearray(data)
    flipped[100] ^= 1
    dataset_file.write_bytes(bytes(flipped))
    out = reproduce(api, address, "--dataset", str(dataset_file))
    assert out.returncode == 1, out.stdout + out.stderr
    dataset_commitment = record.functions.getDatasets().call()[0]
    commitment = w3.eth.contract(address=dataset_commitment, abi=DATASET_ABI).functions.commitment().call()
    assert f"FAIL dataset 0x{commitment.hex()}: no given file matches" in out.stdout, out.stdout
    assert "FAIL weights-hash" in out.stdout
    assert out.stdout.splitlines()[-1] == "reproduce: 2 passed, 2 failed", out.stdout

    # A finalized model takes no more jobs.
    r = requests.post(f"{api.api}/train/{model_id}", json={"epochs": 3}, timeout=60)
    assert r.status_code == 409, r.text


def test_bad_inputs(api):
    dataset_id = upload_dataset(api.api, "acme", series_bytes(300))
    model_id = register_model(api.api, "acme", dataset_id)
    unknown = "00000000-0000-4000-8000-000000000000"
    assert requests.post(f"{api.api}/train/{unknown}", json=PARAMS, timeout=30).status_code == 404
    assert requests.post(f"{api.api}/train/not-a-uuid", json=PARAMS, timeout=30).status_code == 422
    r = requests.post(f"{api.api}/train/{model_id}", json={"epochs": "many"}, timeout=30)
    assert r.status_code == 422 and r.json()["field"] == "epochs", r.text
    r = requests.post(f"{api.api}/train/{model_id}", json={"epochs": 2, "learning_rate": 0.1}, timeout=30)
    assert r.status_code == 422 and r.json()["field"] == "learning_rate", r.text
    r = requests.post(f"{api.api}/train/{model_id}", json={"lr": -1}, timeout=30)
    assert r.status_code == 422 and r.json()["field"] == "lr", r.text
    # Another company's model is absent.
    r = requests.post(f"{api.api}/train/{model_id}?organization_id=globex", json=PARAMS, timeout=30)
    assert r.status_code == 404, r.text
    r = requests.get(f"{api.api}/train/{unknown}", timeout=30)
    assert r.status_code == 404
    # A model registered with a dataset that has no file: the job fails naming it, nothing finalized.
    meta_only = requests.post(f"{api.api}/dataset", json={"organization_id": "acme", "samples_dimension": "(1)",
                                                           "size_bytes": 10, "hash": "0x" + "cd" * 32}, timeout=30)
    no_file_model = register_model(api.api, "acme", meta_only.json()["dataset_id"])
    job = requests.post(f"{api.api}/train/{no_file_model}", json=PARAMS, timeout=30).json()
    done = wait_final(api.api, job["job_id"], 60)
    assert done["status"] == "failed" and "no stored file" in done["error"], done
    assert requests.get(f"{api.api}/model/{no_file_model}/metadata", timeout=30).json()["status"] == "registered"
    # Values at both ends of Float's range: the loss turns NaN and the job fails saying so. (Stored
    # as .dat: the CSV scanner's fixed-point statistics cannot hold these values; the trainer
    # reads the file as CSV whatever its name.)
    extremes = ("power_w\n" + "".join("3e38\n" if i % 2 else "-3e38\n" for i in range(200))).encode()
    nan_model = register_model(api.api, "acme", upload_dataset(api.api, "acme", extremes, filename="extremes.dat"))
    job = requests.post(f"{api.api}/train/{nan_model}", json={"epochs": 3}, timeout=30).json()
    done = wait_final(api.api, job["job_id"], 120)
    assert done["status"] == "failed" and done["error"].startswith("loss is not finite at epoch 1"), done
    assert requests.get(f"{api.api}/model/{nan_model}/metadata", timeout=30).json()["status"] == "registered"


def alive(pid: int) -> bool:
    """Running or sleeping; a zombie left for a reaper that is not this test counts as gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat[stat.rindex(")") + 2] not in "ZX"


def torch_image() -> str:
    return f"cmd:{sys.executable} {TORCH_SCRIPT}"


def test_process_executor_pytorch(api):
    dataset_id = upload_dataset(api.api, "torchco", series_bytes(600))
    hashes = []
    for _ in range(2):
        model_id = register_model(api.api, "torchco", dataset_id, train_image=torch_image())
        job = requests.post(f"{api.api}/train/{model_id}", json={"epochs": 2, "seed": 11}, timeout=30)
        assert job.status_code == 202, job.text
        done = wait_final(api.api, job.json()["job_id"], 300)
        assert done["status"] == "succeeded", done
        assert any("epoch 2 loss" in line for line in done["log_tail"]), done["log_tail"]
        weights = requests.get(f"{api.api}/model/{model_id}", timeout=60).content
        assert "0x" + keccak(weights).hex() == done["result"]["weights_hash"]
        hashes.append(done["result"]["weights_hash"])
    assert hashes[0] == hashes[1]

    failing = register_model(api.api, "torchco", dataset_id, train_image=torch_image())
    job = requests.post(f"{api.api}/train/{failing}", json={"fail": 3}, timeout=30).json()
    done = wait_final(api.api, job["job_id"], 120)
    assert done["status"] == "failed" and "status 3" in done["error"], done
    assert any("failing on purpose" in line for line in done["log_tail"]), done["log_tail"]
    assert requests.get(f"{api.api}/model/{failing}/metadata", timeout=30).json()["status"] == "registered"

    sleeper = register_model(api.api, "torchco", dataset_id, train_image=torch_image())
    job = requests.post(f"{api.api}/train/{sleeper}", json={"sleep": 120}, timeout=30).json()
    deadline = time.monotonic() + 60
    while requests.get(f"{api.api}/train/{job['job_id']}", timeout=30).json()["log_tail"].count("sleeping") == 0:
        assert time.monotonic() < deadline, "the program never started"
        time.sleep(0.2)
    pid = next(int(p.read_text()) for p in Path("/tmp").glob(f"mledger-train-{job['job_id']}-*/job/pid"))
    r = requests.delete(f"{api.api}/train/{job['job_id']}", timeout=30)
    assert r.status_code in (200, 202), r.text
    done = wait_final(api.api, job["job_id"], 30)
    assert done["status"] == "cancelled", done
    assert not alive(pid), f"training program {pid} survived the cancel"
    assert not list(Path("/tmp").glob(f"mledger-train-{job['job_id']}-*")), "work directory left behind"
    assert requests.get(f"{api.api}/model/{sleeper}/metadata", timeout=30).json()["status"] == "registered"


def test_job_running_at_kill_is_rerun_after_restart(tmp_path, monkeypatch):
    monkeypatch.setenv("MLEDGER_PASSPHRASE", "interop training passphrase")
    datadir = tmp_path / "data"
    init_datadir(datadir)
    node = wait_for_rest(NodeProcess(datadir, extra_args=("--train-threads", "1")).start())
    try:
        data = series_bytes(3000)
        model_id = register_model(node.api, "acme", upload_dataset(node.api, "acme", data))
        job = requests.post(f"{node.api}/train/{model_id}", json={"epochs": 30, "seed": 3}, timeout=30).json()
        deadline = time.monotonic() + 120
        while requests.get(f"{node.api}/train/{job['job_id']}", timeout=30).json()["progress"].get("epoch", 0) < 1:
            assert time.monotonic() < deadline, "the job never started"
            time.sleep(0.2)
        node.kill()
        node = wait_for_rest(NodeProcess(datadir, extra_args=("--train-threads", "2")).start())
        assert "re-queued 1 job(s)" in node.log_tail(200)
        done = wait_final(node.api, job["job_id"], 600)
        assert done["status"] == "succeeded", done
        address = Web3.to_checksum_address(requests.get(f"{node.api}/model/{model_id}/metadata", timeout=30).json()["contract_address"])
        dataset_file = tmp_path / "pv.csv"
        dataset_file.write_bytes(data)
        out = reproduce(node, address, "--dataset", str(dataset_file), "--threads", "1")
        assert out.returncode == 0 and f"PASS weights-hash {done['result']['weights_hash']}" in out.stdout, out.stdout + out.stderr
    finally:
        node.kill()
