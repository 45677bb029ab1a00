"""POST /model with foreign model files: a torch.onnx graph, an skl2onnx graph and a torch.save
checkpoint are imported by MLedger's importer, stored, anchored (backend onnx / pytorch) and
served back byte for byte; a truncated graph, a pickle naming os.system and a checkpoint without
an architecture are refused with a 422 that says why, and nothing is stored or anchored.
`mledger audit` of a translated model re-checks its equivalence certificate; a tampered
certificate or ONNX file fails, naming the file."""

import json

import numpy as np
import onnx
import pytest
import requests
import torch
from eth_utils import keccak
from web3 import Web3

from ledger_helpers import make_web3
from mledger_node import mledger, start_rest_dev_node
from safetensors.torch import save_file
from test_onnx_translation import MODEL_ABI, Owned, energy_gru, mledger_architecture_of_energy_gru, models, register_energy_model


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    node = start_rest_dev_node(tmp_path_factory.mktemp("import-api") / "node.log")
    yield node
    assert node.stop() == 0, node.log_tail()


@pytest.fixture(scope="module")
def dataset_id(api):
    rows = "".join(f"{i % 24 * 10.5}\n" for i in range(500)).encode()
    r = requests.post(f"{api.api}/dataset", files={"file": ("pv.csv", b"power_w\n" + rows)},
                      data={"metadata": json.dumps({"organization_id": "acme"})}, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()["dataset_id"]


def post_model(api, dataset_id, filename, content, architecture=None, backend=None):
    params = {"developer_id": "dev-1", "organization_id": "acme", "train_image": "external/import"}
    if backend:
        params["backend"] = backend
    files = {"model": (filename, content)}
    if architecture is not None:
        files["architecture"] = ("architecture.json", architecture)
    metadata = json.dumps({"model_params": params, "data_params": {"dataset_id": dataset_id}})
    return requests.post(f"{api.api}/model", files=files, data={"metadata": metadata}, timeout=120)


def acme(api, path):
    r = requests.get(f"{api.api}{path}", params={"organization_id": "acme"}, timeout=60)
    assert r.status_code == 200, r.text
    return r


def record_of(api, metadata):
    w3 = make_web3(api.port)
    return w3.eth.contract(address=Web3.to_checksum_address(metadata["contract_address"]), abi=MODEL_ABI)


def assert_registered(api, model_id, content, backend):
    """Served back byte for byte; anchored under the backend with the file's hash."""
    assert acme(api, f"/model/{model_id}").content == content
    metadata = acme(api, f"/model/{model_id}/metadata").json()
    assert metadata["model_params"]["backend"] == backend
    record = record_of(api, metadata)
    assert record.functions.backend().call() == backend
    assert record.functions.weightsHash().call() == keccak(content)
    assert record.functions.finalized().call() is True
    return metadata["model_params"]["import"]


def test_post_model_imports_a_torch_onnx_graph(api, dataset_id, tmp_path):
    model, row_shape = models()["gru"]
    model.eval()
    path = tmp_path / "gru.onnx"
    torch.onnx.export(model, (torch.zeros([2, *row_shape]),), str(path), dynamo=False, opset_version=17,
                      input_names=["x"], output_names=["y"], dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}})
    content = path.read_bytes()
    r = post_model(api, dataset_id, "gru.onnx", content)
    assert r.status_code == 200, r.text
    found = assert_registered(api, r.json()["model_id"], content, "onnx")
    assert found["format"] == "onnx" and found["opset"] == 17 and found["inputs"] == ["x"]
    # torch.onnx's GRU graph is a layer stack: read as native layers and certified against the graph.
    assert found["native"] is True and found["max_abs_error"] <= 1e-5, found


def test_post_model_imports_an_skl2onnx_graph_by_backend(api, dataset_id):
    from sklearn.datasets import make_regression
    from sklearn.ensemble import RandomForestRegressor
    from skl2onnx import to_onnx

    x, y = make_regression(n_samples=200, n_features=5, random_state=0)
    forest = RandomForestRegressor(n_estimators=5, max_depth=4, random_state=0).fit(x, y)
    content = to_onnx(forest, x[:1].astype(np.float32), target_opset={"": 17, "ai.onnx.ml": 3}).SerializeToString()
    # No .onnx suffix: the posted backend asks for the import.
    r = post_model(api, dataset_id, "forest.bin", content, backend="onnx")
    assert r.status_code == 200, r.text
    found = assert_registered(api, r.json()["model_id"], content, "onnx")
    # A tree ensemble has no native layers: it stays a graph the evaluator runs.
    assert found["native"] is False and "TreeEnsembleRegressor" in found["evaluator_only_reason"], found


def test_post_model_imports_a_torch_save_checkpoint(api, dataset_id, tmp_path):
    model, _ = energy_gru()
    torch.save(model.state_dict(), tmp_path / "energy.pt")
    content = (tmp_path / "energy.pt").read_bytes()
    r = post_model(api, dataset_id, "energy.pt", content, architecture=mledger_architecture_of_energy_gru())
    assert r.status_code == 200, r.text
    found = assert_registered(api, r.json()["model_id"], content, "pytorch")
    assert found["format"] == "torch.save"
    assert found["parameter_count"] == sum(p.numel() for p in model.state_dict().values())
    assert found["architecture"]["name"] == "energy-gru"


def stored_objects(api):
    return sorted(p for p in (api.datadir / "objects").rglob("*") if p.is_file())


def test_post_model_refuses_bad_imports_and_keeps_nothing(api, dataset_id, tmp_path):
    before_models = acme(api, "/models").json()["models"]
    before_objects = stored_objects(api)
    w3 = make_web3(api.port)
    sender = record_of(api, acme(api, f"/dataset/{dataset_id}/metadata").json()).functions.owner().call()
    before_nonce = w3.eth.get_transaction_count(sender)

    model, row_shape = models()["mlp"]
    path = tmp_path / "mlp.onnx"
    torch.onnx.export(model, (torch.zeros([2, *row_shape]),), str(path), dynamo=False, opset_version=17,
                      input_names=["x"], output_names=["y"])
    truncated = path.read_bytes()[: path.stat().st_size // 2]
    r = post_model(api, dataset_id, "mlp.onnx", truncated)
    assert r.status_code == 422 and "malformed ONNX model" in r.json()["error"], r.text

    marker = tmp_path / "owned"
    torch.save({"weight": Owned(marker)}, tmp_path / "evil.pt")
    r = post_model(api, dataset_id, "evil.pt", (tmp_path / "evil.pt").read_bytes(), architecture=json.dumps(model.arch))
    assert r.status_code == 422, r.text
    assert "posix.system" in r.json()["error"] and "not allowed" in r.json()["error"], r.text
    assert not marker.exists()

    torch.save(model.state_dict(), tmp_path / "mlp.pt")
    r = post_model(api, dataset_id, "mlp.pt", (tmp_path / "mlp.pt").read_bytes())
    assert r.status_code == 422 and "architecture" in r.json()["error"], r.text
    # Weights that do not fit the posted architecture.
    r = post_model(api, dataset_id, "mlp.pt", (tmp_path / "mlp.pt").read_bytes(), architecture=mledger_architecture_of_energy_gru())
    assert r.status_code == 422, r.text
    r = post_model(api, dataset_id, "mlp.pt", (tmp_path / "mlp.pt").read_bytes(), architecture="[not json")
    assert r.status_code == 422 and r.json()["field"] == "architecture", r.text

    assert acme(api, "/models").json()["models"] == before_models
    assert stored_objects(api) == before_objects
    assert w3.eth.get_transaction_count(sender) == before_nonce


# --- mledger audit of a translated model's certificate ------------------------------------------

def audit(api, address, *files):
    return mledger("audit", "--rpc", api.url, "--model", address, *files, timeout=300)


def test_audit_rechecks_the_certificate_of_a_translated_model(api, tmp_path):
    model, _ = energy_gru()
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, tmp_path / "parent.safetensors",
              metadata={"format": "pt", "architecture": "energy-gru"})
    source = register_energy_model(api, (tmp_path / "parent.safetensors").read_bytes())
    r = requests.post(f"{api.api}/translate/{source}", params={"organization_id": "acme"}, timeout=120)
    assert r.status_code == 200, r.text
    child = r.json()["model_id"]
    (tmp_path / "child.onnx").write_bytes(acme(api, f"/model/{child}").content)
    metadata = acme(api, f"/model/{child}/metadata").json()
    certificate = metadata["model_params"]["translation"]["certificate"]
    (tmp_path / "cert.json").write_text(json.dumps(certificate))
    address = Web3.to_checksum_address(metadata["contract_address"])
    files = ["--artifact", str(tmp_path / "child.onnx"), "--certificate", str(tmp_path / "cert.json"),
             "--parent-artifact", str(tmp_path / "parent.safetensors")]

    result = audit(api, address, *files)
    assert result.returncode == 0, result.stdout + result.stderr
    for name in ("translation-certificate", "translation-onnx-file", "translation-reevaluation", "translation-native-outputs",
                 "weights-hash", "lineage"):
        assert f"PASS {name}" in result.stdout, result.stdout

    # Without a certificate the lineage alone is audited; a certificate without the files it names fails.
    result = audit(api, address)
    assert result.returncode == 0 and "translation-" not in result.stdout, result.stdout
    result = audit(api, address, "--certificate", str(tmp_path / "cert.json"))
    assert result.returncode == 1 and "FAIL translation-certificate" in result.stdout and "--parent-artifact" in result.stdout, result.stdout

    # A certificate claiming a smaller error is not the anchored one.
    tampered = dict(certificate, max_abs_error=0.0)
    (tmp_path / "tampered.json").write_text(json.dumps(tampered))
    result = audit(api, address, "--artifact", str(tmp_path / "child.onnx"), "--certificate", str(tmp_path / "tampered.json"),
                   "--parent-artifact", str(tmp_path / "parent.safetensors"))
    assert result.returncode == 1, result.stdout
    line = next(l for l in result.stdout.splitlines() if l.startswith("FAIL translation-certificate"))
    assert "tampered.json" in line and "metricsHash" in line, line

    # An ONNX file with one weight changed: its hash and its outputs no longer match.
    proto = onnx.load(str(tmp_path / "child.onnx"))
    weight = proto.graph.initializer[0]
    values = onnx.numpy_helper.to_array(weight).copy()
    values.flat[0] += 0.5
    weight.CopyFrom(onnx.numpy_helper.from_array(values, weight.name))
    onnx.save(proto, str(tmp_path / "changed.onnx"))
    result = audit(api, address, "--artifact", str(tmp_path / "changed.onnx"), "--certificate", str(tmp_path / "cert.json"),
                   "--parent-artifact", str(tmp_path / "parent.safetensors"))
    assert result.returncode == 1, result.stdout
    for name in ("weights-hash", "translation-onnx-file", "translation-reevaluation"):
        line = next(l for l in result.stdout.splitlines() if l.startswith(f"FAIL {name}"))
        assert "changed.onnx" in line, line
