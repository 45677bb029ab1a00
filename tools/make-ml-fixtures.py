#!/usr/bin/env python3
"""Writes the PyTorch reference values the MLedger ML tests compare against.

Run once with a Python that has torch (CPU build) and numpy:
    python3 -m venv /tmp/torch-venv && /tmp/torch-venv/bin/pip install 'torch==2.13.0+cpu' numpy
    /tmp/torch-venv/bin/python tools/make-ml-fixtures.py
The outputs go to Tests/MLTests/Fixtures/*.json and are committed; the tests never need torch.
Every tensor is stored as {"shape": [...], "data": [... float32 values ...]}.
"""
import json
import os

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "MLTests", "Fixtures")


def enc(t):
    t = t.detach().to(torch.float32).contiguous()
    return {"shape": list(t.shape), "data": [float(x) for x in t.reshape(-1).tolist()]}


def write(name, obj):
    path = os.path.join(OUT, name)
    with open(path, "w") as f:
        json.dump(obj, f, separators=(",", ":"))
    print(f"{path}: {os.path.getsize(path)} bytes")


def module_case(module, x, extra_outputs):
    """Forward, then backward of sum(out_i * u_i) with fixed upstream tensors u_i."""
    x = x.clone().requires_grad_(True)
    outs = extra_outputs(module, x)
    gen = torch.Generator().manual_seed(7)
    upstream = [torch.randn(o.shape, generator=gen) for o in outs]
    loss = sum((o * u).sum() for o, u in zip(outs, upstream))
    loss.backward()
    return {
        "params": {k: enc(v) for k, v in module.state_dict().items()},
        "input": enc(x),
        "outputs": [enc(o) for o in outs],
        "upstream": [enc(u) for u in upstream],
        "grads": {k: enc(p.grad) for k, p in module.named_parameters()},
        "input_grad": enc(x.grad),
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(2024)

    linear = torch.nn.Linear(5, 3)
    write("linear.json", module_case(linear, torch.randn(4, 5), lambda m, x: [m(x)]))

    gru = torch.nn.GRU(3, 4, num_layers=2, batch_first=True)
    write("gru.json", module_case(gru, torch.randn(2, 5, 3), lambda m, x: list(m(x))))

    lstm = torch.nn.LSTM(3, 4, num_layers=2, batch_first=True)

    def lstm_outputs(m, x):
        out, (h, c) = m(x)
        return [out, h, c]

    write("lstm.json", module_case(lstm, torch.randn(2, 5, 3), lstm_outputs))

    # Optimisers: a Linear(3 -> 2) fitted with MSE on fixed data for a few steps.
    x = torch.randn(6, 3)
    y = torch.randn(6, 2)
    start = torch.nn.Linear(3, 2)
    initial = {k: v.clone() for k, v in start.state_dict().items()}
    cases = {}
    settings = {
        "adam": lambda p: torch.optim.Adam(p, lr=0.005, betas=(0.9, 0.99)),
        "adam_l2": lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.8, 0.95), eps=1e-6, weight_decay=0.1),
        "adamw": lambda p: torch.optim.AdamW(p, lr=0.01, betas=(0.9, 0.999), weight_decay=0.05),
        "sgd_momentum": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, weight_decay=0.01),
        "sgd_nesterov": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.8, dampening=0.0, nesterov=True),
    }
    for name, make in settings.items():
        model = torch.nn.Linear(3, 2)
        model.load_state_dict(initial)
        opt = make(model.parameters())
        steps = []
        for _ in range(5):
            opt.zero_grad()
            loss = torch.nn.functional.mse_loss(model(x), y)
            loss.backward()
            opt.step()
            steps.append({k: enc(v) for k, v in model.state_dict().items()})
        cases[name] = steps
    write("optimizers.json", {"initial": {k: enc(v) for k, v in initial.items()}, "x": enc(x), "y": enc(y), "steps": cases})


if __name__ == "__main__":
    main()
