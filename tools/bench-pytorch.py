#!/usr/bin/env python3
"""PyTorch CPU figures for the energy-gru reference model, printed as one JSON line so that
`mledger-bench ml` can show them beside MLedger's own.

Usage: bench-pytorch.py [--threads N] [--data FILE.csv]
Measures (fastest single call, the figure least disturbed on a shared machine): one Adam training step on a batch of 128 windows of 36 (ms), one epoch over the
8,760-hour series with a 10 % validation split (s), and a single-window forecast (µs).
"""
import argparse
import json
import time

import torch


class EnergyGRU(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = torch.nn.GRU(1, 64, num_layers=2, batch_first=True)
        self.fc1 = torch.nn.Linear(64, 64)
        self.fc2 = torch.nn.Linear(64, 24)

    def forward(self, x):
        out, _ = self.gru(x)
        return self.fc2(torch.relu(self.fc1(out[:, -1, :])))


def load_series(path):
    values = []
    if path:
        with open(path) as f:
            for line in f:
                line = line.strip()
                try:
                    values.append(float(line))
                except ValueError:
                    continue
    if len(values) < 100:
        values = [max(0.0, torch.sin(torch.tensor(i * 3.14159 / 12)).item()) for i in range(8760)]
    return values


def fastest_time(fn, seconds=1.0):
    """The fastest single call over about `seconds` (as mledger-bench reports its own)."""
    fn()
    best, start = float("inf"), time.perf_counter()
    while time.perf_counter() - start < seconds:
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--data", default="")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)

    series = torch.tensor(load_series(args.data), dtype=torch.float32)
    lo, hi = series.min(), series.max()
    scaled = (series - lo) / (hi - lo if hi > lo else 1)
    count = len(scaled) - 36 - 24 + 1
    idx = torch.arange(count)[:, None]
    x = scaled[idx + torch.arange(36)][:, :, None]
    y = scaled[idx + 36 + torch.arange(24)]
    train = count - int(count * 0.1)

    model = EnergyGRU()
    opt = torch.optim.Adam(model.parameters(), lr=0.005, betas=(0.9, 0.99))
    loss_fn = torch.nn.MSELoss()
    xb, yb = x[:128], y[:128]

    def step(xb=xb, yb=yb):
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()

    step_s = fastest_time(step, seconds=3.0)

    def epoch():
        perm = torch.randperm(train)
        for b in range(0, train, 128):
            i = perm[b:b + 128]
            step(x[i], y[i])
        with torch.no_grad():
            model(x[train:])

    start = time.perf_counter()
    epoch()
    epoch_s = time.perf_counter() - start

    window = x[:1]

    def infer():
        with torch.no_grad():
            model(window)

    infer_s = fastest_time(infer, seconds=1.0)
    print(json.dumps({"torch": torch.__version__, "threads": args.threads, "train_step_ms": step_s * 1e3,
                      "epoch_s": epoch_s, "infer_us": infer_s * 1e6}))


if __name__ == "__main__":
    main()
