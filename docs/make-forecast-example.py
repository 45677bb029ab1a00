#!/usr/bin/env python3
"""Draws docs/forecast-example.png with the mledger binary alone (Python standard library only):
train energy-gru on pv-greensboro, forecast the held-out last 10 % of the year, take the 90 %
interval from the residuals (`mledger diagnostics`), and plot one 24-hour forecast after its
36 input hours (`mledger plot`).

    docs/make-forecast-example.py [MLEDGER_BINARY] [EPOCHS]
"""
import csv
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERIES = ROOT.parent / "shared" / "datasets" / "pv-greensboro-hourly.csv"
BINARY = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / ".build" / "release" / "mledger")
EPOCHS = sys.argv[2] if len(sys.argv) > 2 else "50"


def mledger(*args):
    result = subprocess.run([BINARY, *args], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"mledger {args[0]} failed: {result.stderr}")
    return result.stdout


def main():
    values = [float(row["power_w"]) for row in csv.DictReader(SERIES.open())]
    work = Path(tempfile.mkdtemp(prefix="mledger-example-"))
    model = work / "model"
    print(mledger("train", "--arch", "energy-gru", "--data", str(SERIES), "--seed", "42", "--epochs", EPOCHS,
                  "--out", str(model)))
    # Held-out windows: the last 10 % of the series, every 6 hours.
    first = int(len(values) * 0.9)
    starts = list(range(first, len(values) - 60, 6))
    (work / "windows.json").write_text(json.dumps({"instances": [values[s:s + 36] for s in starts]}))
    predictions = json.loads(mledger("predict", "--model", str(model), "--input", str(work / "windows.json")))["predictions"]
    residuals = [values[s + 36 + h] - p[h] for s, p in zip(starts, predictions) for h in range(24)]
    (work / "residuals.json").write_text(json.dumps({"residuals": residuals}))
    diagnostics = json.loads(mledger("diagnostics", "--residuals", str(work / "residuals.json")))
    print(json.dumps(diagnostics, indent=1))
    lower, upper = diagnostics["interval"]["lower_offset"], diagnostics["interval"]["upper_offset"]
    # One forecast whose first hour has an index divisible by 24 (the series has no timestamps).
    start = next(s for s in starts if (s + 36) % 24 == 0)
    forecast = predictions[starts.index(start)]
    rows = ["time,actual,forecast,lower,upper"]
    for i in range(start, start + 60):
        day, hour = divmod(i, 24)
        stamp = f"day {day + 1} {hour:02d}:00"
        if i < start + 36:
            rows.append(f"{stamp},{values[i]},,,")
        else:
            f = forecast[i - start - 36]
            rows.append(f"{stamp},{values[i]},{f},{max(0.0, f + lower)},{f + upper}")
    (work / "forecast.csv").write_text("\n".join(rows) + "\n")
    out = ROOT / "docs" / "forecast-example.png"
    print(mledger("plot", "--csv", str(work / "forecast.csv"), "--out", str(out), "--y-label", "W",
                  "--title", "pv-greensboro: 24 h energy-gru forecast, 90% residual interval"))


if __name__ == "__main__":
    main()
