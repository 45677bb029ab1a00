"""ONNX translation both ways against the real tools: MLedger's exports pass `onnx.checker` and
match onnxruntime (1 thread) within 1e-5 on 1,000 seeded inputs; torch.onnx and skl2onnx exports
import and match PyTorch and scikit-learn; torch.save checkpoints load; a pickle naming
`os.system` is refused; truncated and oversized files are refused; and the REST translate flow
anchors a child record (parent, relation, certificate hash) read back with web3.py by ABI."""

import json
import os
import warnings
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import requests
import torch
from eth_utils import keccak
from safetensors.torch import save_file
from web3 import Web3

from dev_chain import REPO_ROOT
from ledger_helpers import make_web3
from mledger_node import mledger, start_rest_dev_node

warnings.filterwarnings("ignore")
torch.set_num_threads(1)
MODEL_ABI = json.loads((REPO_ROOT / "contracts" / "build" / "ModelRecord.json").read_text())["abi"]
TRANSLATED_FROM = 1


# --- Reference models in PyTorch, named like MLedger's architectures -------------------------------

class Recurrent(torch.nn.Module):
    """GRU/LSTM stack → last step → linear head (+ activation), batch first."""

    def __init__(self, kind, inputs, hidden, layers, outputs, head_act=None, name="gru", extra=None):
        super().__init__()
        cls = torch.nn.GRU if kind == "gru" else torch.nn.LSTM
        setattr(self, name, cls(inputs, hidden, num_layers=layers, batch_first=True))
        self.rnn_name, self.kind, self.head_act, self.extra = name, kind, head_act, extra
        if extra:
            self.fc1 = torch.nn.Linear(hidden, hidden)
            self.fc2 = torch.nn.Linear(hidden, outputs)
        else:
            self.head = torch.nn.Linear(hidden, outputs)
        self.arch = {"name": f"{kind}-test", "format": "mledger-ml/1", "input": {"window": 0, "features": inputs},
                     "layers": [{"name": name, "type": kind, "input_size": inputs, "hidden_size": hidden, "num_layers": layers,
                                 "batch_first": True, "bias": True}, {"type": "last_time_step"}]
                     + ([{"name": "fc1", "type": "linear", "in_features": hidden, "out_features": hidden}, {"type": "relu"},
                         {"name": "fc2", "type": "linear", "in_features": hidden, "out_features": outputs}] if extra else
                        [{"name": "head", "type": "linear", "in_features": hidden, "out_features": outputs}]
                        + ([{"type": head_act}] if head_act else []))}

    def forward(self, x):
        y, _ = getattr(self, self.rnn_name)(x)
        last = y[:, -1, :]
        if self.extra:
            return self.fc2(torch.relu(self.fc1(last)))
        out = self.head(last)
        return torch.tanh(out) if self.head_act == "tanh" else out


class MLP(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc2, self.fc3 = torch.nn.Linear(7, 32), torch.nn.Linear(32, 16), torch.nn.Linear(16, 2)
        self.arch = {"name": "mlp-test", "format": "mledger-ml/1", "input": {"features": 7}, "layers": [
            {"name": "fc1", "type": "linear", "in_features": 7, "out_features": 32}, {"type": "relu"},
            {"name": "fc2", "type": "linear", "in_features": 32, "out_features": 16}, {"type": "sigmoid"},
            {"name": "fc3", "type": "linear", "in_features": 16, "out_features": 2}]}

    def forward(self, x):
        return self.fc3(torch.sigmoid(torch.relu(self.fc1(x)) @ self.fc2.weight.T + self.fc2.bias))


def energy_gru():
    """energy-gru exactly as `mledger train` writes it (Sources/ML/Models/EnergyForecaster.swift)."""
    m = Recurrent("gru", 1, 64, 2, 24, name="gru", extra=True)
    m.arch = json.loads(mledger_architecture_of_energy_gru())
    return m, 36


def mledger_architecture_of_energy_gru():
    return json.dumps({"name": "energy-gru", "format": "mledger-ml/1",
                       "input": {"window": 36, "features": 1, "scaling": "min-max"}, "output": {"horizon": 24},
                       "layers": [{"name": "gru", "type": "gru", "input_size": 1, "hidden_size": 64, "num_layers": 2,
                                   "batch_first": True, "bias": True}, {"type": "last_time_step"},
                                  {"name": "fc1", "type": "linear", "in_features": 64, "out_features": 64}, {"type": "relu"},
                                  {"name": "fc2", "type": "linear", "in_features": 64, "out_features": 24}]})


def models():
    torch.manual_seed(1234)
    gru = Recurrent("gru", 4, 8, 1, 3)
    lstm = Recurrent("lstm", 3, 16, 2, 5, head_act="tanh", name="lstm")
    egru, window = energy_gru()
    for m, w in ((gru, 10), (lstm, 12)):
        m.arch["input"]["window"] = w
    return {"gru": (gru, [10, 4]), "lstm": (lstm, [12, 3]), "mlp": (MLP(), [7]), "energy-gru": (egru, [36, 1])}


def write_model_dir(directory: Path, model) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "architecture.json").write_text(json.dumps(model.arch))
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, directory / "weights.safetensors",
              metadata={"format": "pt", "architecture": model.arch["name"]})
    return directory


def seeded_inputs(path: Path, row_shape, count=1000, seed=7, scale=2.0) -> np.ndarray:
    x = np.random.default_rng(seed).uniform(-scale, scale, size=[count, *row_shape]).astype(np.float32)
    x[0] = 0
    path.write_text(json.dumps({"shape": list(x.shape), "values": [float(v) for v in x.ravel()]}))
    return x


def read_tensor(doc) -> np.ndarray:
    return np.asarray(doc["values"], dtype=np.float32).reshape(doc["shape"])


def ort_session(path: Path) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def run_ok(*args):
    result = mledger(*args, timeout=600)
    assert result.returncode == 0, result.stderr + result.stdout
    return result.stdout


# --- Export -------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["gru", "lstm", "mlp", "energy-gru"])
def test_exported_models_pass_the_checker_and_match_onnxruntime(tmp_path, name):
    model, row_shape = models()[name]
    model.eval()
    directory = write_model_dir(tmp_path / name, model)
    x = seeded_inputs(tmp_path / "inputs.json", row_shape)
    out = tmp_path / f"{name}.onnx"
    stdout = run_ok("translate", "--model", str(directory), "--out", str(out), "--model-id", f"src-{name}",
                    "--check-inputs", str(tmp_path / "inputs.json"), "--check-outputs", str(tmp_path / "outputs.json"))
    assert "— equivalent" in stdout, stdout

    proto = onnx.load(str(out))
    onnx.checker.check_model(proto, full_check=True)
    assert [o.version for o in proto.opset_import if o.domain in ("", "ai.onnx")] == [17]
    meta = {p.key: p.value for p in proto.metadata_props}
    weights = (directory / "weights.safetensors").read_bytes()
    assert meta["mledger.source_weights_keccak256"] == "0x" + keccak(weights).hex()
    assert meta["mledger.source_model_id"] == f"src-{name}" and meta["mledger.version"]
    batch_dim = proto.graph.input[0].type.tensor_type.shape.dim[0]
    assert batch_dim.dim_param == "batch" and not batch_dim.HasField("dim_value")
    if name != "mlp":
        ops = [n.op_type for n in proto.graph.node]
        assert ops.count("GRU" if name in ("gru", "energy-gru") else "LSTM") == (1 if name == "gru" else 2), ops
        for n in proto.graph.node:
            if n.op_type == "GRU":
                assert {a.name: a.i for a in n.attribute}["linear_before_reset"] == 1

    outputs = json.loads((tmp_path / "outputs.json").read_text())
    native = read_tensor(outputs["native"])
    evaluated = read_tensor(outputs["evaluator"]["output"])
    got = ort_session(out).run(None, {proto.graph.input[0].name: x})[0]
    with torch.no_grad():
        expected = model(torch.from_numpy(x)).numpy()
    assert native.shape == got.shape == (1000, expected.shape[1])
    assert np.abs(native - got).max() <= 1e-5, np.abs(native - got).max()
    assert np.abs(evaluated - got).max() <= 1e-5, np.abs(evaluated - got).max()
    assert np.abs(native - expected).max() <= 1e-5, np.abs(native - expected).max()
    # Any batch size: one window alone gives the same row.
    single = ort_session(out).run(None, {proto.graph.input[0].name: x[3:4]})[0]
    assert np.abs(single[0] - got[3]).max() <= 1e-6

    certificate = json.loads(Path(str(out) + ".certificate.json").read_text())
    assert certificate["equivalent"] is True and certificate["onnx"]["keccak256"] == "0x" + keccak(out.read_bytes()).hex()
    assert certificate["reference"]["count"] == 64 and certificate["max_abs_error"] <= 1e-5
    reference = np.asarray(certificate["reference"]["inputs"], dtype=np.float32).reshape(certificate["reference"]["input_shape"])
    assert (reference[0] == 0).all() and (np.abs(reference) == 100).any()
    recorded = np.asarray(certificate["reference"]["native_outputs"], dtype=np.float32)
    ort_ref = ort_session(out).run(None, {proto.graph.input[0].name: reference})[0].ravel()
    assert np.abs(recorded - ort_ref).max() <= 1e-5 + 1e-5 * np.abs(recorded).max()


# --- Import: torch.onnx --------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["gru", "lstm", "mlp"])
def test_torch_onnx_exports_import_and_match_torch(tmp_path, name):
    model, row_shape = models()[name]
    model.eval()
    path = tmp_path / f"torch-{name}.onnx"
    example = torch.zeros([2, *row_shape])
    torch.onnx.export(model, (example,), str(path), dynamo=False, opset_version=17, input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}})
    x = seeded_inputs(tmp_path / "inputs.json", row_shape, count=200, seed=11)
    stdout = run_ok("import", "--onnx", str(path), "--out", str(tmp_path / "imported"),
                    "--check-inputs", str(tmp_path / "inputs.json"), "--check-outputs", str(tmp_path / "outputs.json"))
    assert "imported as native layers" in stdout and "— equivalent" in stdout, stdout
    outputs = json.loads((tmp_path / "outputs.json").read_text())
    with torch.no_grad():
        expected = model(torch.from_numpy(x)).numpy()
    assert np.abs(read_tensor(outputs["native"]) - expected).max() <= 1e-5
    assert np.abs(read_tensor(outputs["evaluator"]["y"]) - expected).max() <= 1e-5
    # The imported directory is a native model: it translates back to ONNX that onnxruntime agrees with.
    back = tmp_path / "back.onnx"
    run_ok("translate", "--model", str(tmp_path / "imported"), "--out", str(back))
    onnx.checker.check_model(onnx.load(str(back)), full_check=True)
    got = ort_session(back).run(None, {"input": x})[0]
    assert np.abs(got - expected).max() <= 1e-5


# --- Import: skl2onnx ----------------------------------------------------------------------------

def sklearn_cases():
    from sklearn.datasets import make_classification, make_regression
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
    from sklearn.linear_model import LinearRegression, LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.tree import DecisionTreeRegressor

    xr, yr = make_regression(n_samples=400, n_features=6, noise=0.3, random_state=0)
    xc, yc = make_classification(n_samples=400, n_features=6, n_informative=4, n_classes=3, random_state=0)
    xb, yb = make_classification(n_samples=400, n_features=6, random_state=1)
    return {
        "linear-regression": (make_pipeline(StandardScaler(), LinearRegression()).fit(xr, yr), xr, "regressor"),
        "logistic-multiclass": (LogisticRegression(max_iter=500).fit(xc, yc), xc, "classifier"),
        "logistic-binary": (LogisticRegression(max_iter=500).fit(xb, yb), xb, "classifier"),
        "decision-tree": (DecisionTreeRegressor(max_depth=6, random_state=0).fit(xr, yr), xr, "regressor"),
        "forest-regressor": (RandomForestRegressor(n_estimators=10, max_depth=5, random_state=0).fit(xr, yr), xr, "regressor"),
        "forest-classifier": (RandomForestClassifier(n_estimators=10, max_depth=5, random_state=0).fit(xc, yc), xc, "classifier"),
    }


@pytest.mark.parametrize("name", ["linear-regression", "logistic-multiclass", "logistic-binary", "decision-tree",
                                  "forest-regressor", "forest-classifier"])
def test_skl2onnx_models_import_and_match_scikit_learn(tmp_path, name):
    from skl2onnx import to_onnx
    model, x, kind = sklearn_cases()[name]
    x = x.astype(np.float32)
    options = {id(model): {"zipmap": False}} if kind == "classifier" else None
    proto = to_onnx(model, x[:1], target_opset={"": 17, "ai.onnx.ml": 3}, options=options)
    path = tmp_path / f"{name}.onnx"
    path.write_bytes(proto.SerializeToString())
    (tmp_path / "inputs.json").write_text(json.dumps({"shape": list(x.shape), "values": [float(v) for v in x.ravel()]}))
    stdout = run_ok("import", "--onnx", str(path), "--out", str(tmp_path / "imported"),
                    "--check-inputs", str(tmp_path / "inputs.json"), "--check-outputs", str(tmp_path / "outputs.json"))
    assert "MLedger's evaluator" in stdout, stdout
    evaluated = json.loads((tmp_path / "outputs.json").read_text())["evaluator"]
    reference = dict(zip([o.name for o in proto.graph.output], ort_session(path).run(None, {proto.graph.input[0].name: x})))
    if kind == "regressor":
        ours = read_tensor(evaluated["variable"]).ravel()
        expected = model.predict(x)
        assert np.abs(ours - reference["variable"].ravel()).max() <= 1e-4 * max(1, np.abs(expected).max())
        assert np.abs(ours - expected).max() <= 1e-4 * max(1, np.abs(expected).max()), np.abs(ours - expected).max()
    else:
        labels = read_tensor(evaluated["label"]).astype(np.int64)
        probabilities = read_tensor(evaluated["probabilities"])
        assert (labels == reference["label"]).all()
        assert (labels == model.predict(x)).mean() >= 0.995
        assert np.abs(probabilities - reference["probabilities"]).max() <= 1e-5
        assert np.abs(probabilities - model.predict_proba(x)).max() <= 1e-4


# --- PyTorch checkpoints -------------------------------------------------------------------------

def test_torch_save_and_safetensors_checkpoints_load(tmp_path):
    model, _ = energy_gru()
    model.eval()
    (tmp_path / "arch.json").write_text(mledger_architecture_of_energy_gru())
    torch.save(model.state_dict(), tmp_path / "energy.pt")
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, tmp_path / "energy.safetensors")
    x = seeded_inputs(tmp_path / "inputs.json", [36, 1], count=100, seed=5, scale=1.0)
    with torch.no_grad():
        expected = model(torch.from_numpy(x)).numpy()
    for source in ("energy.pt", "energy.safetensors"):
        out = tmp_path / f"dir-{source}"
        stdout = run_ok("import", "--pt", str(tmp_path / source), "--arch", str(tmp_path / "arch.json"), "--out", str(out),
                        "--check-inputs", str(tmp_path / "inputs.json"), "--check-outputs", str(tmp_path / "outputs.json"))
        assert "imported checkpoint" in stdout
        native = read_tensor(json.loads((tmp_path / "outputs.json").read_text())["native"])
        assert np.abs(native - expected).max() <= 1e-5
        # The directory is what `mledger train` writes: with a scaler beside it, `mledger predict` reads it.
        (out / "preprocessing.json").write_text(json.dumps({"scaler": "min-max", "min": 0, "max": 1}))
        (tmp_path / "window.json").write_text(json.dumps({"instances": [x[1].ravel().tolist()]}))
        predicted = json.loads(run_ok("predict", "--model", str(out), "--input", str(tmp_path / "window.json")))
        assert np.abs(np.asarray(predicted["predictions"][0]) - expected[1]).max() <= 1e-5


class Owned:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_pickle_naming_os_system_is_refused(tmp_path):
    marker = tmp_path / "owned"
    torch.save({"weight": Owned(marker)}, tmp_path / "evil.pt")
    (tmp_path / "arch.json").write_text(json.dumps(MLP().arch))
    result = mledger("import", "--pt", str(tmp_path / "evil.pt"), "--arch", str(tmp_path / "arch.json"), "--out", str(tmp_path / "d"))
    assert result.returncode != 0
    assert "posix.system" in result.stderr and "not allowed" in result.stderr, result.stderr
    assert not marker.exists() and not (tmp_path / "d").exists()


def test_truncated_and_oversized_onnx_files_are_refused(tmp_path):
    model, row_shape = models()["mlp"]
    out = tmp_path / "mlp.onnx"
    run_ok("translate", "--model", str(write_model_dir(tmp_path / "mlp", model)), "--out", str(out))
    data = out.read_bytes()
    for cut in (1, 10, len(data) // 3, len(data) - 5):
        (tmp_path / "cut.onnx").write_bytes(data[:cut])
        result = mledger("import", "--onnx", str(tmp_path / "cut.onnx"), "--out", str(tmp_path / f"cut{cut}"))
        assert result.returncode == 1 and "malformed ONNX model" in result.stderr, (cut, result.stderr)
    with open(tmp_path / "huge.onnx", "wb") as f:
        f.truncate(300 << 20)  # sparse: 300 MiB of zeros
    result = mledger("import", "--onnx", str(tmp_path / "huge.onnx"), "--out", str(tmp_path / "huge"))
    assert result.returncode == 1 and "exceeds" in result.stderr, result.stderr


# --- REST: POST /translate/{id} ------------------------------------------------------------------

@pytest.fixture(scope="module")
def api(tmp_path_factory):
    node = start_rest_dev_node(tmp_path_factory.mktemp("translate") / "node.log")
    yield node
    assert node.stop() == 0, node.log_tail()


def register_energy_model(api, weights: bytes, organization="acme", finalize=True):
    data = "".join(f"{i % 24 * 10.5}\n" for i in range(2000)).encode()
    r = requests.post(f"{api.api}/dataset", files={"file": ("pv.csv", b"power_w\n" + data)},
                      data={"metadata": json.dumps({"organization_id": organization})}, timeout=60)
    assert r.status_code == 200, r.text
    params = {"developer_id": "dev-1", "organization_id": organization, "train_image": "mledger/energy-gru",
              "params": {"epochs": 50}, "seeds": [42], "architecture": json.loads(mledger_architecture_of_energy_gru()),
              "input_shape": [36, 1], "output_shape": [24]}
    body = {"model_params": params, "data_params": {"dataset_id": r.json()["dataset_id"]}}
    if finalize:
        r = requests.post(f"{api.api}/model", files={"model": ("weights.safetensors", weights)},
                          data={"metadata": json.dumps(body)}, timeout=60)
    else:
        r = requests.post(f"{api.api}/model", json=body, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()["model_id"]


def test_rest_translate_flow(api, tmp_path):
    model, _ = energy_gru()
    model.eval()
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, tmp_path / "w.safetensors",
              metadata={"format": "pt", "architecture": "energy-gru"})
    weights = (tmp_path / "w.safetensors").read_bytes()
    source = register_energy_model(api, weights)

    r = requests.post(f"{api.api}/translate/{source}", params={"organization_id": "acme"}, timeout=120)
    assert r.status_code == 200, r.text
    answer = r.json()
    child = answer["model_id"]
    assert child != source and answer["max_abs_error"] <= 1e-5

    r = requests.get(f"{api.api}/model/{child}", params={"organization_id": "acme"}, timeout=60)
    assert r.status_code == 200, r.text
    onnx_bytes = r.content
    assert "0x" + keccak(onnx_bytes).hex() == answer["onnx_keccak256"]
    (tmp_path / "child.onnx").write_bytes(onnx_bytes)
    proto = onnx.load(str(tmp_path / "child.onnx"))
    onnx.checker.check_model(proto, full_check=True)
    x = np.random.default_rng(3).uniform(0, 1, size=[50, 36, 1]).astype(np.float32)
    with torch.no_grad():
        expected = model(torch.from_numpy(x)).numpy()
    assert np.abs(ort_session(tmp_path / "child.onnx").run(None, {"input": x})[0] - expected).max() <= 1e-5

    meta = requests.get(f"{api.api}/model/{child}/metadata", params={"organization_id": "acme"}, timeout=60).json()
    params = meta["model_params"]
    assert params["backend"] == "onnx" and params["parent_model_id"] == source
    assert params["developer_id"] == "dev-1" and params["params"] == {"epochs": 50} and params["seeds"] == [42]
    certificate = params["translation"]["certificate"]
    assert certificate["equivalent"] is True and certificate["onnx"]["keccak256"] == answer["onnx_keccak256"]
    assert certificate["source"]["weights_keccak256"] == "0x" + keccak(weights).hex()
    assert params["translation"]["certificate_keccak256"] == answer["certificate_keccak256"]

    source_meta = requests.get(f"{api.api}/model/{source}/metadata", params={"organization_id": "acme"}, timeout=60).json()
    w3 = make_web3(api.port)
    record = w3.eth.contract(address=Web3.to_checksum_address(meta["contract_address"]), abi=MODEL_ABI)
    assert record.functions.parent().call() == Web3.to_checksum_address(source_meta["contract_address"])
    assert record.functions.relation().call() == TRANSLATED_FROM
    assert record.functions.backend().call() == "onnx"
    assert record.functions.weightsHash().call() == keccak(onnx_bytes)
    assert "0x" + record.functions.metricsHash().call().hex() == answer["certificate_keccak256"]
    parent_record = w3.eth.contract(address=Web3.to_checksum_address(source_meta["contract_address"]), abi=MODEL_ABI)
    for invariant in ("developerId", "architectureHash", "hyperParameters", "getSeeds", "trainingRecipe", "getDatasets",
                      "getInputShape", "getOutputShape"):
        assert getattr(record.functions, invariant)().call() == getattr(parent_record.functions, invariant)().call(), invariant


def test_rest_translate_refuses_unfinalized_foreign_and_unknown_models(api, tmp_path):
    pending = register_energy_model(api, b"", finalize=False)
    r = requests.post(f"{api.api}/translate/{pending}", params={"organization_id": "acme"}, timeout=60)
    assert r.status_code == 409, r.text
    assert "not finalized" in r.json()["error"]

    model, _ = energy_gru()
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, tmp_path / "w.safetensors",
              metadata={"format": "pt", "architecture": "energy-gru"})
    theirs = register_energy_model(api, (tmp_path / "w.safetensors").read_bytes(), organization="globex")
    r = requests.post(f"{api.api}/translate/{theirs}", params={"organization_id": "acme"}, timeout=60)
    assert r.status_code == 404, r.text
    r = requests.post(f"{api.api}/translate/not-a-uuid", params={"organization_id": "acme"}, timeout=60)
    assert r.status_code == 422, r.text
    listed = requests.get(f"{api.api}/models", params={"organization_id": "acme"}, timeout=60).json()
    assert all(m["model_params"].get("backend") != "onnx" or m["model_params"].get("parent_model_id") != pending
               for m in listed["models"])


@pytest.mark.parametrize("linear_before_reset", [0, 1])
def test_gru_graph_built_with_onnx_helper_matches_onnxruntime(tmp_path, linear_before_reset):
    """A hand-built ONNX GRU (time-major, with an initial state): MLedger's evaluator against
    onnxruntime, both reset-gate forms (0 has no PyTorch form, so it stays a graph)."""
    from onnx import TensorProto, helper, numpy_helper
    rng = np.random.default_rng(21 + linear_before_reset)
    seq, batch, inputs, hidden = 6, 4, 3, 5
    weights = [rng.uniform(-0.7, 0.7, size=s).astype(np.float32)
               for s in ([1, 3 * hidden, inputs], [1, 3 * hidden, hidden], [1, 6 * hidden], [1, batch, hidden])]
    names = ["W", "R", "B", "h0"]
    graph = helper.make_graph(
        [helper.make_node("GRU", ["X", "W", "R", "B", "", "h0"], ["Y", "Y_h"], hidden_size=hidden,
                          linear_before_reset=linear_before_reset)],
        "gru", [helper.make_tensor_value_info("X", TensorProto.FLOAT, [seq, batch, inputs])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [seq, 1, batch, hidden]),
         helper.make_tensor_value_info("Y_h", TensorProto.FLOAT, [1, batch, hidden])],
        [numpy_helper.from_array(w, n) for w, n in zip(weights, names)])
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    proto.ir_version = 8
    onnx.checker.check_model(proto, full_check=True)
    path = tmp_path / "gru.onnx"
    path.write_bytes(proto.SerializeToString())
    x = rng.uniform(-2, 2, size=[seq, batch, inputs]).astype(np.float32)
    (tmp_path / "inputs.json").write_text(json.dumps({"shape": list(x.shape), "values": [float(v) for v in x.ravel()]}))
    run_ok("import", "--onnx", str(path), "--out", str(tmp_path / "imported"),
           "--check-inputs", str(tmp_path / "inputs.json"), "--check-outputs", str(tmp_path / "outputs.json"))
    ours = json.loads((tmp_path / "outputs.json").read_text())["evaluator"]
    y, y_h = ort_session(path).run(None, {"X": x})
    assert np.abs(read_tensor(ours["Y"]) - y).max() <= 1e-5
    assert np.abs(read_tensor(ours["Y_h"]) - y_h).max() <= 1e-5
