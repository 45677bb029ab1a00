"""Issue 6 end to end, as outside users meet it: records registered through the verification
REST API (the IoT-NGIN MLaaS shapes), read back by web3.py through the committed ABI, their
runtime code compared with the committed artifact, their events found with get_logs, and the
lineage audited by the `mledger audit` binary over JSON-RPC."""

import json
import urllib.error
import urllib.request

import pytest
from web3 import Web3

from dev_chain import REPO_ROOT
from ledger_helpers import make_web3
from mledger_node import mledger, start_rest_dev_node

ARTIFACTS = REPO_ROOT / "contracts" / "build"


def artifact(name: str) -> dict:
    return json.loads((ARTIFACTS / f"{name}.json").read_text())


@pytest.fixture(scope="module")
def dev_node(tmp_path_factory):
    node = start_rest_dev_node(tmp_path_factory.mktemp("rest") / "node.log")
    yield node
    assert node.stop() == 0, node.log_tail()


def call(node, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(node.api + path, data=data, method=method,
                                     headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_records_through_rest_read_by_web3_and_audited(dev_node):
    w3 = make_web3(dev_node.port)
    commitment = "0x" + "ab" * 32
    status, created = call(dev_node, "POST", "/contract/dataset", {
        "organization_id": "acme", "samples_dimension": "24x36", "size_bytes": 4096, "hash": commitment,
        "pending": True})
    assert status == 200, created
    dataset = Web3.to_checksum_address(created["contract_address"])
    # A model may cite only a finalized dataset ("pending": statistics were to follow).
    weights = "0x" + "cd" * 32
    model_body = {"model_params": {"developer_id": "dev-1", "organization_id": "acme",
                                   "train_image": "registry.local/trainer@sha256:" + "0" * 64, "res_hash": weights},
                  "data_params": {"dataset_id": dataset}}
    status, refused = call(dev_node, "POST", "/contract/model", model_body)
    assert status == 409, refused
    status, finalized = call(dev_node, "POST", f"/contract/{dataset}/finalize")
    assert status == 200 and finalized["finalized"] is True, finalized
    status, created = call(dev_node, "POST", "/contract/model", model_body)
    assert status == 200, created
    model = Web3.to_checksum_address(created["contract_address"])

    # web3.py reads both records through the committed ABI; code matches the committed artifact.
    dataset_abi, model_abi = artifact("DatasetRecord"), artifact("ModelRecord")
    assert Web3.keccak(w3.eth.get_code(dataset)).hex().removeprefix("0x") == dataset_abi["runtimeCodeHash"].removeprefix("0x")
    assert Web3.keccak(w3.eth.get_code(model)).hex().removeprefix("0x") == model_abi["runtimeCodeHash"].removeprefix("0x")
    record = w3.eth.contract(address=model, abi=model_abi["abi"])
    assert record.functions.finalized().call() is True
    assert "0x" + record.functions.weightsHash().call().hex().removeprefix("0x") == weights
    assert record.functions.getDatasets().call() == [dataset]
    owner = record.functions.owner().call()
    assert w3.eth.contract(address=dataset, abi=dataset_abi["abi"]).functions.owner().call() == owner
    events = record.events.ModelFinalized.get_logs(from_block=0)
    assert [event["address"] for event in events] == [model]

    # The REST view agrees with what web3 read.
    status, shown = call(dev_node, "GET", f"/contract/model/{model}")
    assert status == 200 and shown["model_params"]["res_hash"] == weights, shown
    status, verdict = call(dev_node, "POST", f"/contract/{model}/verify?res_hash={weights}")
    assert status == 200 and verdict["verified"] is True, verdict
    status, missing = call(dev_node, "GET", f"/contract/dataset/{model}")
    assert status == 404, missing

    # An outsider's audit over JSON-RPC passes, and names the weights check for another artifact.
    result = mledger("audit", "--rpc", dev_node.url, "--model", model, "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    checks = report["checks"] if isinstance(report, dict) else report
    assert checks and all(check["passed"] for check in checks)
