"""Consistency under concurrency. Read-your-writes across methods: once the node returns a
transaction's receipt, the head it reports (eth_blockNumber, state at "latest") includes that
block, checked from the sender and from polling threads while transfers mine one block each
(finding F1 in the interop report). And eight clients sending at once all get mined, in nonce
order per sender."""

import json
import threading

from eth_account import Account
from eth_utils import keccak, to_checksum_address

from dev_chain import DEV_ACCOUNTS, sign, transfer
from ledger_helpers import next_nonce, wait_for_receipt, wait_until
from rpc_client import RawRPC

SENDER = DEV_ACCOUNTS[1]
BLOCKS = 300


def receipt_and_head(client: RawRPC, tx_hash: str, nonce: int) -> tuple[dict | None, str | None]:
    """The receipt and, if the head it was read with contradicts it, why."""
    # One batch, answered in order: the receipt first, then the head and the sender's nonce.
    batch = [{"jsonrpc": "2.0", "id": 1, "method": "eth_getTransactionReceipt", "params": [tx_hash]},
             {"jsonrpc": "2.0", "id": 2, "method": "eth_blockNumber", "params": []},
             {"jsonrpc": "2.0", "id": 3, "method": "eth_getTransactionCount", "params": [SENDER.address, "latest"]}]
    _, body = client.post(json.dumps(batch).encode())
    receipt, head, count = (reply["result"] for reply in sorted(json.loads(body), key=lambda r: r["id"]))
    if receipt is None:
        return None, None
    block = int(receipt["blockNumber"], 16)
    if int(head, 16) < block:
        return receipt, f"receipt in block {block} while eth_blockNumber is {int(head, 16)}"
    if int(count, 16) <= nonce:
        return receipt, f"receipt of nonce {nonce} while eth_getTransactionCount(latest) is {int(count, 16)}"
    return receipt, None


def test_receipt_never_ahead_of_head(node, w3):
    watched = {"hash": None, "nonce": 0}
    violations = []
    done = threading.Event()

    def poll():
        client = RawRPC(node.port)
        try:
            while not done.is_set():
                if watched["hash"] is not None:
                    _, problem = receipt_and_head(client, watched["hash"], watched["nonce"])
                    if problem:
                        violations.append(problem)
        finally:
            client.close()

    pollers = [threading.Thread(target=poll, daemon=True) for _ in range(2)]
    for poller in pollers:
        poller.start()
    client = RawRPC(node.port)
    try:
        first = w3.eth.get_transaction_count(SENDER.address, "pending")
        for nonce in range(first, first + BLOCKS):
            if violations:
                break
            raw = sign(SENDER, transfer(nonce, "0x" + "c5" * 20, 1))
            tx_hash = client.call("eth_sendRawTransaction", "0x" + raw.hex())
            watched.update(hash=tx_hash, nonce=nonce)
            while True:
                receipt, problem = receipt_and_head(client, tx_hash, nonce)
                if problem:
                    violations.append(problem)
                if receipt is not None:
                    break
    finally:
        done.set()
        for poller in pollers:
            poller.join(10)
        client.close()
    assert not violations, f"{violations[0]} ({len(violations)} times)"


def test_concurrent_senders_all_mine_in_nonce_order(node, w3):
    """Eight clients on their own connections send 60 transfers each at once: every one is
    accepted and mined, each sender's nonces in order, the recipient credited exactly."""
    funder = DEV_ACCOUNTS[0]
    senders = [Account.from_key(keccak(text=f"mledger interop concurrent {n}")) for n in range(8)]
    recipient = to_checksum_address("0x" + "c0" * 20)
    nonce = next_nonce(w3, funder.address)
    funding = [w3.eth.send_raw_transaction(sign(funder, transfer(nonce + n, account.address, 10**18)))
               for n, account in enumerate(senders)]
    for tx_hash in funding:
        assert wait_for_receipt(w3, tx_hash)["status"] == 1
    before = w3.eth.get_balance(recipient)
    accepted, errors = {}, []

    def send_all(account):
        client = RawRPC(node.port)
        try:
            for n in range(60):
                reply = client.request("eth_sendRawTransaction",
                                       "0x" + sign(account, transfer(n, recipient, 1, legacy=n % 2 == 0)).hex())
                if "error" in reply:
                    errors.append(reply["error"])
                else:
                    accepted[reply["result"]] = (account.address, n)
        finally:
            client.close()

    threads = [threading.Thread(target=send_all, args=(account,)) for account in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors[:3]
    assert len(accepted) == 8 * 60
    wait_until(lambda: all(w3.eth.get_transaction_count(a.address) == 60 for a in senders), timeout=60,
               what="every sender's 60 transfers to mine")
    positions = {}
    for tx_hash, (address, n) in accepted.items():
        receipt = w3.eth.get_transaction_receipt(tx_hash)
        assert receipt["status"] == 1
        positions.setdefault(address, []).append(((receipt["blockNumber"], receipt["transactionIndex"]), n))
    for address, mined in positions.items():
        assert [n for _, n in sorted(mined)] == list(range(60)), f"{address}: mined out of nonce order"
    assert w3.eth.get_balance(recipient) == before + 8 * 60
