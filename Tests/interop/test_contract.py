"""A Vyper contract (compiled here for Cancun) deployed and used as a web3 user would: EIP-1559
and legacy transactions signed by eth-account, receipts, events through get_logs and polling
filters, eth_call, eth_estimateGas, and a revert with its reason and data (error code 3)."""

import pytest
from eth_abi import encode
from eth_utils import function_signature_to_4byte_selector, keccak
from web3.exceptions import ContractLogicError
from web3.utils.address import get_create_address

from dev_chain import DEV_ACCOUNTS, transfer
from ledger_helpers import next_nonce, send_signed, wait_until
from vyper_build import compile_contract

DEPLOYER = DEV_ACCOUNTS[1]
INITIAL = 7


@pytest.fixture(scope="module")
def artifact():
    return compile_contract("ValueStore")


@pytest.fixture(scope="module")
def deployment(w3, artifact):
    factory = w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
    nonce = next_nonce(w3, DEPLOYER.address)
    # As a web3 user builds it: gas from eth_estimateGas, chain id from eth_chainId.
    tx = factory.constructor(INITIAL).build_transaction(
        {"from": DEPLOYER.address, "nonce": nonce, "maxFeePerGas": 0, "maxPriorityFeePerGas": 0})
    assert tx["chainId"] == 1337 and tx["gas"] > 21_000
    receipt = send_signed(w3, DEPLOYER, tx)
    return receipt, w3.eth.contract(address=receipt["contractAddress"], abi=artifact["abi"]), nonce


@pytest.fixture(scope="module")
def contract(deployment):
    return deployment[1]


def call_tx(w3, contract, account, value, *, legacy=False, gas=None):
    data = contract.encode_abi("store", args=[value])
    if gas is None:
        gas = w3.eth.estimate_gas({"from": account.address, "to": contract.address, "data": data})
    return transfer(next_nonce(w3, account.address), contract.address, 0, legacy=legacy, gas=gas, data=data)


def test_deploy(w3, artifact, deployment):
    receipt, contract, nonce = deployment
    assert receipt["status"] == 1
    assert receipt["type"] == 2
    assert receipt["effectiveGasPrice"] == 0
    assert receipt["contractAddress"] == get_create_address(DEPLOYER.address, nonce)
    assert w3.eth.get_code(contract.address) == bytes.fromhex(artifact["bytecode_runtime"][2:])
    assert contract.functions.stored().call() == INITIAL
    assert contract.functions.owner().call() == DEPLOYER.address
    slot = artifact["layout"]["stored"]["slot"]
    assert int.from_bytes(w3.eth.get_storage_at(contract.address, slot), "big") == INITIAL


def test_eip1559_and_legacy_calls_emit_events(w3, contract):
    caller = DEV_ACCOUNTS[2]
    start = w3.eth.block_number
    dynamic = send_signed(w3, caller, call_tx(w3, contract, caller, 42))
    legacy = send_signed(w3, caller, call_tx(w3, contract, caller, 43, legacy=True))
    assert (dynamic["status"], dynamic["type"]) == (1, 2)
    assert (legacy["status"], legacy["type"]) == (1, 0)
    assert legacy["effectiveGasPrice"] == 0
    mined = w3.eth.get_transaction(legacy["transactionHash"])
    assert mined["gasPrice"] == 0 and mined["v"] in (1337 * 2 + 35, 1337 * 2 + 36)  # EIP-155
    assert contract.functions.stored().call() == 43
    events = contract.events.Stored().process_receipt(dynamic)
    assert [(e["args"]["setter"], e["args"]["value"]) for e in events] == [(caller.address, 42)]

    logs = contract.events.Stored.get_logs(from_block=start + 1, to_block="latest")
    assert [(log["args"]["value"], log["transactionHash"]) for log in logs] == [
        (42, dynamic["transactionHash"]), (43, legacy["transactionHash"])]
    by_setter = contract.events.Stored.get_logs(from_block=0, argument_filters={"setter": caller.address})
    assert {log["args"]["value"] for log in by_setter} >= {42, 43}
    nobody = contract.events.Stored.get_logs(from_block=0, argument_filters={"setter": DEV_ACCOUNTS[3].address})
    assert nobody == []
    # The log bloom of the block admits the contract address (a bloom with no bits would fail).
    block = w3.eth.get_block(dynamic["blockNumber"])
    assert int.from_bytes(block["logsBloom"], "big") != 0


def test_polling_filters(w3, rpc, contract):
    caller = DEV_ACCOUNTS[2]
    log_filter = rpc.call("eth_newFilter", {"address": contract.address, "fromBlock": "latest"})
    block_filter = rpc.call("eth_newBlockFilter")
    assert rpc.call("eth_getFilterChanges", log_filter) == []
    receipt = send_signed(w3, caller, call_tx(w3, contract, caller, 99))
    changes = wait_until(lambda: rpc.call("eth_getFilterChanges", log_filter), what="filter changes")
    assert len(changes) == 1
    assert changes[0]["transactionHash"] == "0x" + receipt["transactionHash"].hex().removeprefix("0x")
    assert changes[0]["topics"][0] == "0x" + keccak(text="Stored(address,uint256)").hex()
    assert int(changes[0]["data"], 16) == 99
    assert rpc.call("eth_getFilterChanges", log_filter) == []  # each change is reported once
    blocks = rpc.call("eth_getFilterChanges", block_filter)
    assert "0x" + receipt["blockHash"].hex().removeprefix("0x") in blocks
    assert len(rpc.call("eth_getFilterLogs", log_filter)) >= 1
    assert rpc.call("eth_uninstallFilter", log_filter) is True
    assert rpc.call("eth_uninstallFilter", log_filter) is False

    # web3's own filter object: eth_newFilter plus eth_getFilterChanges.
    event_filter = contract.events.Stored.create_filter(from_block="latest")
    send_signed(w3, caller, call_tx(w3, contract, caller, 100))
    entries = wait_until(event_filter.get_new_entries, what="web3 filter entries")
    assert [entry["args"]["value"] for entry in entries] == [100]


def test_call_and_estimate_gas(w3, contract):
    caller = DEV_ACCOUNTS[2]
    data = contract.encode_abi("store", args=[5])
    before = contract.functions.stored().call()
    assert before != 5
    estimate = w3.eth.estimate_gas({"from": caller.address, "to": contract.address, "data": data})
    assert 21_000 < estimate < 100_000
    # Neither the call nor the estimate keeps its state change.
    assert w3.eth.call({"from": caller.address, "to": contract.address, "data": data}) == b""
    assert contract.functions.stored().call() == before
    receipt = send_signed(w3, caller, call_tx(w3, contract, caller, 5, gas=estimate))
    assert receipt["status"] == 1
    assert receipt["gasUsed"] <= estimate
    assert contract.functions.stored().call() == 5
    # eth_call at the block before sees the value before.
    assert contract.functions.stored().call(block_identifier=receipt["blockNumber"] - 1) == before


def expected_revert_data(reason: str) -> str:
    selector = function_signature_to_4byte_selector("Error(string)")
    return "0x" + (selector + encode(["string"], [reason])).hex()


def test_revert_has_code_3_and_data(w3, rpc, contract):
    caller = DEV_ACCOUNTS[2]
    data = contract.encode_abi("store", args=[13])
    call = {"from": caller.address, "to": contract.address, "data": data}
    for method, params in (("eth_call", [call, "latest"]), ("eth_estimateGas", [call])):
        reply = rpc.request(method, *params)
        assert "error" in reply, f"{method}: a reverting call returned {reply}"
        assert reply["error"]["code"] == 3, reply
        assert reply["error"]["message"] == "execution reverted: unlucky value"
        assert reply["error"]["data"] == expected_revert_data("unlucky value")
    with pytest.raises(ContractLogicError, match="unlucky value"):
        contract.functions.store(13).call({"from": caller.address})


def test_reverted_transaction_is_mined_with_status_0(w3, contract):
    caller = DEV_ACCOUNTS[2]
    before = contract.functions.stored().call()
    receipt = send_signed(w3, caller, call_tx(w3, contract, caller, 13, gas=100_000))
    assert receipt["status"] == 0
    assert receipt["logs"] == []
    assert contract.functions.stored().call() == before


def test_eth_call_state_overrides(w3, rpc, artifact, contract):
    slot = artifact["layout"]["stored"]["slot"]
    data = contract.encode_abi("stored", args=[])
    call = {"to": contract.address, "data": data}
    overridden = {contract.address: {"stateDiff": {"0x" + slot.to_bytes(32, "big").hex(): "0x" + (777).to_bytes(32, "big").hex()}}}
    assert int(rpc.call("eth_call", call, "latest", overridden), 16) == 777
    assert int(rpc.call("eth_call", call, "latest"), 16) == contract.functions.stored().call() != 777
    # Code override: an address without code answers with the contract's runtime code.
    empty = "0x" + "0e" * 20
    with_code = {empty: {"code": "0x" + artifact["bytecode_runtime"].removeprefix("0x"),
                         "state": {"0x" + slot.to_bytes(32, "big").hex(): "0x" + (31337).to_bytes(32, "big").hex()}}}
    assert int(rpc.call("eth_call", dict(call, to=empty), "latest", with_code), 16) == 31337
    assert w3.eth.get_code(w3.to_checksum_address(empty)) == b""
