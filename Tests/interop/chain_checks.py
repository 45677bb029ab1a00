"""Independent re-derivations of what the node reports, with libraries that share no code with
MLedger: header hashes and seals (rlp, eth-keys) and Merkle proofs (py-trie, EIP-1186)."""

import rlp
from eth_keys import KeyAPI
from eth_keys.backends import NativeECCBackend
from eth_utils import keccak, to_checksum_address
from trie import HexaryTrie

from dev_chain import SEAL_LENGTH

# Seals are recovered with eth-keys' pure-Python secp256k1, not libsecp256k1 (which the node
# links), so a shared bug cannot hide.
PURE_PYTHON_KEYS = KeyAPI(NativeECCBackend)

EMPTY_TRIE_ROOT = keccak(rlp.encode(b""))
EMPTY_CODE_HASH = keccak(b"")


def hex_bytes(value: str) -> bytes:
    return bytes.fromhex(value[2:] if value.startswith("0x") else value)


def quantity(value: str) -> int:
    return int(value, 16)


# Consensus order of the header fields; the post-London ones are appended while present
# (baseFeePerGas EIP-1559, withdrawalsRoot EIP-4895, blobGasUsed/excessBlobGas EIP-4844,
# parentBeaconBlockRoot EIP-4788).
BASE_FIELDS = [
    ("parentHash", hex_bytes), ("sha3Uncles", hex_bytes), ("miner", hex_bytes), ("stateRoot", hex_bytes),
    ("transactionsRoot", hex_bytes), ("receiptsRoot", hex_bytes), ("logsBloom", hex_bytes),
    ("difficulty", quantity), ("number", quantity), ("gasLimit", quantity), ("gasUsed", quantity),
    ("timestamp", quantity), ("extraData", hex_bytes), ("mixHash", hex_bytes), ("nonce", hex_bytes),
]
FORK_FIELDS = [
    ("baseFeePerGas", quantity), ("withdrawalsRoot", hex_bytes), ("blobGasUsed", quantity),
    ("excessBlobGas", quantity), ("parentBeaconBlockRoot", hex_bytes),
]


def header_fields(block: dict, extra_data: bytes | None = None) -> list:
    """The header as an RLP list, from the JSON-RPC block fields (optionally another extraData)."""
    fields = [decode(block[name]) for name, decode in BASE_FIELDS]
    if extra_data is not None:
        fields[12] = extra_data
    present = [name for name, _ in FORK_FIELDS if block.get(name) is not None]
    if present:
        last = max(index for index, (name, _) in enumerate(FORK_FIELDS) if name in present)
        for name, decode in FORK_FIELDS[:last + 1]:
            assert block.get(name) is not None, f"block {block['number']}: {name} missing before a later fork field"
            fields.append(decode(block[name]))
    return fields


def header_hash(block: dict) -> bytes:
    return keccak(rlp.encode(header_fields(block)))


def seal_signer(block: dict) -> str:
    """The address that signed the header: the seal is r ‖ s ‖ v (v in {0, 1}) in the last 65
    bytes of extraData, over Keccak(RLP(header with extraData minus the seal)) (EIP-225)."""
    extra = hex_bytes(block["extraData"])
    assert len(extra) >= 32 + SEAL_LENGTH, f"block {block['number']}: extraData of {len(extra)} bytes has no seal"
    seal = extra[-SEAL_LENGTH:]
    message = keccak(rlp.encode(header_fields(block, extra_data=extra[:-SEAL_LENGTH])))
    signature = PURE_PYTHON_KEYS.Signature(vrs=(seal[64], int.from_bytes(seal[:32], "big"), int.from_bytes(seal[32:64], "big")))
    return signature.recover_public_key_from_msg_hash(message).to_checksum_address()


def proof_nodes(proof: list[str]) -> list:
    """EIP-1186 proof entries (RLP-encoded trie nodes) as the decoded nodes py-trie takes."""
    return [rlp.decode(hex_bytes(node)) for node in proof]


def proven_account(state_root: bytes, address: str, proof: list[str]) -> list | None:
    """[nonce, balance, storageRoot, codeHash] proven under state_root, None if absent.
    py-trie raises BadTrieProof when the proof does not lead to the root."""
    encoded = HexaryTrie.get_from_proof(state_root, keccak(hex_bytes(address)), proof_nodes(proof))
    if encoded == b"":
        return None
    nonce, balance, storage_root, code_hash = rlp.decode(encoded)
    return [int.from_bytes(nonce, "big"), int.from_bytes(balance, "big"), storage_root, code_hash]


def proven_storage(storage_root: bytes, slot: int, proof: list[str]) -> int:
    key = keccak(slot.to_bytes(32, "big"))
    encoded = HexaryTrie.get_from_proof(storage_root, key, proof_nodes(proof))
    return 0 if encoded == b"" else int.from_bytes(rlp.decode(encoded), "big")


def genesis_number(value) -> int:
    """A genesis number: geth's format allows hex ("0x...") or decimal strings."""
    if isinstance(value, int):
        return value
    return int(value, 16) if value.startswith(("0x", "0X")) else int(value)


def genesis_state_root(alloc: dict) -> bytes:
    """The state root of a geth-format genesis alloc, built with py-trie."""
    state = HexaryTrie({})
    for address, account in alloc.items():
        storage = HexaryTrie({})
        for slot, value in account.get("storage", {}).items():
            number = genesis_number(value)
            if number:
                storage[keccak(int(slot, 16).to_bytes(32, "big"))] = rlp.encode(number)
        code = hex_bytes(account.get("code", "0x"))
        fields = [genesis_number(account.get("nonce", "0x0")), genesis_number(account.get("balance", "0x0")), storage.root_hash, keccak(code)]
        state[keccak(hex_bytes(address))] = rlp.encode(fields)
    return state.root_hash


def checksum(address: str) -> str:
    return to_checksum_address(address)


def log_bloom(logs: list[dict]) -> bytes:
    """The 2048-bit bloom of JSON-RPC logs (Yellow Paper 4.3.1): three bits per address and
    topic, each from a byte pair of its Keccak-256."""
    bloom = bytearray(256)
    for log in logs:
        for item in [hex_bytes(log["address"])] + [hex_bytes(topic) for topic in log["topics"]]:
            digest = keccak(item)
            for i in (0, 2, 4):
                bit = ((digest[i] << 8) | digest[i + 1]) & 2047
                bloom[255 - bit // 8] |= 1 << (bit % 8)
    return bytes(bloom)


def receipt_encoding(receipt: dict) -> bytes:
    """The consensus encoding of a JSON-RPC receipt (EIP-2718: type byte first unless legacy)."""
    logs = [[hex_bytes(log["address"]), [hex_bytes(topic) for topic in log["topics"]], hex_bytes(log["data"])]
            for log in receipt["logs"]]
    body = rlp.encode([quantity(receipt["status"]), quantity(receipt["cumulativeGasUsed"]),
                       hex_bytes(receipt["logsBloom"]), logs])
    kind = quantity(receipt["type"])
    return body if kind == 0 else bytes([kind]) + body


def ordered_trie_root(items: list[bytes]) -> bytes:
    """Root of the trie keyed by RLP(index), as transactions and receipts roots are built."""
    trie = HexaryTrie({})
    for index, item in enumerate(items):
        trie[rlp.encode(index)] = item
    return trie.root_hash
