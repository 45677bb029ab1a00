"""web3 basics against the dev chain: identity, fees, genesis accounts and balances, and the
genesis block re-derived independently (state root with py-trie, hash with rlp)."""

from eth_utils import to_checksum_address

from chain_checks import genesis_number, genesis_state_root, hex_bytes, header_hash
from dev_chain import CHAIN_ID, DEV_ACCOUNTS, SEALER, genesis_sealer_address, load_genesis


def test_public_dev_keys_are_the_genesis_accounts():
    genesis = load_genesis()
    alloc = {address.lower() for address in genesis["alloc"]}
    assert genesis_sealer_address(hex_bytes(genesis["extraData"])) == SEALER.address.lower()
    for account in DEV_ACCOUNTS + [SEALER]:
        assert account.address.lower() in alloc, f"{account.address} is not funded in genesis/dev.json"


def test_identity_and_fees(w3, rpc):
    assert w3.eth.chain_id == CHAIN_ID
    assert w3.net.version == str(CHAIN_ID)
    assert w3.client_version.startswith("MLedger/")
    assert w3.eth.gas_price == 0
    assert w3.eth.max_priority_fee == 0
    assert w3.eth.accounts == []  # keys never leave the node
    assert w3.eth.syncing is False
    assert rpc.call("net_listening") is True
    assert rpc.call("eth_coinbase").lower() == SEALER.address.lower()
    assert rpc.call("web3_sha3", "0x") == "0x" + w3.keccak(b"").hex().removeprefix("0x")


def test_fee_history_is_gas_free(w3):
    head = w3.eth.block_number
    history = w3.eth.fee_history(4, "latest", [25, 75])
    count = min(4, head + 1)
    assert history["oldestBlock"] == head + 1 - count
    assert history["baseFeePerGas"] == [0] * (count + 1)
    assert len(history["gasUsedRatio"]) == count
    assert all(0 <= ratio <= 1 for ratio in history["gasUsedRatio"])
    assert history["reward"] == [[0, 0]] * count


def test_genesis_balances(w3):
    for address, account in load_genesis()["alloc"].items():
        expected = genesis_number(account.get("balance", "0x0"))
        assert w3.eth.get_balance(to_checksum_address(address), 0) == expected
        assert w3.eth.get_transaction_count(to_checksum_address(address), 0) == genesis_number(account.get("nonce", "0x0"))
        assert w3.eth.get_code(to_checksum_address(address), 0) == hex_bytes(account.get("code", "0x"))


def test_genesis_block_matches_the_genesis_file(rpc):
    genesis = load_genesis()
    block = rpc.call("eth_getBlockByNumber", "0x0", False)
    assert block["number"] == "0x0"
    assert block["parentHash"] == "0x" + "00" * 32
    assert block["extraData"] == genesis["extraData"]
    assert int(block["gasLimit"], 16) == genesis_number(genesis["gasLimit"])
    assert int(block["timestamp"], 16) == genesis_number(genesis["timestamp"])
    assert int(block["baseFeePerGas"], 16) == 0
    assert int(block["difficulty"], 16) == 0
    assert block["transactions"] == []
    assert hex_bytes(block["stateRoot"]) == genesis_state_root(genesis["alloc"])
    assert hex_bytes(block["hash"]) == header_hash(block)
    assert rpc.call("eth_getBlockByHash", block["hash"], False)["number"] == "0x0"
    earliest = rpc.call("eth_getBlockByNumber", "earliest", False)
    assert earliest["hash"] == block["hash"]
