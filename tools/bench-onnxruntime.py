#!/usr/bin/env python3
"""onnxruntime CPU figure for `mledger-bench translation`: single-window latency of an ONNX
model on a fixed number of threads, printed as one JSON line.

Usage: bench-onnxruntime.py --model FILE.onnx [--threads 1] [--seconds 2]
Measures the fastest single call (the figure least disturbed on a shared machine) of one
window of zeros-to-ones shaped like the model's input with the batch dimension set to 1.
"""
import argparse
import json
import time

import numpy as np
import onnxruntime as ort


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()
    options = ort.SessionOptions()
    options.intra_op_num_threads = args.threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    session = ort.InferenceSession(args.model, options, providers=["CPUExecutionProvider"])
    first = session.get_inputs()[0]
    shape = [1 if not isinstance(d, int) else d for d in first.shape]
    window = np.linspace(0, 1, int(np.prod(shape)), dtype=np.float32).reshape(shape)
    feed = {first.name: window}
    session.run(None, feed)
    best = float("inf")
    deadline = time.perf_counter() + args.seconds
    while time.perf_counter() < deadline:
        t0 = time.perf_counter()
        session.run(None, feed)
        best = min(best, time.perf_counter() - t0)
    print(json.dumps({"single_window_us": best * 1e6, "onnxruntime": ort.__version__, "threads": args.threads}))


if __name__ == "__main__":
    main()
