"""Requests that ask the node for unbounded work: calls and estimates with the largest gas
values must be answered (capped, as Ethereum nodes cap RPC gas) and must never take the node
down. Each test runs its own node, so a failure here cannot take the shared node with it."""

import time

import pytest

from dev_chain import DEV_ACCOUNTS, sign
from ledger_helpers import make_web3, wait_for_receipt
from mledger_node import NodeProcess, init_datadir
from rpc_client import RawRPC

# JUMPDEST PUSH1 0 JUMP: loops until the gas runs out.
ENDLESS_LOOP = "0x5b600056"
# Init code returning ENDLESS_LOOP as runtime code: PUSH4 code, PUSH1 0, MSTORE, PUSH1 4, PUSH1 28, RETURN.
ENDLESS_LOOP_INIT = bytes.fromhex("635b600056" "6000" "52" "6004" "601c" "f3")
SECONDS = 15


@pytest.fixture
def own_node(tmp_path):
    datadir = tmp_path / "data"
    init_datadir(datadir)
    node = NodeProcess(datadir).start()
    yield node
    if node.alive:
        node.kill()  # a request may still be running; this node is not the subject of a clean stop


def answer_within(node: NodeProcess, method: str, *params) -> dict:
    client = RawRPC(node.port, timeout=SECONDS)
    started = time.monotonic()
    try:
        reply = client.request(method, *params)
    except (OSError, ConnectionError) as error:
        pytest.fail(f"{method} got no answer ({error!r}) after {time.monotonic() - started:.1f}s; "
                    f"node alive: {node.alive}\n{node.log_tail(12)}")
    finally:
        client.close()
    return reply


def test_call_with_the_largest_gas_does_not_crash(own_node):
    target = "0x" + "0f" * 20
    reply = answer_within(own_node, "eth_call", {"to": target, "gas": "0xffffffffffffffff"}, "latest")
    assert "result" in reply or reply["error"]["code"] in (-32000, -32602), reply
    assert own_node.alive
    reply = answer_within(own_node, "eth_estimateGas", {"to": target, "gas": "0xffffffffffffffff"})
    assert "result" in reply or reply["error"]["code"] in (-32000, -32602), reply
    assert own_node.alive


def test_call_gas_is_capped(own_node):
    target = "0x" + "0e" * 20
    reply = answer_within(own_node, "eth_call", {"to": target, "gas": "0x7fffffffffffffff"}, "latest",
                          {target: {"code": ENDLESS_LOOP}})
    assert reply.get("error", {}).get("code") == -32000 and "gas" in reply["error"]["message"], reply

    w3 = make_web3(own_node.port)
    deployer = DEV_ACCOUNTS[0]
    tx = {"chainId": 1337, "nonce": 0, "gas": 100_000, "value": 0, "type": 2, "maxFeePerGas": 0,
          "maxPriorityFeePerGas": 0, "data": ENDLESS_LOOP_INIT}
    receipt = wait_for_receipt(w3, w3.eth.send_raw_transaction(sign(deployer, tx)))
    assert w3.eth.get_code(receipt["contractAddress"]) == bytes.fromhex(ENDLESS_LOOP[2:])
    reply = answer_within(own_node, "eth_estimateGas", {"to": receipt["contractAddress"], "gas": "0x7fffffffffffffff"})
    assert "error" in reply and reply["error"]["code"] in (-32000, 3), reply
    assert own_node.alive
