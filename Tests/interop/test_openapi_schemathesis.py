"""The REST API against its own OpenAPI document, with schemathesis (PyPI): property-based requests
for every operation of `/openapi.json` on `mledger run --dev` (and, in the stateful phase, chains
that follow the document's links: a registration's id fed to its metadata, download and PUT),
checking that no response is a 5xx
and that every response conforms to the schema the document gives for its status. The number of
examples is bounded (MLEDGER_SCHEMATHESIS_EXAMPLES, default 50 per operation; seed fixed, or
MLEDGER_SCHEMATHESIS_SEED) so the run stays under a minute (2,479 cases in 13 s on a loaded 2-core machine, debug node)."""

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from mledger_node import start_rest_dev_node



@pytest.fixture(scope="module")
def api(tmp_path_factory):
    node = start_rest_dev_node(tmp_path_factory.mktemp("openapi") / "node.log")
    yield node
    assert node.stop() == 0, node.log_tail()


def test_document_is_openapi_31_and_lists_every_route(api):
    with urllib.request.urlopen(f"{api.api}/openapi.json", timeout=30) as response:
        assert response.headers["Content-Type"] == "application/json"
        document = json.load(response)
    assert document["openapi"] == "3.1.0"
    operations = {(method.upper(), path) for path, item in document["paths"].items() for method in item}
    for expected in [("POST", "/dataset"), ("GET", "/dataset/{id}"), ("PUT", "/model/{id}"), ("GET", "/models"),
                     ("POST", "/contract/model"), ("POST", "/contract/{address}/finalize"), ("GET", "/metrics")]:
        assert expected in operations
    with urllib.request.urlopen(f"{api.api}/docs", timeout=30) as response:
        assert response.headers["Content-Type"].startswith("text/html")
        page = response.read().decode()
    assert all(path in page for _, path in operations)


def test_schemathesis_no_server_errors_and_conforming_responses(api, tmp_path):
    examples = os.environ.get("MLEDGER_SCHEMATHESIS_EXAMPLES", "50")
    seed = os.environ.get("MLEDGER_SCHEMATHESIS_SEED", "20261207")
    report = tmp_path / "report.ndjson"
    command = [str(Path(sys.executable).parent / "st"), "run", f"{api.api}/openapi.json",
               "--checks", "not_a_server_error,response_schema_conformance",
               "--max-examples", examples, "--seed", seed, "--workers", "1",
               "--phases", "examples,coverage,fuzzing,stateful", "--generation-database", "none",
               "--request-timeout", "30", "--no-color", "--suppress-health-check", "all",
               "--report", "ndjson", "--report-ndjson-path", str(report)]
    # One worker: hypothesis describes filters with ast.parse, which CPython 3.11 can crash on
    # when two threads parse at once ("AST constructor recursion depth mismatch").
    started = time.monotonic()
    # In the test's temporary directory: schemathesis writes a .schemathesis cache where it runs.
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    elapsed = time.monotonic() - started
    output = result.stdout + result.stderr
    print(output[-4000:])
    print(f"schemathesis: {elapsed:.1f} s, seed {seed}, at most {examples} examples per operation")
    assert result.returncode == 0, f"schemathesis found failures (seed {seed}):\n{output[-12000:]}\n{api.log_tail()}"
