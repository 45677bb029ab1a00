"""The public test keys of genesis/dev.json and small signing helpers.

DEVELOPMENT ONLY: every key here is Keccak-256 of a fixed phrase (see genesis/README.md),
so anyone can sign with them. The tests derive them the way a user would, not from a table.
"""

import json
from pathlib import Path

from eth_account import Account
from eth_utils import keccak, to_checksum_address

REPO_ROOT = Path(__file__).resolve().parents[2]
DEV_GENESIS = REPO_ROOT / "genesis" / "dev.json"
CHAIN_ID = 1337

SEALER_KEY = keccak(text="mledger dev sealer")
DEV_KEYS = [keccak(text=f"mledger dev account {n}") for n in range(1, 5)]
SEALER = Account.from_key(SEALER_KEY)
DEV_ACCOUNTS = [Account.from_key(key) for key in DEV_KEYS]

# Clique layout of extraData (EIP-225): 32 vanity bytes, signer addresses, 65-byte seal.
VANITY_LENGTH = 32
SEAL_LENGTH = 65


def load_genesis() -> dict:
    return json.loads(DEV_GENESIS.read_text())


def genesis_sealer_address(extra_data: bytes) -> str:
    """The single signer a genesis extraData names (20 bytes between vanity and seal)."""
    signers = extra_data[VANITY_LENGTH:len(extra_data) - SEAL_LENGTH]
    assert len(signers) == 20, f"genesis extraData names {len(signers) / 20} signers, expected one"
    return "0x" + signers.hex()


def transfer(nonce: int, to: str, value: int, *, legacy: bool = False, gas: int = 21_000,
             data: bytes = b"", fee: int = 0) -> dict:
    """A value transfer (or call) as eth-account signs it: EIP-1559 (type 2) with fee caps of
    `fee`, or legacy with gas price `fee` (EIP-155 protected)."""
    tx = {"chainId": CHAIN_ID, "nonce": nonce, "gas": gas, "to": to_checksum_address(to), "value": value, "data": data}
    if legacy:
        tx["gasPrice"] = fee
    else:
        tx.update(type=2, maxFeePerGas=fee, maxPriorityFeePerGas=fee)
    return tx


def sign(account, tx: dict) -> bytes:
    return bytes(account.sign_transaction(tx).raw_transaction)
