"""WebSocket subscriptions on the JSON-RPC port: newHeads and logs, with the `websockets`
package directly and with web3's AsyncWeb3 WebSocketProvider; each receives the block or log
of a transaction sent after subscribing."""

import asyncio
import json
import time

import pytest
from websockets.sync.client import connect
from web3 import AsyncWeb3, WebSocketProvider
from web3.middleware import ExtraDataToPOAMiddleware

from chain_checks import hex_bytes, header_hash
from dev_chain import DEV_ACCOUNTS, sign, transfer
from ledger_helpers import next_nonce, send_signed
from vyper_build import compile_contract

SENDER = DEV_ACCOUNTS[2]


@pytest.fixture(scope="module")
def contract(w3):
    artifact = compile_contract("ValueStore")
    factory = w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
    data = factory.constructor(1).data_in_transaction
    tx = {"chainId": 1337, "nonce": next_nonce(w3, SENDER.address), "gas": 500_000, "data": data, "value": 0,
          "type": 2, "maxFeePerGas": 0, "maxPriorityFeePerGas": 0}
    receipt = send_signed(w3, SENDER, tx)
    assert receipt["status"] == 1
    return w3.eth.contract(address=receipt["contractAddress"], abi=artifact["abi"])


class Session:
    """One WebSocket connection; replies by id, notifications collected per subscription."""

    def __init__(self, socket):
        self.socket = socket
        self.next_id = 0
        self.notifications = []

    def call(self, method, *params):
        self.next_id += 1
        self.socket.send(json.dumps({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": list(params)}))
        while True:
            message = json.loads(self.socket.recv(timeout=30))
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise AssertionError(f"{method}: {message['error']}")
                return message["result"]
            self.notifications.append(message)

    def wait_for(self, predicate, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            for message in self.notifications:
                if predicate(message):
                    return message
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"no matching notification within {timeout}s; got {self.notifications[-3:]}"
            try:
                self.notifications.append(json.loads(self.socket.recv(timeout=remaining)))
            except TimeoutError:
                pass


def test_new_heads_and_logs_over_websocket(node, w3, contract):
    with connect(node.ws_url, open_timeout=10, max_size=2**24) as socket:
        session = Session(socket)
        heads = session.call("eth_subscribe", "newHeads")
        logs = session.call("eth_subscribe", "logs", {"address": contract.address})
        other = session.call("eth_subscribe", "logs", {"address": "0x" + "01" * 20})
        assert len({heads, logs, other}) == 3

        data = contract.encode_abi("store", args=[2024])
        tx = transfer(next_nonce(w3, SENDER.address), contract.address, 0, gas=100_000, data=data)
        receipt = send_signed(w3, SENDER, tx)
        block_hash = "0x" + receipt["blockHash"].hex().removeprefix("0x")
        tx_hash = "0x" + receipt["transactionHash"].hex().removeprefix("0x")

        head = session.wait_for(lambda m: m["params"]["subscription"] == heads
                                and m["params"]["result"]["hash"] == block_hash)["params"]["result"]
        assert hex_bytes(head["hash"]) == header_hash(head)
        assert int(head["number"], 16) == receipt["blockNumber"]
        log = session.wait_for(lambda m: m["params"]["subscription"] == logs)["params"]["result"]
        assert log["transactionHash"] == tx_hash
        assert log["address"].lower() == contract.address.lower()
        assert int(log["data"], 16) == 2024
        assert log["removed"] is False
        assert all(m["params"]["subscription"] != other for m in session.notifications)

        assert session.call("eth_unsubscribe", heads) is True
        assert session.call("eth_unsubscribe", heads) is False


def test_eth_subscribe_needs_websocket(rpc):
    reply = rpc.request("eth_subscribe", "newHeads")
    assert "error" in reply, reply
    assert reply["error"]["code"] == -32001
    assert "notifications not supported" in reply["error"]["message"]


def test_web3_async_websocket_provider(node, w3):
    async def scenario():
        async with AsyncWeb3(WebSocketProvider(node.ws_url)) as aw3:
            aw3.middleware_onion.inject(ExtraDataToPOAMiddleware, layer=0)  # Clique extraData, as over HTTP
            assert await aw3.eth.chain_id == 1337
            subscription = await aw3.eth.subscribe("newHeads")
            raw = sign(SENDER, transfer(await aw3.eth.get_transaction_count(SENDER.address, "pending"),
                                        "0x" + "3d" * 20, 1))
            tx_hash = await aw3.eth.send_raw_transaction(raw)
            receipt = await aw3.eth.wait_for_transaction_receipt(tx_hash, timeout=30, poll_latency=0.05)

            async def first_matching_head():
                async for message in aw3.socket.process_subscriptions():
                    if message["subscription"] == subscription and message["result"]["hash"] == receipt["blockHash"]:
                        return message["result"]

            head = await asyncio.wait_for(first_matching_head(), timeout=30)
            assert head["number"] == receipt["blockNumber"]
            assert await aw3.eth.unsubscribe(subscription) is True

    asyncio.run(scenario())


def test_pending_transactions_and_bad_messages_over_websocket(node, w3):
    with connect(node.ws_url, open_timeout=10) as socket:
        session = Session(socket)
        pending = session.call("eth_subscribe", "newPendingTransactions")
        # Bad messages get JSON-RPC errors on the same connection, which stays open.
        socket.send("{not json")
        assert json.loads(socket.recv(timeout=10))["error"]["code"] == -32700
        socket.send(json.dumps({"jsonrpc": "2.0", "id": 99, "method": "eth_subscribe", "params": ["noSuchKind"]}))
        reply = json.loads(socket.recv(timeout=10))
        while "id" not in reply:
            session.notifications.append(reply)
            reply = json.loads(socket.recv(timeout=10))
        assert (reply["id"], reply["error"]["code"]) == (99, -32602)

        tx_hash = w3.eth.send_raw_transaction(sign(SENDER, transfer(next_nonce(w3, SENDER.address), "0x" + "4e" * 20, 1)))
        expected = "0x" + tx_hash.hex().removeprefix("0x")
        session.wait_for(lambda m: m.get("params", {}).get("subscription") == pending
                         and m["params"]["result"] == expected)
        assert session.call("eth_chainId") == hex(1337)


def test_every_block_once_and_in_order_under_load(node, w3, rpc):
    """While batches of transfers arrive, a newHeads subscriber and a block filter each see
    every new block exactly once, in chain order."""
    sender = DEV_ACCOUNTS[3]
    with connect(node.ws_url, open_timeout=10, max_size=2**24) as socket:
        session = Session(socket)
        heads = session.call("eth_subscribe", "newHeads")
        block_filter = rpc.call("eth_newBlockFilter")
        start = int(rpc.call("eth_blockNumber"), 16)
        polled = []
        nonce = next_nonce(w3, sender.address)
        for _ in range(25):
            batch = [{"jsonrpc": "2.0", "id": n, "method": "eth_sendRawTransaction",
                      "params": ["0x" + sign(sender, transfer(nonce + n, "0x" + "4b" * 20, 1)).hex()]} for n in range(10)]
            status, body = rpc.post(json.dumps(batch).encode())
            assert status == 200 and all("result" in reply for reply in json.loads(body))
            nonce += 10
            polled += rpc.call("eth_getFilterChanges", block_filter)
        last = wait_until_mined(w3, sender.address, nonce)
        canonical = [rpc.call("eth_getBlockByNumber", hex(n), False)["hash"] for n in range(start + 1, last + 1)]
        session.wait_for(lambda m: m["params"]["subscription"] == heads and int(m["params"]["result"]["number"], 16) == last)
        seen = [m["params"]["result"]["hash"] for m in session.notifications if m["params"]["subscription"] == heads]
        polled += rpc.call("eth_getFilterChanges", block_filter)
    assert len(canonical) >= 2
    assert seen == canonical
    assert polled == canonical


def wait_until_mined(w3, address: str, nonce: int) -> int:
    deadline = time.monotonic() + 60
    while w3.eth.get_transaction_count(address, "latest") < nonce:
        assert time.monotonic() < deadline, "transfers did not mine within 60s"
        time.sleep(0.02)
    return w3.eth.block_number
