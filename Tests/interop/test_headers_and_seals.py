"""Every block header from genesis to the head, re-derived from its JSON-RPC fields: the hash is
Keccak(RLP(header)), the parent links hold, and each sealed header's signature (Clique layout,
EIP-225) recovers to the single sealer named in genesis extraData."""

import json

from chain_checks import hex_bytes, header_hash, seal_signer
from dev_chain import DEV_ACCOUNTS, genesis_sealer_address, load_genesis, transfer
from ledger_helpers import next_nonce, send_signed


def blocks(rpc, first: int, last: int) -> list[dict]:
    """Blocks first...last through JSON-RPC batches of 100."""
    found = []
    for start in range(first, last + 1, 100):
        batch = [{"jsonrpc": "2.0", "id": n, "method": "eth_getBlockByNumber", "params": [hex(n), False]}
                 for n in range(start, min(start + 100, last + 1))]
        status, body = rpc.post(json.dumps(batch).encode())
        assert status == 200
        replies = sorted(json.loads(body), key=lambda reply: reply["id"])
        assert [reply["id"] for reply in replies] == [call["id"] for call in batch]
        found += [reply["result"] for reply in replies]
    return found


def test_every_header_hash_links_and_seal(w3, rpc):
    # Two sealed blocks at least, one per transaction kind, whatever ran before.
    sender = DEV_ACCOUNTS[0]
    recipient = "0x" + "5e" * 20
    send_signed(w3, sender, transfer(next_nonce(w3, sender.address), recipient, 1))
    send_signed(w3, sender, transfer(next_nonce(w3, sender.address), recipient, 1, legacy=True))

    genesis = load_genesis()
    sealer = genesis_sealer_address(hex_bytes(genesis["extraData"]))
    head = int(rpc.call("eth_blockNumber"), 16)
    assert head >= 2
    chain = blocks(rpc, 0, head)
    assert chain[0]["extraData"] == genesis["extraData"]
    for number, block in enumerate(chain):
        assert int(block["number"], 16) == number
        assert hex_bytes(block["hash"]) == header_hash(block), f"block {number}: hash is not Keccak(RLP(header))"
        if number == 0:
            continue
        parent = chain[number - 1]
        assert block["parentHash"] == parent["hash"], f"block {number} does not link to block {number - 1}"
        assert int(block["timestamp"], 16) > int(parent["timestamp"], 16)
        assert int(block["baseFeePerGas"], 16) == 0
        assert int(block["gasUsed"], 16) <= int(block["gasLimit"], 16)
        assert block["transactions"], f"block {number} is empty (instant sealing makes no empty blocks)"
        assert seal_signer(block).lower() == sealer, f"block {number} is not sealed by {sealer}"


def test_a_changed_header_no_longer_checks_out(rpc, w3):
    sender = DEV_ACCOUNTS[0]
    send_signed(w3, sender, transfer(next_nonce(w3, sender.address), "0x" + "5f" * 20, 1))
    block = rpc.call("eth_getBlockByNumber", "latest", False)
    assert seal_signer(block).lower() == genesis_sealer_address(hex_bytes(load_genesis()["extraData"]))
    forged = dict(block, gasUsed=hex(int(block["gasUsed"], 16) + 1))
    assert header_hash(forged) != hex_bytes(block["hash"])
    assert seal_signer(forged).lower() != seal_signer(block).lower()
