"""Queries as tools issue them: block tags (latest, pending, earliest, safe, finalized, numbers,
hashes and EIP-1898 objects), "pending" nonces with queued and pending pool transactions,
eth_getLogs by block hash, range and topics, and pending-transaction filters."""

import pytest
from eth_account import Account
from eth_utils import keccak, to_checksum_address

from dev_chain import DEV_ACCOUNTS, sign, transfer
from ledger_helpers import next_nonce, send_signed, wait_until
from rpc_client import RPCErrorReply
from vyper_build import compile_contract

RECIPIENT = to_checksum_address("0x" + "e7" * 20)


@pytest.fixture(scope="module")
def moved(w3):
    """Two transfers of 5 and 6 to RECIPIENT; the receipts."""
    sender = DEV_ACCOUNTS[0]
    first = send_signed(w3, sender, transfer(next_nonce(w3, sender.address), RECIPIENT, 5))
    second = send_signed(w3, sender, transfer(next_nonce(w3, sender.address), RECIPIENT, 6, legacy=True))
    return first, second


def test_block_tags_and_eip1898(rpc, moved):
    first, second = moved
    address = RECIPIENT
    latest = rpc.call("eth_getBlockByNumber", "latest", False)
    for tag in ("latest", "pending", "safe", "finalized"):
        assert rpc.call("eth_getBlockByNumber", tag, False)["hash"] == latest["hash"], tag
        assert int(rpc.call("eth_getBalance", address, tag), 16) == 11, tag
    assert int(rpc.call("eth_getBalance", address, "earliest"), 16) == 0
    before = hex(first["blockNumber"] - 1)
    at_first = hex(first["blockNumber"])
    assert int(rpc.call("eth_getBalance", address, before), 16) == 0
    assert int(rpc.call("eth_getBalance", address, at_first), 16) == 5
    first_hash = "0x" + first["blockHash"].hex().removeprefix("0x")
    assert int(rpc.call("eth_getBalance", address, first_hash), 16) == 5
    assert int(rpc.call("eth_getBalance", address, {"blockHash": first_hash}), 16) == 5
    assert int(rpc.call("eth_getBalance", address, {"blockHash": first_hash, "requireCanonical": True}), 16) == 5
    assert int(rpc.call("eth_getBalance", address, {"blockNumber": at_first}), 16) == 5
    with pytest.raises(RPCErrorReply) as unknown:
        rpc.call("eth_getBalance", address, {"blockHash": "0x" + "00" * 31 + "01"})
    assert unknown.value.code in (-32000, -32001)
    future = hex(int(latest["number"], 16) + 1000)
    assert rpc.call("eth_getBlockByNumber", future, False) is None
    with pytest.raises(RPCErrorReply) as missing:
        rpc.call("eth_getBalance", address, future)
    assert missing.value.code == -32000


def test_pending_nonce_counts_pool_transactions(w3, rpc):
    account = Account.from_key(keccak(text="mledger interop pending nonce"))
    funder = DEV_ACCOUNTS[1]
    send_signed(w3, funder, transfer(next_nonce(w3, funder.address), account.address, 10**18))
    base = w3.eth.get_transaction_count(account.address, "latest")
    assert base == 0
    # A future nonce is queued: it does not move "pending".
    queued = rpc.call("eth_sendRawTransaction", "0x" + sign(account, transfer(1, RECIPIENT, 1)).hex())
    assert w3.eth.get_transaction_count(account.address, "pending") == 0
    gap = rpc.call("eth_sendRawTransaction", "0x" + sign(account, transfer(0, RECIPIENT, 1)).hex())
    wait_until(lambda: rpc.call("eth_getTransactionReceipt", queued), what="the queued transaction to mine")
    assert rpc.call("eth_getTransactionReceipt", gap)["status"] == "0x1"
    wait_until(lambda: w3.eth.get_transaction_count(account.address, "latest") == 2, what="nonce 2 at latest")
    assert w3.eth.get_transaction_count(account.address, "pending") == 2


def test_get_logs_by_hash_range_and_topics(w3, rpc):
    artifact = compile_contract("ValueStore")
    owner = DEV_ACCOUNTS[1]
    factory = w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
    tx = {"chainId": 1337, "nonce": next_nonce(w3, owner.address), "gas": 500_000, "value": 0, "type": 2,
          "maxFeePerGas": 0, "maxPriorityFeePerGas": 0, "data": factory.constructor(0).data_in_transaction}
    address = send_signed(w3, owner, tx)["contractAddress"]
    contract = w3.eth.contract(address=address, abi=artifact["abi"])
    receipts = []
    for value in (11, 12, 14):  # 13 reverts in ValueStore
        call = transfer(next_nonce(w3, owner.address), address, 0, gas=100_000,
                        data=bytes.fromhex(contract.encode_abi("store", args=[value])[2:]))
        receipts.append(send_signed(w3, owner, call))
    topic = "0x" + keccak(text="Stored(address,uint256)").hex()
    setter = "0x" + "00" * 12 + owner.address[2:].lower()
    first, last = receipts[0]["blockNumber"], receipts[-1]["blockNumber"]
    by_range = rpc.call("eth_getLogs", {"address": address, "fromBlock": hex(first), "toBlock": hex(last)})
    assert [int(log["data"], 16) for log in by_range] == [11, 12, 14]
    assert [int(log["blockNumber"], 16) for log in by_range] == [r["blockNumber"] for r in receipts]
    middle_hash = "0x" + receipts[1]["blockHash"].hex().removeprefix("0x")
    by_hash = rpc.call("eth_getLogs", {"blockHash": middle_hash, "address": address})
    assert [int(log["data"], 16) for log in by_hash] == [12]
    by_topics = rpc.call("eth_getLogs", {"fromBlock": hex(first), "toBlock": "latest", "topics": [topic, setter]})
    assert len(by_topics) == 3
    alternatives = rpc.call("eth_getLogs", {"fromBlock": hex(first), "toBlock": "latest",
                                            "topics": [[topic, "0x" + "ff" * 32]], "address": [address, RECIPIENT]})
    assert len(alternatives) == 3
    nobody = rpc.call("eth_getLogs", {"fromBlock": hex(first), "toBlock": "latest", "topics": [None, "0x" + "00" * 32]})
    assert nobody == []
    with pytest.raises(RPCErrorReply, match="range") as reversed_range:
        rpc.call("eth_getLogs", {"fromBlock": hex(last), "toBlock": hex(first)})
    assert reversed_range.value.code == -32000


def test_pending_transaction_filter(w3, rpc):
    pending_filter = rpc.call("eth_newPendingTransactionFilter")
    sender = DEV_ACCOUNTS[1]
    receipt = send_signed(w3, sender, transfer(next_nonce(w3, sender.address), RECIPIENT, 1))
    seen = rpc.call("eth_getFilterChanges", pending_filter)
    assert "0x" + receipt["transactionHash"].hex().removeprefix("0x") in seen
    assert rpc.call("eth_uninstallFilter", pending_filter) is True
    with pytest.raises(RPCErrorReply, match="filter not found"):
        rpc.call("eth_getFilterChanges", pending_filter)
