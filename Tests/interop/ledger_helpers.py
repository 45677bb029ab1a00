"""Small helpers the interop tests share: a web3 client for a port, sending signed
transactions and waiting for receipts or conditions."""

import time

from web3 import Web3
from web3.middleware import ExtraDataToPOAMiddleware

from dev_chain import sign


def make_web3(port: int) -> Web3:
    w3 = Web3(Web3.HTTPProvider(f"http://127.0.0.1:{port}", request_kwargs={"timeout": 60}))
    # MLedger headers carry a 97-byte Clique extraData (EIP-225), as a proof-of-authority chain:
    # web3 users add this middleware for any such chain.
    w3.middleware_onion.inject(ExtraDataToPOAMiddleware, layer=0)
    return w3


def wait_for_receipt(w3: Web3, tx_hash, timeout: float = 60):
    """web3's own wait. Reads right after it see the receipt's block at "latest" (checked on its
    own by test_consistency.py), so no test waits for the head separately."""
    return w3.eth.wait_for_transaction_receipt(tx_hash, timeout=timeout, poll_latency=0.05)


def send_signed(w3: Web3, account, tx: dict):
    """Signs with eth-account, sends raw, waits for the receipt."""
    tx_hash = w3.eth.send_raw_transaction(sign(account, tx))
    return wait_for_receipt(w3, tx_hash)


def next_nonce(w3: Web3, address: str) -> int:
    return w3.eth.get_transaction_count(address, "pending")


def wait_until(predicate, timeout: float = 30, interval: float = 0.05, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)
