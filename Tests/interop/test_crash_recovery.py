"""kill -9 under load: a thread pushes a steady stream of signed transfers and contract storage
writes and records every receipt the RPC returns; the node is SIGKILLed mid-stream and restarted on the same data
directory. Everything acknowledged must still be mined in the same block, the head state must
be consistent (balances, nonces, a proof against the stateRoot), new transactions must mine,
and `mledger verify-chain` must pass after a clean stop."""

import http.client
import json
import threading
import time

from eth_utils import keccak

from chain_checks import hex_bytes, proven_account
from dev_chain import DEV_ACCOUNTS, sign, transfer
from ledger_helpers import make_web3, wait_for_receipt, wait_until
from mledger_node import NodeProcess, init_datadir, mledger
from rpc_client import RawRPC
from vyper_build import compile_contract

SENDERS = DEV_ACCOUNTS[:2]
DEPLOYER = DEV_ACCOUNTS[2]
BATCH = 10


def recipient_of(sender_index: int, nonce: int) -> str:
    return "0x" + (0xC0FFEE << 136 | sender_index << 64 | nonce).to_bytes(20, "big").hex()


class TransferPump(threading.Thread):
    """Sends batches from each sender and polls their receipts, until stopped or the connection
    fails (the node was killed): sender 0 sends value transfers to fresh addresses, sender 1
    storage writes `store(nonce + 1)` to a contract (state and storage tries both grow)."""

    def __init__(self, port: int, contract: str, store_data):
        super().__init__(daemon=True)
        self.port = port
        self.contract = contract
        self.store_data = store_data
        self.stop = threading.Event()
        self.attempted = {}     # tx hash -> (sender index, nonce, recipient, value), sent or about to be
        self.sent = {}          # the attempted ones eth_sendRawTransaction answered with their hash
        self.acknowledged = {}  # tx hash -> (block hash, block number), from receipts the RPC returned
        self.rejections = []
        self.ended_by = None

    def run(self):
        self.client = RawRPC(self.port, timeout=20)
        nonces = [0] * len(SENDERS)
        outstanding = []
        ids = iter(range(1, 10**9))
        try:
            while not self.stop.is_set():
                calls = []
                for _ in range(BATCH):
                    index = len(self.attempted) % len(SENDERS)
                    nonce = nonces[index]
                    nonces[index] += 1
                    if index == 0:
                        recipient, value = recipient_of(index, nonce), 1_000 + nonce
                        tx = transfer(nonce, recipient, value, legacy=nonce % 3 == 0)
                    else:
                        recipient, value = self.contract, nonce + 1
                        tx = transfer(nonce, recipient, 0, legacy=nonce % 3 == 0, gas=100_000,
                                      data=self.store_data(value))
                    raw = sign(SENDERS[index], tx)
                    # A batch the kill cuts off may still have been admitted: its hashes are known here.
                    self.attempted["0x" + keccak(raw).hex()] = (index, nonce, recipient, value)
                    calls.append(({"jsonrpc": "2.0", "id": next(ids), "method": "eth_sendRawTransaction",
                                   "params": ["0x" + raw.hex()]}, (index, nonce, recipient, value)))
                replies = self._post([call for call, _ in calls])
                for (call, details), reply in zip(calls, replies):
                    if "result" in reply:
                        self.sent[reply["result"]] = details
                        outstanding.append(reply["result"])
                    else:
                        self.rejections.append(reply["error"])
                receipts = self._post([{"jsonrpc": "2.0", "id": next(ids), "method": "eth_getTransactionReceipt",
                                        "params": [tx_hash]} for tx_hash in outstanding])
                still = []
                for tx_hash, reply in zip(outstanding, receipts):
                    receipt = reply.get("result")
                    if receipt:
                        self.acknowledged[tx_hash] = (receipt["blockHash"], int(receipt["blockNumber"], 16))
                    else:
                        still.append(tx_hash)
                outstanding = still
        except (OSError, http.client.HTTPException, ValueError) as error:
            self.ended_by = error
        finally:
            self.client.close()

    def _post(self, calls: list) -> list:
        if not calls:
            return []
        status, body = self.client.post(json.dumps(calls).encode())
        if status != 200:
            raise OSError(f"HTTP {status}")
        return sorted(json.loads(body), key=lambda reply: reply["id"])


def test_kill_9_mid_load_loses_nothing_acknowledged(tmp_path_factory):
    datadir = tmp_path_factory.mktemp("crash") / "data"
    init_datadir(datadir)
    node = NodeProcess(datadir).start()
    try:
        artifact = compile_contract("ValueStore")
        w3 = make_web3(node.port)
        factory = w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
        deploy = {"chainId": 1337, "nonce": 0, "gas": 500_000, "value": 0, "type": 2, "maxFeePerGas": 0,
                  "maxPriorityFeePerGas": 0, "data": factory.constructor(0).data_in_transaction}
        contract_address = wait_for_receipt(w3, w3.eth.send_raw_transaction(sign(DEPLOYER, deploy)))["contractAddress"]
        contract = w3.eth.contract(address=contract_address, abi=artifact["abi"])
        pump = TransferPump(node.port, contract_address,
                            lambda value: bytes.fromhex(contract.encode_abi("store", args=[value])[2:]))
        pump.start()
        started = time.monotonic()
        wait_until(lambda: len(pump.acknowledged) >= 150 and time.monotonic() - started > 2 or not pump.is_alive(),
                   timeout=90, what="150 acknowledged transfers")
        assert pump.is_alive(), f"the load stopped before the kill: {pump.ended_by!r}\n{node.log_tail()}"
        node.kill()  # SIGKILL while the pump is still sending
        pump.stop.set()
        pump.join(30)
    finally:
        node.kill()
    assert not pump.rejections, f"transfers were refused under load: {pump.rejections[:3]}"
    acknowledged = dict(pump.acknowledged)
    assert len(acknowledged) >= 150
    print(f"killed with {len(pump.sent)} transactions accepted, {len(acknowledged)} acknowledged by a receipt, "
          f"in {len(set(number for _, number in acknowledged.values()))} blocks; the pump ended by {pump.ended_by!r}")

    node = NodeProcess(datadir).start()
    try:
        w3 = make_web3(node.port)
        rpc = RawRPC(node.port)
        # Every acknowledged transaction is still mined, in the same block.
        for tx_hash, (block_hash, number) in acknowledged.items():
            receipt = rpc.call("eth_getTransactionReceipt", tx_hash)
            assert receipt is not None, f"acknowledged {tx_hash} (block {number}) was lost by the crash"
            assert (receipt["blockHash"], int(receipt["blockNumber"], 16)) == (block_hash, number)
            assert rpc.call("eth_getBlockByNumber", hex(number), False)["hash"] == block_hash

        # Let any transactions the pool restored mine, then check the state at one head.
        wait_until(lambda: int(rpc.call("txpool_status")["pending"], 16) == 0, what="the restored pool to drain")
        head = rpc.call("eth_getBlockByNumber", "latest", False)
        head_number = int(head["number"], 16)
        assert head_number >= max(number for _, number in acknowledged.values())
        mined = {index: set() for index in range(len(SENDERS))}
        for tx_hash, (index, nonce, recipient, value) in pump.attempted.items():
            receipt = rpc.call("eth_getTransactionReceipt", tx_hash)
            is_mined = receipt is not None and int(receipt["blockNumber"], 16) <= head_number
            if is_mined:
                mined[index].add(nonce)
            if index == 0:
                balance = w3.eth.get_balance(w3.to_checksum_address(recipient), head_number)
                assert balance == (value if is_mined else 0), f"{recipient}: balance {balance} with mined={is_mined}"
        for index, sender in enumerate(SENDERS):
            count = w3.eth.get_transaction_count(sender.address, head_number)
            expected = set(range(count))
            assert mined[index] == expected, (
                f"sender {index}: nonce {count} at head {head_number}, but receipts for nonces "
                f"missing {sorted(expected - mined[index])[:10]}, extra {sorted(mined[index] - expected)[:10]}")
            proof = rpc.call("eth_getProof", sender.address, [], head["number"])
            account = proven_account(hex_bytes(head["stateRoot"]), sender.address, proof["accountProof"])
            assert account is not None and account[0] == count

        print(f"after restart: head {head_number}, {sum(len(n) for n in mined.values())} of {len(pump.attempted)} "
              f"attempted transactions mined ({len(pump.sent)} were answered with a hash before the kill)")
        # The contract holds the value of the last storage write mined.
        writes = len(mined[1])
        assert writes > 0
        stored = w3.eth.contract(address=contract_address, abi=artifact["abi"]).functions.stored().call(
            block_identifier=head_number)
        assert stored == writes, f"stored {stored} after {writes} mined writes"

        # New transactions mine on the recovered chain.
        sender = SENDERS[0]
        nonce = w3.eth.get_transaction_count(sender.address, "pending")
        receipt = wait_for_receipt(w3, w3.eth.send_raw_transaction(sign(sender, transfer(nonce, "0x" + "99" * 20, 5))))
        assert receipt["status"] == 1 and receipt["blockNumber"] > head_number
        rpc.close()
    finally:
        status = node.stop()
    assert status == 0, f"mledger run exited with {status} after SIGTERM:\n{node.log_tail()}"
    result = mledger("verify-chain", "--datadir", str(datadir), timeout=300)
    assert result.returncode == 0, f"verify-chain failed after the crash:\n{result.stdout}{result.stderr}"
    assert "verified" in result.stdout


def test_sigterm_mid_load_keeps_every_accepted_transaction(tmp_path_factory):
    """A clean stop under load: exit status 0, and after the restart every transaction whose
    hash eth_sendRawTransaction returned is mined (mined before the stop, or kept by the pool
    journal and mined after the restart)."""
    datadir = tmp_path_factory.mktemp("sigterm") / "data"
    init_datadir(datadir)
    node = NodeProcess(datadir).start()
    w3 = make_web3(node.port)
    factory_artifact = compile_contract("ValueStore")
    factory = w3.eth.contract(abi=factory_artifact["abi"], bytecode=factory_artifact["bytecode"])
    deploy = {"chainId": 1337, "nonce": 0, "gas": 500_000, "value": 0, "type": 2, "maxFeePerGas": 0,
              "maxPriorityFeePerGas": 0, "data": factory.constructor(0).data_in_transaction}
    contract_address = wait_for_receipt(w3, w3.eth.send_raw_transaction(sign(DEPLOYER, deploy)))["contractAddress"]
    contract = w3.eth.contract(address=contract_address, abi=factory_artifact["abi"])
    pump = TransferPump(node.port, contract_address,
                        lambda value: bytes.fromhex(contract.encode_abi("store", args=[value])[2:]))
    pump.start()
    try:
        wait_until(lambda: len(pump.sent) >= 200 or not pump.is_alive(), timeout=90, what="200 accepted transactions")
        assert pump.is_alive(), f"the load stopped before the stop: {pump.ended_by!r}"
        status = node.stop()
    finally:
        pump.stop.set()
        pump.join(30)
        node.kill()
    assert status == 0, f"mledger run exited with {status} after SIGTERM under load:\n{node.log_tail()}"
    accepted = dict(pump.sent)

    node = NodeProcess(datadir).start()
    try:
        rpc = RawRPC(node.port)
        wait_until(lambda: int(rpc.call("txpool_status")["pending"], 16) == 0, what="the restored pool to drain")
        lost = [tx_hash for tx_hash in accepted if rpc.call("eth_getTransactionReceipt", tx_hash) is None]
        assert not lost, f"{len(lost)} of {len(accepted)} accepted transactions were lost by a clean stop, e.g. {lost[:3]}"
        print(f"clean stop under load: {len(accepted)} accepted, all mined after the restart")
        rpc.close()
    finally:
        status = node.stop()
    assert status == 0
