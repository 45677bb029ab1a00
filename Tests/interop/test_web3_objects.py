"""web3's own formatters over every object the node returns, for each transaction type
(legacy, EIP-2930 access list, EIP-1559): blocks with full transactions, transactions by hash
and by block position, receipts, counts and proofs come back as web3 parses them, with the
values that were signed."""

import pytest
from hexbytes import HexBytes
from eth_utils import to_checksum_address

from dev_chain import CHAIN_ID, DEV_ACCOUNTS, sign
from ledger_helpers import next_nonce, wait_for_receipt

SENDER = DEV_ACCOUNTS[2]
TARGET = to_checksum_address("0x" + "a1" * 20)
SLOT = "0x" + "00" * 31 + "07"


def unsigned(kind: int, nonce: int) -> dict:
    base = {"chainId": CHAIN_ID, "nonce": nonce, "to": TARGET, "value": 3, "data": b""}
    access_list = [{"address": TARGET, "storageKeys": [SLOT]}]
    return {
        0: dict(base, gas=21_000, gasPrice=0),
        1: dict(base, gas=30_000, gasPrice=0, type=1, accessList=access_list),
        2: dict(base, gas=30_000, type=2, maxFeePerGas=0, maxPriorityFeePerGas=0, accessList=access_list),
    }[kind]


@pytest.mark.parametrize("kind", [0, 1, 2])
def test_transaction_kinds_through_web3(w3, kind):
    tx = unsigned(kind, next_nonce(w3, SENDER.address))
    tx_hash = w3.eth.send_raw_transaction(sign(SENDER, tx))
    receipt = wait_for_receipt(w3, tx_hash)
    assert (receipt["status"], receipt["type"]) == (1, kind)
    expected_gas = 21_000 + (0 if kind == 0 else 2_400 + 1_900)  # EIP-2930 address and key
    assert receipt["gasUsed"] == expected_gas
    assert receipt["from"] == SENDER.address and receipt["to"] == TARGET

    mined = w3.eth.get_transaction(tx_hash)
    assert (mined["type"], mined["nonce"], mined["value"], mined["to"]) == (kind, tx["nonce"], 3, TARGET)
    assert mined["from"] == SENDER.address and mined["blockNumber"] == receipt["blockNumber"]
    if kind == 0:
        assert mined["v"] in (CHAIN_ID * 2 + 35, CHAIN_ID * 2 + 36)
    else:
        assert mined["chainId"] == CHAIN_ID and mined["yParity"] in (0, 1)
        access = [(entry["address"], [HexBytes(key) for key in entry["storageKeys"]]) for entry in mined["accessList"]]
        assert access == [(TARGET, [HexBytes(SLOT)])]
    if kind == 2:
        assert (mined["maxFeePerGas"], mined["maxPriorityFeePerGas"], mined["gasPrice"]) == (0, 0, 0)

    block = w3.eth.get_block(receipt["blockNumber"], full_transactions=True)
    assert block["hash"] == receipt["blockHash"]
    assert [t["hash"] for t in block["transactions"]] == [tx_hash]
    by_position = w3.eth.get_transaction_by_block(receipt["blockNumber"], receipt["transactionIndex"])
    assert by_position["hash"] == tx_hash
    assert w3.eth.get_block_transaction_count(receipt["blockHash"]) == len(block["transactions"])
    assert w3.eth.get_transaction_count(SENDER.address) == tx["nonce"] + 1


def test_get_proof_through_web3(w3):
    proof = w3.eth.get_proof(SENDER.address, [0, 1], "latest")
    assert proof["address"] == SENDER.address
    assert proof["balance"] == w3.eth.get_balance(SENDER.address)
    assert proof["nonce"] == w3.eth.get_transaction_count(SENDER.address)
    assert [int.from_bytes(HexBytes(entry["key"]), "big") for entry in proof["storageProof"]] == [0, 1]
    assert [int.from_bytes(HexBytes(entry["value"]), "big") for entry in proof["storageProof"]] == [0, 0]
    assert len(proof["accountProof"]) >= 1
