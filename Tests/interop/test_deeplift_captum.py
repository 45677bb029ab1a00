"""DeepLIFT of `mledger explain` against Captum's DeepLift on the same PyTorch model.

The model is energy-gru trained by `mledger train` (one epoch on the first 600 hours of the PV
series), its weights.safetensors loaded into a PyTorch model written with explicit GRU cells:
every sigmoid and tanh of every layer and time step is its own nn module, so Captum hooks each
one and applies the rescale rule to it, exactly where MLedger does. The model runs in float64.

- `--product-rule gradient` is compared with plain Captum: products r*g, (1-z)*n and z*h are
  ordinary tensor products that Captum cannot hook, so they pass the ordinary gradient at the
  input. Captum's convergence delta (non-zero for a GRU) must equal MLedger's.
- The default `averaged` rule is compared with Captum on the same model whose three products go
  through a small autograd function passing each factor the mean of the other factor's input and
  baseline values (Captum's doubled batch pairs row i with row i+B). Here both sum to the
  output change.
Tolerance: |MLedger - Captum| <= 1e-7 + 1e-6 * max|attribution| (both in double precision; the
difference is the order of floating-point sums).
"""
import json
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
from captum.attr import DeepLift
from safetensors.torch import load_file
from torch import nn

from dev_chain import REPO_ROOT
from mledger_node import mledger

SERIES = REPO_ROOT.parent / "shared" / "datasets" / "pv-greensboro-hourly.csv"
HIDDEN, STEPS, LAYERS = 64, 36, 2


class AveragedProduct(torch.autograd.Function):
    """a*b whose backward passes each factor the mean of the other factor over the input row
    and its baseline row (rows i and i+B of Captum's doubled batch)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        half = a.shape[0] // 2
        swap = lambda t: torch.cat([t[half:], t[:half]])
        return grad * (b + swap(b)) / 2, grad * (a + swap(a)) / 2


class ExplicitGRUForecaster(nn.Module):
    """energy-gru with the GRU unrolled: PyTorch's gate equations, one module per nonlinearity."""

    def __init__(self, state, product):
        super().__init__()
        self.product = product
        self.weights = {k: v.double() for k, v in state.items() if k.startswith("gru.")}
        self.sig_r = nn.ModuleList(nn.Sigmoid() for _ in range(LAYERS * STEPS))
        self.sig_z = nn.ModuleList(nn.Sigmoid() for _ in range(LAYERS * STEPS))
        self.tanh_n = nn.ModuleList(nn.Tanh() for _ in range(LAYERS * STEPS))
        self.fc1, self.relu, self.fc2 = nn.Linear(HIDDEN, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, 24)
        with torch.no_grad():
            for name in ("fc1", "fc2"):
                getattr(self, name).weight.copy_(state[f"{name}.weight"])
                getattr(self, name).bias.copy_(state[f"{name}.bias"])
        self.double()

    def forward(self, x):
        sequence = [x[:, t:t + 1] for t in range(x.shape[1])]
        H = HIDDEN
        for layer in range(LAYERS):
            w_ih, w_hh = self.weights[f"gru.weight_ih_l{layer}"], self.weights[f"gru.weight_hh_l{layer}"]
            b_ih, b_hh = self.weights[f"gru.bias_ih_l{layer}"], self.weights[f"gru.bias_hh_l{layer}"]
            h = torch.zeros(x.shape[0], H, dtype=x.dtype)
            outputs = []
            for t, inp in enumerate(sequence):
                k = layer * STEPS + t
                gi = inp @ w_ih.T + b_ih
                gh = h @ w_hh.T + b_hh
                r = self.sig_r[k](gi[:, :H] + gh[:, :H])
                z = self.sig_z[k](gi[:, H:2 * H] + gh[:, H:2 * H])
                n = self.tanh_n[k](gi[:, 2 * H:] + self.product(r, gh[:, 2 * H:]))
                h = self.product(1 - z, n) + self.product(z, h)
                outputs.append(h)
            sequence = outputs
        return self.fc2(self.relu(self.fc1(sequence[-1])))


class SumOfOutputs(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        return self.model(x).sum(dim=1, keepdim=True)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    if not SERIES.is_file():
        pytest.fail(f"dataset missing: {SERIES}")
    directory = tmp_path_factory.mktemp("deeplift")
    values = SERIES.read_text().splitlines()
    subset = directory / "series.csv"
    subset.write_text("\n".join(values[:601]) + "\n")
    model_dir = directory / "model"
    result = mledger("train", "--arch", "energy-gru", "--data", str(subset), "--seed", "11", "--epochs", "1",
                     "--out", str(model_dir), timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    raw = np.array([float(v) for v in values[1:]], dtype=np.float64)
    return directory, model_dir, raw


def scaled(model_dir, raw_window):
    """MLedger's min-max scaling, in Float32 as MLedger computes it."""
    pre = json.loads((model_dir / "preprocessing.json").read_text())
    lo, hi = np.float32(pre["min"]), np.float32(pre["max"])
    span = hi - lo if hi > lo else np.float32(1)
    return ((np.asarray(raw_window, dtype=np.float32) - lo) / span).astype(np.float64)


def explain(directory, model_dir, windows, *extra):
    path = directory / "instances.json"
    path.write_text(json.dumps({"instances": [list(map(float, w)) for w in windows]}))
    result = mledger("explain", "--model", str(model_dir), "--input", str(path), *extra)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def captum(model_dir, windows, baseline, product, target):
    state = load_file(str(model_dir / "weights.safetensors"))
    model = ExplicitGRUForecaster(state, product).eval()
    wrapped = SumOfOutputs(model) if target is None else model
    inputs = torch.tensor(np.stack([scaled(model_dir, w) for w in windows]))
    base = torch.zeros_like(inputs) if baseline is None else torch.tensor(scaled(model_dir, baseline)).expand_as(inputs).clone()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        attributions, delta = DeepLift(wrapped).attribute(inputs, baselines=base, target=0 if target is None else target,
                                                          return_convergence_delta=True)
    with torch.no_grad():
        out, out0 = wrapped(inputs), wrapped(base)
    selected = (lambda o: o[:, 0]) if target is None else (lambda o: o[:, target])
    return attributions.detach().numpy(), delta.detach().numpy(), (selected(out) - selected(out0)).numpy(), model


def windows_from(raw):
    # Three windows starting at different hours of day (night, morning, afternoon), after hour 1,000.
    return [raw[start:start + STEPS] for start in (1000, 1007, 1015)]


def assert_close(ours, theirs, label):
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    tolerance = 1e-7 + 1e-6 * np.abs(theirs).max()
    worst = np.abs(ours - theirs).max()
    print(f"{label}: max |MLedger - Captum| = {worst:.2e} (max |attribution| {np.abs(theirs).max():.2e})")
    assert worst <= tolerance, f"{label}: max |MLedger - Captum| = {worst:.3e} > {tolerance:.3e}"


def test_explicit_model_is_the_trained_model(trained):
    """The unrolled PyTorch model forecasts what nn.GRU and `mledger predict` forecast."""
    directory, model_dir, raw = trained
    state = load_file(str(model_dir / "weights.safetensors"))
    explicit = ExplicitGRUForecaster(state, torch.mul)
    gru = nn.GRU(1, HIDDEN, LAYERS, batch_first=True).double()
    gru.load_state_dict({k[4:]: v.double() for k, v in state.items() if k.startswith("gru.")})
    x = torch.tensor(np.stack([scaled(model_dir, w) for w in windows_from(raw)]))
    with torch.no_grad():
        reference = explicit.fc2(explicit.relu(explicit.fc1(gru(x.unsqueeze(-1))[0][:, -1])))
        ours = explicit(x)
    assert torch.allclose(ours, reference, atol=1e-12)
    path = directory / "predict.json"
    path.write_text(json.dumps({"instances": [list(map(float, w)) for w in windows_from(raw)]}))
    result = mledger("predict", "--model", str(model_dir), "--input", str(path))
    assert result.returncode == 0, result.stderr
    pre = json.loads((model_dir / "preprocessing.json").read_text())
    predicted = (np.array(json.loads(result.stdout)["predictions"]) - pre["min"]) / (pre["max"] - pre["min"])
    assert np.abs(predicted - ours.numpy()).max() < 1e-4


@pytest.mark.parametrize("target", [None, 0, 12, 23])
def test_gradient_rule_matches_plain_captum(trained, target):
    directory, model_dir, raw = trained
    windows = windows_from(raw)
    extra = ["--product-rule", "gradient"] + ([] if target is None else ["--output-index", str(target)])
    answer = explain(directory, model_dir, windows, *extra)
    attributions, delta, output_delta, _ = captum(model_dir, windows, None, torch.mul, target)
    for i, explanation in enumerate(answer["explanations"]):
        assert_close(explanation["attributions"], attributions[i], f"window {i} target {target}")
        assert abs(explanation["output_delta"] - output_delta[i]) < 1e-6
        # Captum's delta is Σ attributions − Δf; for a GRU with plain products it is not zero.
        assert abs(explanation["convergence_delta"] - delta[i]) < 1e-6 + 1e-5 * abs(delta[i])
    assert np.abs(delta).max() > 1e-6, "plain Captum summed exactly: the products were not exercised"


@pytest.mark.parametrize("target", [None, 5])
def test_averaged_rule_matches_captum_with_averaged_products(trained, target):
    directory, model_dir, raw = trained
    windows = windows_from(raw)
    extra = [] if target is None else ["--output-index", str(target)]
    answer = explain(directory, model_dir, windows, *extra)
    assert answer["product_rule"] == "averaged"
    attributions, delta, output_delta, _ = captum(model_dir, windows, None, AveragedProduct.apply, target)
    for i, explanation in enumerate(answer["explanations"]):
        assert_close(explanation["attributions"], attributions[i], f"window {i} target {target}")
        assert abs(sum(explanation["attributions"]) - output_delta[i]) < 1e-4   # summation-to-delta
        assert abs(delta[i]) < 1e-8                                            # Captum agrees it is exact


def test_configured_baseline(trained):
    directory, model_dir, raw = trained
    windows = windows_from(raw)[1:]
    baseline = raw[2000:2000 + STEPS]
    path = directory / "baseline.json"
    path.write_text(json.dumps({"baseline": list(map(float, baseline))}))
    answer = explain(directory, model_dir, windows, "--baseline", str(path), "--output-index", "3")
    assert answer["baseline"] == "file"
    attributions, delta, output_delta, _ = captum(model_dir, windows, baseline, AveragedProduct.apply, 3)
    for i, explanation in enumerate(answer["explanations"]):
        assert_close(explanation["attributions"], attributions[i], f"window {i} with baseline")
        assert abs(sum(explanation["attributions"]) - output_delta[i]) < 1e-4


def test_bad_requests_fail_with_a_message(trained):
    directory, model_dir, raw = trained
    path = directory / "short.json"
    path.write_text(json.dumps({"instances": [[1.0] * 35]}))
    result = mledger("explain", "--model", str(model_dir), "--input", str(path))
    assert result.returncode != 0 and "35 values" in result.stderr
    path.write_text(json.dumps({"instances": [list(map(float, raw[:36]))]}))
    result = mledger("explain", "--model", str(model_dir), "--input", str(path), "--output-index", "24")
    assert result.returncode != 0 and "output index 24" in result.stderr
