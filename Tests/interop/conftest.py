"""Fixtures of the MLedger interop suite: one real node for the whole session (dev genesis,
instant sealing, free loopback port), a web3 client and a raw JSON-RPC client for it."""

import pytest
from web3 import Web3

from ledger_helpers import make_web3
from mledger_node import NodeProcess, init_datadir
from rpc_client import RawRPC


def pytest_report_header(config):
    from mledger_node import mledger_binary
    try:
        return f"mledger binary: {mledger_binary()}"
    except RuntimeError as error:
        return str(error)


def start_dev_node(tmp_path_factory, name: str) -> NodeProcess:
    datadir = tmp_path_factory.mktemp(name) / "data"
    init_datadir(datadir)
    return NodeProcess(datadir).start()


@pytest.fixture(scope="session")
def node(tmp_path_factory):
    process = start_dev_node(tmp_path_factory, "shared-node")
    yield process
    status = process.stop()
    assert status == 0, f"mledger run exited with {status} after SIGTERM:\n{process.log_tail()}"


@pytest.fixture(scope="session")
def w3(node) -> Web3:
    return make_web3(node.port)


@pytest.fixture
def rpc(node):
    client = RawRPC(node.port)
    yield client
    client.close()
