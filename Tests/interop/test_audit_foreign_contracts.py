"""`mledger audit` pointed at contracts that are not records, as an auditor meets them: every
audit ends quickly with FAIL lines and exit code 1, whatever the contract answers (a look-alike
with `owner()`/`weightsHash()`, one that reverts everything, one that returns 256 KiB of
malformed ABI data). The look-alike case hung the binary before (no output, no CPU)."""

import socket
import time

import pytest
from eth_account import Account

from ledger_helpers import send_signed
from mledger_node import mledger
from vyper_build import compile_contract

# Init code that installs `runtime` verbatim: PUSH2 size, DUP1, PUSH1 10, PUSH0, CODECOPY, PUSH0, RETURN.
def installer(runtime: bytes) -> bytes:
    return bytes([0x61]) + len(runtime).to_bytes(2, "big") + bytes([0x80, 0x60, 0x0A, 0x5F, 0x39, 0x5F, 0xF3]) + runtime


REVERTS = bytes([0x5F, 0x5F, 0xFD])
HUGE_MALFORMED = bytes([0x7F]) + b"\xff" * 32 + bytes([0x5F, 0x52, 0x62, 0x04, 0x00, 0x00, 0x5F, 0xF3])


def deploy_from_unfunded(w3, init_code: bytes) -> str:
    account = Account.create()  # no balance: the chain is gas-free
    receipt = send_signed(w3, account, {"chainId": w3.eth.chain_id, "nonce": 0, "gas": 1_000_000,
                                        "maxFeePerGas": 0, "maxPriorityFeePerGas": 0, "data": init_code, "value": 0})
    assert receipt.status == 1
    return receipt.contractAddress


@pytest.mark.parametrize("kind", ["look-alike", "reverts", "huge-malformed"])
def test_audit_of_a_contract_that_is_not_a_record_ends_with_fail_lines(node, w3, kind):
    if kind == "look-alike":
        init_code = bytes.fromhex(compile_contract("LookAlikeRecord")["bytecode"].removeprefix("0x"))
    else:
        init_code = installer(REVERTS if kind == "reverts" else HUGE_MALFORMED)
    address = deploy_from_unfunded(w3, init_code)
    # The hang was a race (4 of 6 runs hung against `mledger run --dev`): audit several times.
    for _ in range(5):
        started = time.monotonic()
        result = mledger("audit", "--rpc", node.url, "--model", address, "--timeout", "10", timeout=60)
        elapsed = time.monotonic() - started
        lines = result.stdout.strip().splitlines()
        assert result.returncode == 1, result.stdout + result.stderr
        names = [line.split(":")[0] for line in lines]
        assert f"FAIL model-code-hash@{address.lower()}" in names
        assert f"FAIL model-storage-proof@{address.lower()}" in names
        assert lines[-1].startswith("audit: ") and lines[-1].endswith("failed")
        assert elapsed < 30, f"the audit took {elapsed:.1f} s"


def test_audit_of_a_node_that_stops_answering_ends_with_a_fail_line():
    # A listener that completes TCP connections (kernel backlog) and never answers.
    silent = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    try:
        port = silent.getsockname()[1]
        started = time.monotonic()
        result = mledger("audit", "--rpc", f"http://127.0.0.1:{port}", "--model", "0x" + "11" * 20,
                         "--timeout", "2", timeout=60)
        elapsed = time.monotonic() - started
    finally:
        silent.close()
    lines = result.stdout.strip().splitlines()
    assert result.returncode == 1, result.stdout + result.stderr
    assert lines[0].startswith("FAIL chain-seals: ") and "no answer" in lines[0], lines
    assert lines[-1] == "audit: 0 passed, 1 failed"
    assert elapsed < 15, f"the audit took {elapsed:.1f} s with --timeout 2"
