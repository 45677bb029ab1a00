"""The command surface a user meets around the node: init refuses another genesis on the same
data directory, `run --dev` serves a throw-away dev chain, pending pool transactions survive a
clean restart (journal), and interval sealing seals on its clock without empty blocks."""

import json
import time

from dev_chain import DEV_ACCOUNTS, DEV_GENESIS, sign, transfer
from ledger_helpers import make_web3, wait_for_receipt, wait_until
from mledger_node import NodeProcess, init_datadir, mledger
from rpc_client import RawRPC


def stop_cleanly(node: NodeProcess) -> None:
    status = node.stop()
    assert status == 0, f"mledger run exited with {status} after SIGTERM:\n{node.log_tail()}"


def test_init_refuses_a_different_genesis(tmp_path):
    datadir = tmp_path / "data"
    init_datadir(datadir)
    again = mledger("init", "--genesis", str(DEV_GENESIS), "--datadir", str(datadir))
    assert again.returncode == 0, f"re-init with the same genesis failed: {again.stderr}"
    other = json.loads(DEV_GENESIS.read_text())
    other["config"]["chainId"] = 4242
    other_path = tmp_path / "other.json"
    other_path.write_text(json.dumps(other))
    refused = mledger("init", "--genesis", str(other_path), "--datadir", str(datadir))
    assert refused.returncode != 0
    assert "different genesis" in refused.stdout + refused.stderr
    missing = mledger("run", "--datadir", str(tmp_path / "nothing-here"), "--rpc-addr", "127.0.0.1:0")
    assert missing.returncode != 0 and "mledger init" in missing.stdout + missing.stderr


def test_dev_mode_serves_a_throw_away_chain(tmp_path):
    node = NodeProcess(None, log_path=tmp_path / "dev-node.log").start()
    try:
        w3 = make_web3(node.port)
        assert w3.eth.chain_id == 1337
        assert w3.eth.block_number == 0
        receipt = wait_for_receipt(w3, w3.eth.send_raw_transaction(sign(DEV_ACCOUNTS[0], transfer(0, "0x" + "de" * 20, 3))))
        assert receipt["status"] == 1 and receipt["blockNumber"] == 1
    finally:
        stop_cleanly(node)


def test_pending_transactions_survive_a_clean_restart(tmp_path):
    datadir = tmp_path / "data"
    init_datadir(datadir)
    sender = DEV_ACCOUNTS[2]
    node = NodeProcess(datadir).start()
    try:
        rpc = RawRPC(node.port)
        # Nonce 1 before nonce 0: it waits in the pool (queued) across the restart.
        queued = rpc.call("eth_sendRawTransaction", "0x" + sign(sender, transfer(1, "0x" + "ab" * 20, 7)).hex())
        assert int(rpc.call("txpool_status")["queued"], 16) == 1
        rpc.close()
    finally:
        stop_cleanly(node)
    node = NodeProcess(datadir).start()
    try:
        w3 = make_web3(node.port)
        rpc = RawRPC(node.port)
        assert int(rpc.call("txpool_status")["queued"], 16) == 1
        assert rpc.call("eth_getTransactionByHash", queued)["nonce"] == "0x1"
        filler = w3.eth.send_raw_transaction(sign(sender, transfer(0, "0x" + "ab" * 20, 5)))
        assert wait_for_receipt(w3, filler)["status"] == 1
        assert wait_for_receipt(w3, queued)["status"] == 1
        assert w3.eth.get_balance(w3.to_checksum_address("0x" + "ab" * 20)) == 12
        rpc.close()
    finally:
        stop_cleanly(node)


def test_interval_sealing_without_empty_blocks(tmp_path):
    datadir = tmp_path / "data"
    init_datadir(datadir)
    node = NodeProcess(datadir, extra_args=("--seal", "interval", "--block-time", "300")).start()
    try:
        w3 = make_web3(node.port)
        time.sleep(1.0)
        assert w3.eth.block_number == 0, "interval sealing made empty blocks without --empty-blocks"
        sender = DEV_ACCOUNTS[3]
        hashes = [w3.eth.send_raw_transaction(sign(sender, transfer(nonce, "0x" + "1d" * 20, 1))) for nonce in range(5)]
        receipts = [wait_for_receipt(w3, tx_hash) for tx_hash in hashes]
        assert all(receipt["status"] == 1 for receipt in receipts)
        # Sent together within one interval: they share a block (or two, if a tick fell between).
        assert len({receipt["blockNumber"] for receipt in receipts}) <= 2
        head = w3.eth.block_number
        time.sleep(1.0)
        assert w3.eth.block_number == head
    finally:
        stop_cleanly(node)
    empty = NodeProcess(datadir, extra_args=("--seal", "interval", "--block-time", "200", "--empty-blocks")).start()
    try:
        w3 = make_web3(empty.port)
        start = w3.eth.block_number
        wait_until(lambda: w3.eth.block_number >= start + 2, timeout=10, what="two empty blocks")
        block = w3.eth.get_block("latest")
        assert block["transactions"] == []
    finally:
        stop_cleanly(empty)
    result = mledger("verify-chain", "--datadir", str(datadir), timeout=300)
    assert result.returncode == 0, f"verify-chain failed:\n{result.stdout}{result.stderr}"
