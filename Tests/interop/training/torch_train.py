"""A small PyTorch CPU training program run by MLedger's process executor (`cmd:` train_image).

Reads what the executor lays out: params.json ($MLEDGER_PARAMS), the dataset files
($MLEDGER_DATASETS), the seed ($MLEDGER_SEED); trains a one-hidden-layer network to predict the
next hourly value from the previous 8, deterministically; writes safetensors weights to
$MLEDGER_WEIGHTS_FILE and metrics.json beside them. `"fail": N` in the parameters exits with
status N after printing a line; `"sleep": S` sleeps S seconds first (writing its pid to
$MLEDGER_OUTPUT/../pid, so a test can check the process group was killed).
"""
import json
import os
import sys
import time
from pathlib import Path

import torch
from safetensors.torch import save_file


def main() -> int:
    params = json.loads(Path(os.environ["MLEDGER_PARAMS"]).read_text())
    seed = int(os.environ["MLEDGER_SEED"])
    if params.get("sleep"):
        Path(os.environ["MLEDGER_OUTPUT"]).parent.joinpath("pid").write_text(str(os.getpid()))
        print("sleeping", flush=True)
        time.sleep(float(params["sleep"]))
    if params.get("fail"):
        print(f"torch_train: failing on purpose with status {params['fail']}", flush=True)
        return int(params["fail"])
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    files = sorted(Path(os.environ["MLEDGER_DATASETS"]).iterdir())
    lines = files[0].read_text().splitlines()[1:]
    series = torch.tensor([float(v) for v in lines], dtype=torch.float32)
    series = (series - series.min()) / (series.max() - series.min() + 1e-9)
    window = 8
    inputs = torch.stack([series[i:i + window] for i in range(len(series) - window)])
    targets = series[window:].unsqueeze(1)
    model = torch.nn.Sequential(torch.nn.Linear(window, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1))
    optimizer = torch.optim.Adam(model.parameters(), lr=float(params.get("lr", 0.01)))
    generator = torch.Generator().manual_seed(seed + 1)
    loss = torch.tensor(0.0)
    for epoch in range(int(params.get("epochs", 3))):
        order = torch.randperm(len(inputs), generator=generator)
        for start in range(0, len(order), 64):
            batch = order[start:start + 64]
            optimizer.zero_grad()
            loss = torch.nn.functional.mse_loss(model(inputs[batch]), targets[batch])
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch + 1} loss {loss.item():.6f}", flush=True)
    weights = Path(os.environ["MLEDGER_WEIGHTS_FILE"])
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(weights))
    weights.with_name("metrics.json").write_text(json.dumps({"final_loss": round(loss.item(), 6)}, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
