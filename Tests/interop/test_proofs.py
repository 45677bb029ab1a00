"""eth_getProof (EIP-1186) checked with py-trie, an independent Merkle Patricia trie: the
account proof leads from the block's stateRoot to the RLP account the node reports, the storage
proofs from that account's storageRoot to the slot values; a tampered proof is refused."""

import pytest
from trie.exceptions import BadTrieProof

from chain_checks import EMPTY_CODE_HASH, EMPTY_TRIE_ROOT, hex_bytes, proven_account, proven_storage
from dev_chain import DEV_ACCOUNTS, load_genesis
from vyper_build import compile_contract
from ledger_helpers import next_nonce, send_signed


def check_proof(rpc, address: str, slots: list[int], block: str) -> tuple[dict, list | None]:
    header = rpc.call("eth_getBlockByNumber", block, False)
    proof = rpc.call("eth_getProof", address, [hex(slot) for slot in slots], header["number"])
    state_root = hex_bytes(header["stateRoot"])
    account = proven_account(state_root, address, proof["accountProof"])
    assert proof["address"].lower() == address.lower()
    if account is None:
        assert int(proof["balance"], 16) == 0 and int(proof["nonce"], 16) == 0
        assert hex_bytes(proof["codeHash"]) in (EMPTY_CODE_HASH, bytes(32))
        assert hex_bytes(proof["storageHash"]) in (EMPTY_TRIE_ROOT, bytes(32))
    else:
        nonce, balance, storage_root, code_hash = account
        assert (int(proof["nonce"], 16), int(proof["balance"], 16)) == (nonce, balance)
        assert hex_bytes(proof["storageHash"]) == storage_root
        assert hex_bytes(proof["codeHash"]) == code_hash
    assert [int(entry["key"], 16) for entry in proof["storageProof"]] == slots
    for entry in proof["storageProof"]:
        root = hex_bytes(proof["storageHash"])
        assert proven_storage(root, int(entry["key"], 16), entry["proof"]) == int(entry["value"], 16)
    return proof, account


def test_genesis_account_proofs(rpc):
    for address, account in load_genesis()["alloc"].items():
        proof, proven = check_proof(rpc, address, [], "0x0")
        assert proven is not None
        assert proven[1] == int(account["balance"], 16)
        assert proven[3] == EMPTY_CODE_HASH


def test_absent_account_has_an_exclusion_proof(rpc):
    proof, proven = check_proof(rpc, "0x" + "ab" * 20, [0, 1], "latest")
    assert proven is None
    assert [int(entry["value"], 16) for entry in proof["storageProof"]] == [0, 0]


def test_tampered_proof_is_refused(rpc):
    address = DEV_ACCOUNTS[0].address
    header = rpc.call("eth_getBlockByNumber", "latest", False)
    proof = rpc.call("eth_getProof", address, [], header["number"])
    nodes = list(proof["accountProof"])
    assert len(nodes) >= 1
    last = bytearray(hex_bytes(nodes[-1]))
    last[-1] ^= 0x01  # one bit of the account's leaf
    nodes[-1] = "0x" + last.hex()
    with pytest.raises(BadTrieProof):
        proven_account(hex_bytes(header["stateRoot"]), address, nodes)
    with pytest.raises(BadTrieProof):
        proven_account(bytes(32), address, proof["accountProof"])


def test_contract_storage_proofs(w3, rpc):
    artifact = compile_contract("ValueStore")
    owner = DEV_ACCOUNTS[3]
    factory = w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
    data = factory.constructor(123_456_789).data_in_transaction
    tx = {"chainId": 1337, "nonce": next_nonce(w3, owner.address), "gas": 500_000, "data": data, "value": 0,
          "type": 2, "maxFeePerGas": 0, "maxPriorityFeePerGas": 0}
    receipt = send_signed(w3, owner, tx)
    assert receipt["status"] == 1
    address = receipt["contractAddress"]
    layout = artifact["layout"]
    slots = [layout["stored"]["slot"], layout["owner"]["slot"], 77]
    proof, proven = check_proof(rpc, address, slots, "latest")
    assert proven is not None
    assert proven[3] == w3.keccak(w3.eth.get_code(address))
    values = [int(entry["value"], 16) for entry in proof["storageProof"]]
    assert values == [123_456_789, int(owner.address, 16), 0]
    # And the sender's account at the same block: its nonce moved past the deployment.
    _, sender = check_proof(rpc, owner.address, [], "latest")
    assert sender[0] == tx["nonce"] + 1
