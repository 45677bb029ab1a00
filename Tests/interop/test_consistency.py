"""Read-your-writes across methods: once the node returns a transaction's receipt, the head it
reports (eth_blockNumber, state at "latest") includes that block. Checked from the sender and
from polling threads while transfers mine one block each (finding F1 in the interop report)."""

import json
import threading

from dev_chain import DEV_ACCOUNTS, sign, transfer
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
