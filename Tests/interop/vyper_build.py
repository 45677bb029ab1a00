"""Compiles the suite's Vyper contracts with the vyper CLI of the suite's own venv, for Cancun."""

import json
import subprocess
import sys
from pathlib import Path

CONTRACTS = Path(__file__).resolve().parent / "contracts"


def compile_contract(name: str) -> dict:
    """{"abi", "bytecode", "bytecode_runtime", "layout"} of contracts/<name>.vy."""
    vyper = Path(sys.executable).parent / "vyper"
    formats = ["abi", "bytecode", "bytecode_runtime", "layout"]
    result = subprocess.run([str(vyper), "-f", ",".join(formats), "--evm-version", "cancun", str(CONTRACTS / f"{name}.vy")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"vyper failed on {name}.vy: {result.stderr}"
    lines = result.stdout.strip().splitlines()
    assert len(lines) == len(formats), f"vyper printed {len(lines)} lines for {len(formats)} formats"
    return {"abi": json.loads(lines[0]), "bytecode": lines[1], "bytecode_runtime": lines[2],
            "layout": json.loads(lines[3])["storage_layout"]}
