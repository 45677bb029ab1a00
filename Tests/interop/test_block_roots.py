"""Block contents re-derived with py-trie and rlp: a block holding several transactions sent
together (legacy, EIP-1559, a contract creation and a call emitting a log) has the transactionsRoot of the raw signed
transactions, the receiptsRoot of its receipts, and the logsBloom of its logs; the lookups by
block, index and hash agree with each other."""

import json

from eth_utils import keccak
from web3.utils.address import get_create_address

from chain_checks import hex_bytes, log_bloom, ordered_trie_root, receipt_encoding
from dev_chain import DEV_ACCOUNTS, sign, transfer
from ledger_helpers import next_nonce, wait_for_receipt
from vyper_build import compile_contract

SENDER = DEV_ACCOUNTS[0]


def test_roots_blooms_and_lookups_of_a_multi_transaction_block(w3, rpc):
    artifact = compile_contract("ValueStore")
    nonce = next_nonce(w3, SENDER.address)
    create = {"chainId": 1337, "nonce": nonce + 2, "gas": 500_000, "value": 0, "type": 2, "maxFeePerGas": 0,
              "maxPriorityFeePerGas": 0,
              "data": w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"]).constructor(5).data_in_transaction}
    # The fourth calls the contract the third creates (its address follows from sender and nonce).
    created = get_create_address(SENDER.address, nonce + 2)
    store = w3.eth.contract(address=created, abi=artifact["abi"]).encode_abi("store", args=[9])
    raws = [sign(SENDER, transfer(nonce, "0x" + "b1" * 20, 10, legacy=True)),
            sign(SENDER, transfer(nonce + 1, "0x" + "b2" * 20, 20)),
            sign(SENDER, create),
            sign(SENDER, transfer(nonce + 3, created, 0, gas=100_000, data=hex_bytes(store)))]
    # One HTTP batch: the instant sealer batches what arrives together.
    batch = [{"jsonrpc": "2.0", "id": n, "method": "eth_sendRawTransaction", "params": ["0x" + raw.hex()]}
             for n, raw in enumerate(raws)]
    _, body = rpc.post(json.dumps(batch).encode())
    hashes = [reply["result"] for reply in sorted(json.loads(body), key=lambda reply: reply["id"])]
    assert hashes == ["0x" + keccak(raw).hex() for raw in raws]
    receipts = [wait_for_receipt(w3, tx_hash) for tx_hash in hashes]
    assert [receipt["status"] for receipt in receipts] == [1, 1, 1, 1]
    assert receipts[2]["contractAddress"] == created
    assert len(receipts[3]["logs"]) == 1
    raw_by_hash = dict(zip(hashes, raws))

    blocks = sorted({receipt["blockNumber"] for receipt in receipts})
    print(f"4 transactions sent in one batch landed in {len(blocks)} block(s)")
    for number in blocks:
        block = rpc.call("eth_getBlockByNumber", hex(number), True)
        transactions = block["transactions"]
        assert all(tx["hash"] in raw_by_hash for tx in transactions), "a block holds a transaction not sent here"
        assert hex_bytes(block["transactionsRoot"]) == ordered_trie_root([raw_by_hash[tx["hash"]] for tx in transactions])

        block_receipts = rpc.call("eth_getBlockReceipts", hex(number))
        single = [rpc.call("eth_getTransactionReceipt", tx["hash"]) for tx in transactions]
        assert block_receipts == single
        assert hex_bytes(block["receiptsRoot"]) == ordered_trie_root([receipt_encoding(r) for r in single])
        bloom = bytes(256)
        cumulative = 0
        for index, (tx, receipt) in enumerate(zip(transactions, single)):
            assert hex_bytes(receipt["logsBloom"]) == log_bloom(receipt["logs"])
            bloom = bytes(a | b for a, b in zip(bloom, hex_bytes(receipt["logsBloom"])))
            cumulative += int(receipt["gasUsed"], 16)
            assert int(receipt["cumulativeGasUsed"], 16) == cumulative
            assert int(tx["transactionIndex"], 16) == index == int(receipt["transactionIndex"], 16)
            assert tx["blockHash"] == block["hash"] == receipt["blockHash"]
            assert tx["from"].lower() == SENDER.address.lower()
            assert rpc.call("eth_getTransactionByBlockNumberAndIndex", hex(number), hex(index)) == tx
            assert rpc.call("eth_getTransactionByBlockHashAndIndex", block["hash"], hex(index)) == tx
            assert rpc.call("eth_getTransactionByHash", tx["hash"]) == tx
        assert hex_bytes(block["logsBloom"]) == bloom
        assert int(block["gasUsed"], 16) == cumulative
        assert int(rpc.call("eth_getBlockTransactionCountByNumber", hex(number)), 16) == len(transactions)
        assert int(rpc.call("eth_getBlockTransactionCountByHash", block["hash"]), 16) == len(transactions)
        assert rpc.call("eth_getTransactionByBlockNumberAndIndex", hex(number), hex(len(transactions))) is None
        hashes_only = rpc.call("eth_getBlockByHash", block["hash"], False)
        assert hashes_only["transactions"] == [tx["hash"] for tx in transactions]
        assert int(hashes_only["size"], 16) > 0
