"""The built-in `sequential` trainer end to end against the live binary, checked with PyTorch CPU:
a small MLP on a CSV trained through REST (and a stacked GRU and an LSTM on windows of a series,
against torch's own nn.GRU / nn.LSTM); its initial weights rebuilt in Python from MLedger's
seeded generator (xoshiro256** seeded by SplitMix64, PyTorch's uniform bounds) so that torch,
trained full-batch from the same start, must follow the same loss curve; the downloaded final
weights run forward in torch and give MLedger's reported validation loss within 1e-5; the model
reproduces from the chain with 1 and 2 threads. Then a schema error (422 naming the field),
auto-start at registration, and a node killed mid-job that resumes from its checkpoint, shows
its persisted progress after the restart and still reproduces."""

import json
import re
import time

import numpy as np
import pytest
import requests
import torch
from safetensors.numpy import load as load_safetensors
from web3 import Web3

from mledger_node import NodeProcess, init_datadir, mledger, start_rest_dev_node, wait_for_rest
from test_training_api import wait_final

MASK64 = (1 << 64) - 1


class MLedgerGenerator:
    """MLedger's SeededGenerator (Sources/ML/Layers/SeededGenerator.swift), rewritten here."""

    def __init__(self, seed: int):
        state = []
        s = seed
        for _ in range(4):
            s = (s + 0x9E3779B97F4A7C15) & MASK64
            z = s
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
            state.append(z ^ (z >> 31))
        self.s = state

    @staticmethod
    def rotl(x, k):
        return ((x << k) | (x >> (64 - k))) & MASK64

    def next(self) -> int:
        s = self.s
        result = (self.rotl((s[1] * 5) & MASK64, 7) * 9) & MASK64
        t = (s[1] << 17) & MASK64
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = self.rotl(s[3], 45)
        return result

    def uniform_tensor(self, shape, bound: np.float32) -> np.ndarray:
        low, span = np.float32(-bound), np.float32(bound) - np.float32(-bound)
        count = int(np.prod(shape))
        units = np.array([np.float32(self.next() >> 40) * np.float32(2.0 ** -24) for _ in range(count)], dtype=np.float32)
        return (low + span * units).astype(np.float32).reshape(shape)


def initial_mlp(seed: int, sizes):
    generator = MLedgerGenerator(seed)
    weights = []
    for fan_in, fan_out in zip(sizes, sizes[1:]):
        bound = np.float32(1) / np.sqrt(np.float32(fan_in))
        w = generator.uniform_tensor((fan_out, fan_in), bound)
        b = generator.uniform_tensor((fan_out,), bound)
        weights.append((w, b))
    return weights


def table(rows: int = 240):
    rng = np.random.default_rng(5)
    x = rng.uniform(-1, 1, size=(rows, 3)).astype(np.float32)
    y = (np.sin(2 * x[:, 0]) + x[:, 1] * x[:, 2] - 0.5 * x[:, 2]).astype(np.float32)
    values = np.column_stack([x, y])
    text = "x1,x2,x3,y\n" + "\n".join(",".join(repr(float(v)) for v in row) for row in values) + "\n"
    # The values as MLedger parses them (decimal text → Float).
    parsed = np.array([[np.float32(float(v)) for v in line.split(",")] for line in text.splitlines()[1:]], dtype=np.float32)
    return text.encode(), parsed


ARCH = {"layers": [{"type": "linear", "units": 16}, {"type": "relu"}, {"type": "linear", "units": 1}]}
ROWS = 240
VALIDATION = 0.25
PARAMS = {"architecture": ARCH, "data": {"features": ["x1", "x2", "x3"], "targets": ["y"]}, "loss": "mse", "optimizer": "adam",
          "lr": 0.01, "epochs": 25, "batch_size": 256, "validation_fraction": VALIDATION, "seed": 13}


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    node = start_rest_dev_node(tmp_path_factory.mktemp("sequential") / "node.log")
    yield node
    assert node.stop() == 0, node.log_tail()


def upload(api: str, org: str, data: bytes) -> str:
    r = requests.post(f"{api}/dataset", files={"file": ("table.csv", data)},
                      data={"metadata": json.dumps({"organization_id": org, "samples_dimension": "(4)"})}, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()["dataset_id"]


def register(api: str, org: str, dataset_id: str, **extra) -> str:
    body = {"model_params": {"developer_id": "dev-1", "organization_id": org, "train_image": "sequential", "seeds": [13], **extra},
            "data_params": {"dataset_id": dataset_id}}
    r = requests.post(f"{api}/model", json=body, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()["model_id"]


def epoch_lines(log_tail):
    found = {}
    for line in log_tail:
        m = re.match(r"epoch (\d+)/\d+ train_loss (\S+)(?: val_loss (\S+))?", line)
        if m:
            found[int(m.group(1))] = (float(m.group(2)), float(m.group(3)) if m.group(3) else None)
    return found


def torch_mlp(weights) -> torch.nn.Sequential:
    model = torch.nn.Sequential(torch.nn.Linear(3, 16), torch.nn.ReLU(), torch.nn.Linear(16, 1))
    with torch.no_grad():
        for layer, (w, b) in zip([model[0], model[2]], weights):
            layer.weight.copy_(torch.from_numpy(np.array(w)))
            layer.bias.copy_(torch.from_numpy(np.array(b)))
    return model


def follow_loss_curve(model, curve, epochs: int, train, validation):
    """Full-batch Adam (lr 0.01, PyTorch's defaults otherwise) in torch from the same start: each
    epoch's training loss (before its step) and validation loss (after it) must match MLedger's
    logged curve. The log prints 6 decimals; float32 summation order adds a little more."""
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01, betas=(0.9, 0.999), eps=1e-8)
    loss_fn = torch.nn.MSELoss()
    for epoch in range(1, epochs + 1):
        optimizer.zero_grad()
        loss = loss_fn(model(train[0]), train[1])
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            val = loss_fn(model(validation[0]), validation[1]).item()
        ours_train, ours_val = curve[epoch]
        assert abs(loss.item() - ours_train) <= 2e-6 + 1e-4 * abs(ours_train), (epoch, loss.item(), ours_train)
        assert abs(val - ours_val) <= 2e-6 + 1e-4 * abs(ours_val), (epoch, val, ours_val)
    assert curve[epochs][0] < 0.5 * curve[1][0], curve


def address_of(api: str, model_id: str) -> str:
    return Web3.to_checksum_address(requests.get(f"{api}/model/{model_id}/metadata", timeout=30).json()["contract_address"])


def test_sequential_mlp_matches_pytorch_and_reproduces(api, tmp_path):
    torch.set_num_threads(1)
    data, values = table(ROWS)
    model_id = register(api.api, "seqco", upload(api.api, "seqco", data))
    r = requests.post(f"{api.api}/train/{model_id}", json=PARAMS, timeout=60)
    assert r.status_code == 202, r.text
    done = wait_final(api.api, r.json()["job_id"])
    assert done["status"] == "succeeded", done
    curve = epoch_lines(done["log_tail"])
    assert sorted(curve) == list(range(1, 26)), done["log_tail"]

    # Torch from MLedger's initial weights, full batch (one batch holds every training row, so
    # the shuffled order only changes the summation order): the same loss curve.
    validation = int(ROWS * VALIDATION)
    train_x, train_y = torch.from_numpy(values[:-validation, :3]), torch.from_numpy(values[:-validation, 3:])
    val_x, val_y = torch.from_numpy(values[-validation:, :3]), torch.from_numpy(values[-validation:, 3:])
    model = torch_mlp(initial_mlp(13, [3, 16, 1]))
    loss_fn = torch.nn.MSELoss()
    follow_loss_curve(model, curve, 25, (train_x, train_y), (val_x, val_y))

    # The final weights MLedger stored, run forward in torch: MLedger's validation loss within 1e-5.
    weights_file = requests.get(f"{api.api}/model/{model_id}", timeout=60)
    assert weights_file.status_code == 200
    tensors = load_safetensors(weights_file.content)
    assert sorted(tensors) == ["layers.0.bias", "layers.0.weight", "layers.2.bias", "layers.2.weight"], sorted(tensors)
    final = torch_mlp([(tensors["layers.0.weight"], tensors["layers.0.bias"]), (tensors["layers.2.weight"], tensors["layers.2.bias"])])
    with torch.no_grad():
        torch_val = loss_fn(final(val_x), val_y).item()
        torch.testing.assert_close(final[0].weight, model[0].weight, atol=1e-3, rtol=0)
    reported = done["result"]["metrics"]["val_loss"]
    assert abs(torch_val - reported) <= 1e-5 * max(1.0, abs(reported)), (torch_val, reported)

    dataset_file = tmp_path / "table.csv"
    dataset_file.write_bytes(data)
    address = address_of(api.api, model_id)
    for threads in ("1", "2"):
        out = mledger("reproduce", "--rpc", api.url, "--model", address, "--dataset", str(dataset_file), "--threads", threads, timeout=300)
        assert out.returncode == 0, out.stdout + out.stderr
        assert f"PASS weights-hash {done['result']['weights_hash']}" in out.stdout, out.stdout


def initial_recurrent(generator: MLedgerGenerator, gates: int, inputs: int, hidden: int, layers: int):
    """A recurrent stack's weights as MLedger draws them: per layer weight_ih, weight_hh, bias_ih,
    bias_hh, all uniform in ±1/√hidden (PyTorch's default), layer 0 first."""
    bound = np.float32(1) / np.sqrt(np.float32(hidden))
    weights = {}
    for layer in range(layers):
        width = inputs if layer == 0 else hidden
        weights[f"weight_ih_l{layer}"] = generator.uniform_tensor((gates * hidden, width), bound)
        weights[f"weight_hh_l{layer}"] = generator.uniform_tensor((gates * hidden, hidden), bound)
        weights[f"bias_ih_l{layer}"] = generator.uniform_tensor((gates * hidden,), bound)
        weights[f"bias_hh_l{layer}"] = generator.uniform_tensor((gates * hidden,), bound)
    return weights


def series_table(rows: int = 160):
    """Two input columns and a target that depends on the last few rows: something to learn."""
    rng = np.random.default_rng(9)
    t = np.arange(rows, dtype=np.float64)
    x1 = np.sin(t / 5) + 0.1 * rng.standard_normal(rows)
    x2 = rng.uniform(-1, 1, rows)
    y = 0.6 * np.roll(x1, 1) - 0.3 * np.roll(x2, 2) + 0.2 * x1 * x2
    text = "x1,x2,y\n" + "\n".join(f"{float(a)!r},{float(b)!r},{float(c)!r}" for a, b, c in zip(x1, x2, y)) + "\n"
    parsed = np.array([[np.float32(float(v)) for v in line.split(",")] for line in text.splitlines()[1:]], dtype=np.float32)
    return text.encode(), parsed


class RecurrentThenLinear(torch.nn.Module):
    """PyTorch's own nn.GRU / nn.LSTM (batch first), its last step's output into one Linear."""

    def __init__(self, kind: str, inputs: int, hidden: int, layers: int):
        super().__init__()
        cls = torch.nn.GRU if kind == "gru" else torch.nn.LSTM
        self.recurrent = cls(inputs, hidden, num_layers=layers, batch_first=True)
        self.head = torch.nn.Linear(hidden, 1)

    def forward(self, x):
        out, _ = self.recurrent(x)
        return self.head(out[:, -1, :])

    def load(self, recurrent: dict, head_weight, head_bias):
        with torch.no_grad():
            for name, value in recurrent.items():
                getattr(self.recurrent, name).copy_(torch.from_numpy(np.array(value)))
            self.head.weight.copy_(torch.from_numpy(np.array(head_weight)))
            self.head.bias.copy_(torch.from_numpy(np.array(head_bias)))
        return self


@pytest.mark.parametrize("kind,hidden,layers", [("gru", 8, 2), ("lstm", 8, 1)])
def test_sequential_recurrent_matches_pytorch(api, tmp_path, kind, hidden, layers):
    """A `sequential` GRU (two stacked layers) and LSTM on windows of a two-column series, trained
    through REST: torch's own nn.GRU / nn.LSTM from MLedger's initial weights follows the logged
    loss curve, and the stored weights give MLedger's validation loss in torch."""
    torch.set_num_threads(1)
    rows, window, epochs, seed = 160, 8, 20, 21
    data, values = series_table(rows)
    params = {"architecture": {"layers": [{"type": kind, "units": hidden, "layers": layers}, {"type": "linear", "units": 1}]},
              "data": {"inputs": ["x1", "x2"], "targets": ["y"], "window": window, "horizon": 1},
              "loss": "mse", "optimizer": "adam", "lr": 0.01, "epochs": epochs, "batch_size": 256,
              "validation_fraction": VALIDATION, "seed": seed}
    model_id = register(api.api, "seqrnn", upload(api.api, "seqrnn", data))
    r = requests.post(f"{api.api}/train/{model_id}", json=params, timeout=60)
    assert r.status_code == 202, r.text
    done = wait_final(api.api, r.json()["job_id"])
    assert done["status"] == "succeeded", done
    curve = epoch_lines(done["log_tail"])
    assert sorted(curve) == list(range(1, epochs + 1)), done["log_tail"]

    # Windows as MLedger cuts them: `window` rows of both inputs, the next row's y; the last
    # quarter (chronologically) validates.
    count = rows - window
    x = torch.from_numpy(np.stack([values[i:i + window, :2] for i in range(count)]))
    y = torch.from_numpy(values[window:window + count, 2:3].copy())
    validation = int(count * VALIDATION)
    train_x, train_y, val_x, val_y = x[:-validation], y[:-validation], x[-validation:], y[-validation:]

    generator = MLedgerGenerator(seed)
    recurrent = initial_recurrent(generator, 3 if kind == "gru" else 4, 2, hidden, layers)
    head_bound = np.float32(1) / np.sqrt(np.float32(hidden))
    head_weight = generator.uniform_tensor((1, hidden), head_bound)
    head_bias = generator.uniform_tensor((1,), head_bound)
    model = RecurrentThenLinear(kind, 2, hidden, layers).load(recurrent, head_weight, head_bias)
    loss_fn = torch.nn.MSELoss()
    follow_loss_curve(model, curve, epochs, (train_x, train_y), (val_x, val_y))

    weights_file = requests.get(f"{api.api}/model/{model_id}", timeout=60)
    assert weights_file.status_code == 200
    tensors = load_safetensors(weights_file.content)
    assert sorted(tensors) == sorted([f"layers.0.{name}" for name in recurrent] + ["layers.1.bias", "layers.1.weight"]), sorted(tensors)
    final = RecurrentThenLinear(kind, 2, hidden, layers).load({name: tensors[f"layers.0.{name}"] for name in recurrent},
                                                              tensors["layers.1.weight"], tensors["layers.1.bias"])
    with torch.no_grad():
        torch_val = loss_fn(final(val_x), val_y).item()
    reported = done["result"]["metrics"]["val_loss"]
    assert abs(torch_val - reported) <= 1e-5 * max(1.0, abs(reported)), (kind, torch_val, reported)

    dataset_file = tmp_path / "series.csv"
    dataset_file.write_bytes(data)
    out = mledger("reproduce", "--rpc", api.url, "--model", address_of(api.api, model_id), "--dataset", str(dataset_file),
                  "--threads", "2", timeout=300)
    assert out.returncode == 0 and f"PASS weights-hash {done['result']['weights_hash']}" in out.stdout, out.stdout + out.stderr


def test_schema_errors_are_422_naming_the_field(api):
    data, _ = table(60)
    model_id = register(api.api, "seqco", upload(api.api, "seqco", data))
    bad = json.loads(json.dumps(PARAMS))
    bad["architecture"]["layers"][2]["units"] = 0
    r = requests.post(f"{api.api}/train/{model_id}", json=bad, timeout=30)
    assert r.status_code == 422 and r.json()["field"] == "architecture.layers[2].units", r.text
    r = requests.post(f"{api.api}/train/{model_id}", json={**PARAMS, "data": {"features": ["x1"], "targets": ["y"], "window": 4}}, timeout=30)
    assert r.status_code == 422 and r.json()["field"] == "data.features", r.text
    r = requests.post(f"{api.api}/train/{model_id}", json={**PARAMS, "loss": "cross_entropy"}, timeout=30)
    assert r.status_code == 422 and r.json()["field"] == "architecture.layers", r.text
    # A column the file lacks is only known once the data is read: the job fails naming it.
    r = requests.post(f"{api.api}/train/{model_id}", json={**PARAMS, "data": {"features": ["x9"], "targets": ["y"]}}, timeout=30)
    assert r.status_code == 202, r.text
    done = wait_final(api.api, r.json()["job_id"], 60)
    assert done["status"] == "failed" and 'no column "x9"' in done["error"], done


def test_registration_with_parameters_starts_training(api):
    data, _ = table(120)
    dataset_id = upload(api.api, "autoco", data)
    params = {k: v for k, v in PARAMS.items() if k != "architecture"}
    params["epochs"] = 3
    model_id = register(api.api, "autoco", dataset_id, params=params, architecture=ARCH)
    deadline = time.monotonic() + 30
    while not (jobs := requests.get(f"{api.api}/train", params={"model_id": model_id}, timeout=30).json()["jobs"]):
        assert time.monotonic() < deadline, "no job was queued for the registered model"
        time.sleep(0.1)
    done = wait_final(api.api, jobs[0]["job_id"])
    assert done["status"] == "succeeded" and done["progress"]["epochs_done"] == 3, done
    # The registered architecture joined the registered params in the anchored recipe.
    assert done["params"]["architecture"]["layers"][0]["units"] == 16 and done["params"]["epochs"] == 3, done["params"]
    # Without parameters nothing starts; with parameters that fail the schema a failed job says why.
    quiet = register(api.api, "autoco", dataset_id)
    broken = register(api.api, "autoco", dataset_id, params={**params, "optimizer": "rmsprop"}, architecture=ARCH)
    time.sleep(1.5)
    assert requests.get(f"{api.api}/train", params={"model_id": quiet}, timeout=30).json()["jobs"] == []
    failed = requests.get(f"{api.api}/train", params={"model_id": broken}, timeout=30).json()["jobs"]
    assert len(failed) == 1 and failed[0]["status"] == "failed" and "optimizer" in failed[0]["error"], failed


def test_killed_job_resumes_from_its_checkpoint(tmp_path, monkeypatch):
    monkeypatch.setenv("MLEDGER_PASSPHRASE", "interop sequential passphrase")
    datadir = tmp_path / "data"
    init_datadir(datadir)
    node = wait_for_rest(NodeProcess(datadir, extra_args=("--train-threads", "1")).start())
    try:
        data, _ = table(6000)
        model_id = register(node.api, "acme", upload(node.api, "acme", data))
        params = {**PARAMS, "architecture": {"layers": [{"type": "linear", "units": 64}, {"type": "tanh"}, {"type": "dropout", "p": 0.1},
                                                        {"type": "linear", "units": 64}, {"type": "relu"}, {"type": "linear", "units": 1}]},
                  "epochs": 30, "batch_size": 8}
        job = requests.post(f"{node.api}/train/{model_id}", json=params, timeout=30).json()
        deadline = time.monotonic() + 180
        while requests.get(f"{node.api}/train/{job['job_id']}", timeout=30).json()["progress"].get("epochs_done", 0) < 3:
            assert time.monotonic() < deadline, "the job never finished an epoch"
            time.sleep(0.1)
        node.kill()
        node = NodeProcess(datadir, extra_args=("--train-threads", "2", "--no-train-autostart")).start()
        node = wait_for_rest(node)
        # The progress written at each finished epoch survives the process.
        seen = requests.get(f"{node.api}/train/{job['job_id']}", timeout=30).json()
        assert seen["progress"]["epochs_done"] >= 2, json.dumps(seen)
        assert any(line.startswith("epoch 2/30 train_loss") for line in seen["log_tail"]), seen["log_tail"]
        done = wait_final(node.api, job["job_id"], 600)
        assert done["status"] == "succeeded", done
        resumed = [line for line in done["log_tail"] if line.startswith("resuming from the checkpoint of epoch")]
        assert resumed, done["log_tail"]
        assert not list((datadir / "training-checkpoints").glob("*/checkpoint.safetensors")), "checkpoint left after the job ended"
        dataset_file = tmp_path / "table.csv"
        dataset_file.write_bytes(data)
        out = mledger("reproduce", "--rpc", node.url, "--model", address_of(node.api, model_id), "--dataset", str(dataset_file),
                      "--threads", "1", timeout=600)
        assert out.returncode == 0 and f"PASS weights-hash {done['result']['weights_hash']}" in out.stdout, out.stdout + out.stderr
    finally:
        node.kill()
