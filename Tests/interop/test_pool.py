"""The transaction pool through eth_sendRawTransaction, as eth-account users meet it: queued
future nonces, replacement of a same-nonce transaction, txpool_status/txpool_content, and the
rejection texts other Ethereum nodes use (issue 4), each with JSON-RPC code -32000."""

import pytest
import rlp
from eth_account import Account
from eth_utils import keccak, to_checksum_address

from dev_chain import CHAIN_ID, DEV_ACCOUNTS, load_genesis, sign, transfer
from chain_checks import genesis_number
from ledger_helpers import next_nonce, send_signed, wait_for_receipt

SECP256K1_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
RECIPIENT = "0x" + "7a" * 20


@pytest.fixture(scope="module")
def account(w3):
    """A fresh key funded from dev account 1, so nonce games here touch no other test."""
    fresh = Account.from_key(keccak(text="mledger interop pool account"))
    funder = DEV_ACCOUNTS[0]
    receipt = send_signed(w3, funder, transfer(next_nonce(w3, funder.address), fresh.address, 10**21))
    assert receipt["status"] == 1
    return fresh


def hexed(raw: bytes) -> str:
    return "0x" + raw.hex()


def rejection(rpc, raw: bytes) -> str:
    reply = rpc.request("eth_sendRawTransaction", hexed(raw))
    assert "error" in reply, f"accepted a transaction that should be refused: {reply}"
    assert reply["error"]["code"] == -32000, reply
    return reply["error"]["message"]


def test_nonce_too_low(w3, rpc, account):
    nonce = next_nonce(w3, account.address)
    send_signed(w3, account, transfer(nonce, RECIPIENT, 1))
    assert rejection(rpc, sign(account, transfer(nonce, RECIPIENT, 2))).startswith("nonce too low")


def test_queued_future_nonce_replacement_and_gap_fill(w3, rpc, account):
    nonce = w3.eth.get_transaction_count(account.address, "latest")
    address = account.address.lower()
    recipient = to_checksum_address("0x" + "7b" * 20)
    first = sign(account, transfer(nonce + 1, recipient, 5, fee=2))
    first_hash = rpc.call("eth_sendRawTransaction", hexed(first))
    assert first_hash == hexed(keccak(first))
    assert int(rpc.call("txpool_status")["queued"], 16) >= 1
    queued = {key.lower(): value for key, value in rpc.call("txpool_content")["queued"].items()}
    assert queued[address][str(nonce + 1)]["hash"] == first_hash
    assert rpc.call("eth_getTransactionReceipt", first_hash) is None
    assert rpc.call("eth_getTransactionByHash", first_hash)["blockHash"] is None
    assert w3.eth.get_transaction_count(account.address, "pending") == nonce  # a gap is not pending

    assert rejection(rpc, first) == "already known"
    cheaper = sign(account, transfer(nonce + 1, recipient, 6, fee=1))
    assert rejection(rpc, cheaper) == "replacement transaction underpriced"
    replacement = sign(account, transfer(nonce + 1, recipient, 7, fee=2))
    replacement_hash = rpc.call("eth_sendRawTransaction", hexed(replacement))
    queued = {key.lower(): value for key, value in rpc.call("txpool_content")["queued"].items()}
    assert queued[address][str(nonce + 1)]["hash"] == replacement_hash
    assert rpc.call("eth_getTransactionByHash", first_hash) is None

    gap_hash = rpc.call("eth_sendRawTransaction", hexed(sign(account, transfer(nonce, recipient, 1, legacy=True))))
    gap_receipt = wait_for_receipt(w3, gap_hash)
    replacement_receipt = wait_for_receipt(w3, replacement_hash)
    assert gap_receipt["status"] == replacement_receipt["status"] == 1
    assert replacement_receipt["effectiveGasPrice"] == 2
    assert rpc.call("eth_getTransactionReceipt", first_hash) is None
    assert w3.eth.get_balance(recipient) == 1 + 7
    assert w3.eth.get_transaction_count(account.address) == nonce + 2
    content = rpc.call("txpool_content")
    assert address not in {key.lower() for key in content["queued"]}
    assert address not in {key.lower() for key in content["pending"]}


def resigned_fields(raw: bytes) -> list:
    """The RLP fields of a signed EIP-1559 transaction (0x02 ‖ rlp([...])) for tampering."""
    assert raw[0] == 2
    return list(rlp.decode(raw[1:]))


def test_rejection_texts(w3, rpc, account):
    nonce = next_nonce(w3, account.address)
    block_gas_limit = genesis_number(load_genesis()["gasLimit"])
    cases = {
        "intrinsic gas too low": transfer(nonce, RECIPIENT, 1, gas=20_000),
        "exceeds block gas limit": transfer(nonce, RECIPIENT, 1, gas=block_gas_limit + 1),
        "oversized data": transfer(nonce, RECIPIENT, 0, gas=block_gas_limit, data=b"\x01" * (130 * 1024)),
    }
    for text, tx in cases.items():
        assert rejection(rpc, sign(account, tx)).startswith(text), text
    wrong_chain = dict(transfer(nonce, RECIPIENT, 1), chainId=CHAIN_ID + 1)
    assert rejection(rpc, sign(account, wrong_chain)).startswith("invalid chain id")
    create = {"chainId": CHAIN_ID, "nonce": nonce, "gas": block_gas_limit, "value": 0, "type": 2, "maxFeePerGas": 0,
              "maxPriorityFeePerGas": 0, "data": b"\x01" * (49_152 + 1)}  # EIP-3860 limit + 1
    assert rejection(rpc, sign(account, create)).startswith("max initcode size exceeded")
    assert rejection(rpc, sign(account, transfer(2**64 - 1, RECIPIENT, 1))).startswith("nonce has max value")  # EIP-2681
    tip_above_cap = dict(transfer(nonce, RECIPIENT, 1), maxPriorityFeePerGas=2, maxFeePerGas=1)
    assert rejection(rpc, sign(account, tip_above_cap)).startswith("max priority fee per gas higher than max fee per gas")
    unfunded = Account.from_key(keccak(text="mledger interop unfunded"))
    assert rejection(rpc, sign(unfunded, transfer(0, RECIPIENT, 1))) == "insufficient funds for gas * price + value"
    costly = transfer(nonce, RECIPIENT, 0, fee=10**30)
    assert rejection(rpc, sign(account, costly)) == "insufficient funds for gas * price + value"

    fields = resigned_fields(sign(account, transfer(nonce, RECIPIENT, 1)))
    zero_r = fields[:10] + [b""] + fields[11:]
    assert rejection(rpc, b"\x02" + rlp.encode(zero_r)) == "invalid sender"
    # EIP-2: the high-s twin of a valid signature is refused.
    s = int.from_bytes(fields[11], "big")
    parity = int.from_bytes(fields[9], "big")
    high_s = fields[:9] + [b"" if parity else b"\x01", fields[10], (SECP256K1_ORDER - s).to_bytes(32, "big").lstrip(b"\0")]
    assert rejection(rpc, b"\x02" + rlp.encode(high_s)) == "invalid sender"
    # None of these reached the pool: the next nonce still works.
    receipt = send_signed(w3, account, transfer(nonce, RECIPIENT, 1))
    assert receipt["status"] == 1
