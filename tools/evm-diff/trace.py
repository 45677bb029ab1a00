"""Prints py-evm's per-instruction trace of one generated case as JSON lines:
{"pc", "op", "gas" (left before the instruction), "depth" (1 = the transaction's frame),
"height" (stack items), "stack" (top four, top first)}.

    tools/.venv/bin/python tools/evm-diff/trace.py CASE.json [QUERY.json]

With QUERY.json ({address: [storage keys]}), the last line also holds those accounts' post-state.

`mledger-bench evm-diff` runs it on each divergent case and compares it with MLedger's
StructLogger to name the first instruction where the two machines part.
"""
import json
import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pyevm_exec  # noqa: E402


def main():
    with open(sys.argv[1]) as f:
        case = next(iter(json.load(f).values()))
    res = pyevm_exec.execute(case, trace=True)
    out = sys.stdout
    for step in res["trace"] or []:
        out.write(json.dumps(step, separators=(",", ":")) + "\n")
    end = {"end": True, "exception": res["exception"], "gasUsed": res["gas_used"]}
    if len(sys.argv) > 2:  # a query file: {address: [storage keys]} whose post-state to print
        with open(sys.argv[2]) as f:
            end["post"] = pyevm_exec.describe(res["state"], json.load(f))
    out.write(json.dumps(end) + "\n")


if __name__ == "__main__":
    threading.stack_size(512 << 20)  # py-evm recurses per call frame
    sys.setrecursionlimit(200000)
    t = threading.Thread(target=main)
    t.start()
    t.join()
