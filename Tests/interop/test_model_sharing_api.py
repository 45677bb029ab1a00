"""Issue 10 end to end with the `requests` client, in the shapes the IoT-NGIN MLaaS client sends:
a dataset uploaded as multipart (file + `metadata` JSON), a model registered as JSON citing it,
the training result uploaded with PUT, metadata read back, the files downloaded (whole and by
range) and, after a stored byte is flipped on disk, refused with 409 before any byte."""

import hashlib
import json
from pathlib import Path

import pytest
import requests
from eth_utils import keccak

from mledger_node import start_rest_dev_node



@pytest.fixture(scope="module")
def api(tmp_path_factory):
    node = start_rest_dev_node(tmp_path_factory.mktemp("sharing") / "node.log")
    yield node
    assert node.stop() == 0, node.log_tail()


def csv_bytes(rows: int) -> bytes:
    return ("power_w,voltage\n" + "".join(f"{i * 1.5},{230 + i % 7}\n" for i in range(rows))).encode()


def test_dataset_model_result_metadata_download(api):
    data = csv_bytes(8000)  # > 64 KiB: several chunks
    assert len(data) > 70100
    metadata = {"organization_id": "acme", "samples_dimension": "(2)", "sample_num": 8000}
    r = requests.post(f"{api.api}/dataset", files={"file": ("readings.csv", data)},
                      data={"metadata": json.dumps(metadata)}, timeout=60)
    assert r.status_code == 200, r.text
    dataset_id = r.json()["dataset_id"]

    shown = requests.get(f"{api.api}/dataset/{dataset_id}/metadata", timeout=60).json()
    assert shown["samples_dimension"] == "(2)" and shown["sample_count"] == 8000, shown
    assert shown["keccak256"] == "0x" + keccak(data).hex()

    model = {"model_params": {"developer_id": "dev-1", "organization_id": "acme", "train_image": "mledger/gru:1",
                              "params": {"lr": 0.001, "epochs": 3}, "seeds": [7]},
             "data_params": {"dataset_id": dataset_id}}
    r = requests.post(f"{api.api}/model", json=model, timeout=60)
    assert r.status_code == 200, r.text
    model_id = r.json()["model_id"]

    weights = hashlib.sha256(b"weights").digest() * 5000  # 160000 bytes
    r = requests.put(f"{api.api}/model/{model_id}", files={"model": ("weights.safetensors", weights)}, timeout=60)
    assert r.status_code == 200, r.text
    assert r.json()["model_params"]["res_hash"] == "0x" + keccak(weights).hex()
    r = requests.put(f"{api.api}/model/{model_id}", files={"model": ("weights.safetensors", weights)}, timeout=60)
    assert r.status_code == 409, r.text

    meta = requests.get(f"{api.api}/metadata/{model_id}", timeout=60).json()
    assert meta["model_params"]["params"] == model["model_params"]["params"]
    assert meta["data_params"]["dataset_id"] == dataset_id
    assert meta["artifact_size"] == len(weights)

    r = requests.get(f"{api.api}/model/{model_id}", timeout=60)
    assert r.status_code == 200 and r.content == weights
    assert r.headers["ETag"] == '"0x' + keccak(weights).hex() + '"'
    r = requests.get(f"{api.api}/dataset/{dataset_id}", headers={"Range": "bytes=70000-70099"}, timeout=60)
    assert r.status_code == 206 and r.content == data[70000:70100]

    listed = requests.get(f"{api.api}/models", params={"organization_id": "acme", "dataset": dataset_id}, timeout=60).json()
    assert [m["model_id"] for m in listed["models"]] == [model_id]

    # A flipped byte in the stored dataset: refused before the first byte.
    stored = [p for p in (api.datadir / "objects" / "acme" / "datasets").rglob("*") if p.is_file()]
    assert len(stored) == 1
    raw = bytearray(stored[0].read_bytes())
    raw[10] ^= 1
    stored[0].write_bytes(bytes(raw))
    r = requests.get(f"{api.api}/dataset/{dataset_id}", timeout=60)
    assert r.status_code == 409 and r.json()["error"] == "integrity", r.text


def test_bad_uploads_store_nothing(api):
    before = sorted(p for p in (api.datadir / "objects").rglob("*") if p.is_file())
    # Client hash that disagrees with the file.
    r = requests.post(f"{api.api}/dataset", files={"file": ("a.csv", csv_bytes(3))},
                      data={"metadata": json.dumps({"organization_id": "acme", "hash": "0x" + "00" * 32})}, timeout=60)
    assert r.status_code == 422 and r.json()["field"] == "hash", r.text
    # Invalid metadata JSON, missing file part, wrong content type.
    r = requests.post(f"{api.api}/dataset", files={"file": ("a.csv", csv_bytes(3))}, data={"metadata": "{"}, timeout=60)
    assert r.status_code == 422 and r.json()["field"] == "metadata", r.text
    r = requests.post(f"{api.api}/dataset", files={"metadata": (None, json.dumps({"organization_id": "acme"}))}, timeout=60)
    assert r.status_code == 422, r.text
    r = requests.post(f"{api.api}/dataset", data=b"x", headers={"content-type": "text/plain"}, timeout=60)
    assert r.status_code == 415, r.text
    # Unknown dataset.
    r = requests.post(f"{api.api}/model", json={"model_params": {"developer_id": "d", "organization_id": "acme",
                                                                 "train_image": "i"},
                                                "data_params": {"dataset_id": "00000000-0000-0000-0000-000000000000"}},
                      timeout=60)
    assert r.status_code == 404 and "data_params.dataset_id" in r.json()["error"], r.text
    after = sorted(p for p in (api.datadir / "objects").rglob("*") if p.is_file())
    assert after == before
