"""Writes N seeded Cancun state tests whose expected post-states come from py-evm.

    tools/.venv/bin/python tools/evm-diff/generate.py --count N --seed S --out DIR [--jobs J]

Each case goes to DIR/<seed>-<index>.json in the GeneralStateTests format (one test, one
post.Cancun entry). A case that touches a known py-evm defect (pyevm_exec.DEFECTS) goes to
DIR/steered/ instead and is counted per defect; a case on which py-evm itself crashes goes to
DIR/crashed/. DIR/summary.json holds the counts; the last line printed says the same.
"""
import argparse
import json
import multiprocessing
import os
import sys
import threading
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cases  # noqa: E402
import pyevm_exec  # noqa: E402


def fill(seed, index):
    case = cases.make_case(seed, index)
    try:
        res = pyevm_exec.execute(case)
    except Exception as e:  # a py-evm crash: kept for inspection, never counted as compared
        error = "".join(traceback.format_exception_only(type(e), e)).strip()
        known = sorted(pyevm_exec.static_defects(case))
        if known:  # e.g. EIP-1559's balance check skipped, then the value transfer raises
            return "steered", case, {"defects": known, "error": error}
        return "crashed", case, {"error": error}
    post = {"hash": "0x" + res["hash"].hex(), "logs": "0x" + res["logs"].hex(),
            "indexes": {"data": 0, "gas": 0, "value": 0}}
    if res["exception"]:
        post["expectException"] = res["exception"]
    case["post"] = {"Cancun": [post]}
    case["_info"] = {"seed": seed, "index": index, "generator": "MLedger tools/evm-diff", "defects": res["defects"]}
    return ("steered" if res["defects"] else "ok"), case, res


def _work(job):
    seed, index, out = job
    box = {}

    # py-evm recurses in Python for every call frame: 1024 frames need a deep stack.
    def run():
        try:
            box["r"] = fill(seed, index)
        except BaseException as error:  # re-raised below, in the worker, with the case named
            box["error"] = error
    t = threading.Thread(target=run)
    t.start()
    t.join()
    if "error" in box:
        raise RuntimeError(f"generating case {seed}-{index} failed: {box['error']!r}") from box["error"]
    kind, case, res = box["r"]
    name = f"{seed}-{index}"
    sub = {"ok": "", "steered": "steered", "crashed": "crashed"}[kind]
    path = os.path.join(out, sub, name + ".json")
    with open(path, "w") as f:
        json.dump({name: case}, f, indent=1)
    return kind, res.get("defects", []), bool(res.get("exception")), res.get("error")


def _init():
    threading.stack_size(512 << 20)
    sys.setrecursionlimit(200000)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--start", type=int, default=0, help="first case index")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    a = ap.parse_args()
    for sub in ("", "steered", "crashed"):
        os.makedirs(os.path.join(a.out, sub), exist_ok=True)
    jobs = [(a.seed, i, a.out) for i in range(a.start, a.start + a.count)]
    counts = {"generated": 0, "compared": 0, "invalid_tx": 0, "steered": 0, "crashed": 0, "defects": {}}
    crashes = []
    with multiprocessing.Pool(a.jobs, initializer=_init) as pool:
        for kind, defects, invalid, err in pool.imap_unordered(_work, jobs, chunksize=8):
            counts["generated"] += 1
            if kind == "ok":
                counts["compared"] += 1
                counts["invalid_tx"] += invalid
            elif kind == "steered":
                counts["steered"] += 1
                for d in defects:
                    counts["defects"][d] = counts["defects"].get(d, 0) + 1
            else:
                counts["crashed"] += 1
                crashes.append(err)
    counts["seed"], counts["start"] = a.seed, a.start
    with open(os.path.join(a.out, "summary.json"), "w") as f:
        json.dump(counts, f, indent=1)
    for e in crashes[:5]:
        print("py-evm crashed:", e, file=sys.stderr)
    steered = ", ".join(f"{k} {v}" for k, v in sorted(counts["defects"].items())) or "none"
    print(f"generated {counts['generated']}: {counts['compared']} to compare ({counts['invalid_tx']} invalid "
          f"transactions), {counts['steered']} steered ({steered}), {counts['crashed']} py-evm crashes")


if __name__ == "__main__":
    main()
