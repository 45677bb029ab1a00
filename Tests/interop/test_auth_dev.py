"""`--auth dev`: the node is its own issuer. `mledger token issue` prints a token that the REST
API and (with `--rpc-auth dev`) JSON-RPC accept; its JWK set at /.well-known/jwks.json verifies
the token independently (PyPI `cryptography`); the key file is 0600 and encrypted. Also the
per-token rate limit (429 + Retry-After), the per-company quota (413/507 naming it), and the
start-up refusals (world-readable secrets, `--auth none` off loopback)."""

import base64
import json
import os
import stat
import threading
import time

import pytest
import requests
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from mledger_node import NodeProcess, init_datadir, mledger, mledger_binary, wait_for_rest
import subprocess
from dev_chain import REPO_ROOT


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.fixture(scope="module")
def dev_node(tmp_path_factory):
    log = tmp_path_factory.mktemp("auth-dev") / "node.log"
    node = wait_for_rest(NodeProcess(None, log_path=log, extra_args=(
        "--auth", "dev", "--rpc-auth", "dev", "--rate-limit", "20/s", "--company-quota-bytes", "3000",
        "--audit-log", str(log.parent / "audit.log"))).start())
    yield node
    assert node.stop() == 0, node.log_tail()


def issue(node, company, developer, *extra):
    result = mledger("token", "issue", "--datadir", str(node.datadir), "--company", company, "--developer", developer, *extra)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_token_issue_round_trip(dev_node):
    token = issue(dev_node, "acme", "alice", "--ttl", "10m")
    header = json.loads(b64url_decode(token.split(".")[0]))
    claims = json.loads(b64url_decode(token.split(".")[1]))
    assert header["alg"] == "ES256" and claims["organization"] == "acme" and claims["sub"] == "alice"
    assert claims["realm_access"]["roles"] == ["mlaas-developer"] and 590 <= claims["exp"] - claims["iat"] <= 600
    # The published key verifies the signature, checked here by independent code.
    jwks = requests.get(f"{dev_node.api}/.well-known/jwks.json", timeout=30).json()
    (jwk,) = [k for k in jwks["keys"] if k["kid"] == header["kid"]]
    assert "d" not in jwk
    public = ec.EllipticCurvePublicNumbers(int.from_bytes(b64url_decode(jwk["x"]), "big"),
                                           int.from_bytes(b64url_decode(jwk["y"]), "big"), ec.SECP256R1()).public_key()
    raw = b64url_decode(token.split(".")[2])
    signature = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    public.verify(signature, ".".join(token.split(".")[:2]).encode(), ec.ECDSA(hashes.SHA256()))
    # The REST API takes it; without it, 401.
    r = requests.get(f"{dev_node.api}/datasets", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert r.status_code == 200 and r.json()["datasets"] == [], r.text
    assert requests.get(f"{dev_node.api}/datasets", timeout=30).status_code == 401
    # JSON-RPC too.
    call = {"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber", "params": []}
    r = requests.post(dev_node.url, json=call, timeout=30)
    assert r.status_code == 401 and "bearer token is required" in r.json()["error"]["message"], r.text
    r = requests.post(dev_node.url, json=call, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert r.status_code == 200 and r.json()["result"].startswith("0x"), r.text
    # An auditor token reads and cannot write.
    auditor = issue(dev_node, "acme", "audrey", "--role", "mlaas-auditor")
    r = requests.post(f"{dev_node.api}/contract/dataset", headers={"Authorization": f"Bearer {auditor}"},
                      json={"organization_id": "acme", "samples_dimension": "1", "size_bytes": 1}, timeout=30)
    assert r.status_code == 403, r.text
    # The key file: encrypted (no raw key material), owner-only.
    key_file = dev_node.datadir / "auth" / "dev-issuer.json"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert json.loads(key_file.read_text())["crypto"]["kdf"] == "scrypt"
    # A wrong passphrase cannot issue.
    env = dict(os.environ, MLEDGER_PASSPHRASE="wrong")
    result = subprocess.run([str(mledger_binary()), "token", "issue", "--datadir", str(dev_node.datadir),
                             "--company", "acme", "--developer", "x"], env=env, capture_output=True, text=True, cwd=REPO_ROOT)
    assert result.returncode != 0 and result.stdout == "", result.stdout


def test_rate_limit_answers_429_with_retry_after(dev_node):
    token = issue(dev_node, "initech", "bob")
    statuses, retry = [], None
    for _ in range(60):
        r = requests.get(f"{dev_node.api}/datasets", headers={"Authorization": f"Bearer {token}"}, timeout=30)
        statuses.append(r.status_code)
        if r.status_code == 429:
            retry = r.headers.get("Retry-After")
            assert "rate limit of 20/s" in r.json()["error"], r.text
            break
    assert 429 in statuses and retry is not None and int(retry) >= 1, statuses
    # Another token of another developer is not slowed by this one.
    other = issue(dev_node, "initech", "carol")
    assert requests.get(f"{dev_node.api}/datasets", headers={"Authorization": f"Bearer {other}"}, timeout=30).status_code == 200
    time.sleep(1.2)
    assert requests.get(f"{dev_node.api}/datasets", headers={"Authorization": f"Bearer {token}"}, timeout=30).status_code == 200


def test_company_quota(dev_node):
    token = issue(dev_node, "umbrella", "dana")
    auth = {"Authorization": f"Bearer {token}"}
    metadata = json.dumps({"organization_id": "umbrella"})
    r = requests.post(f"{dev_node.api}/dataset", headers=auth, files={"file": ("a.csv", b"x,y\n" + b"1,2\n" * 500)},
                      data={"metadata": metadata}, timeout=60)
    assert r.status_code == 200, r.text  # 2004 bytes stored of 3000
    r = requests.post(f"{dev_node.api}/dataset", headers=auth, files={"file": ("b.csv", b"x,y\n" + b"1,2\n" * 500)},
                      data={"metadata": metadata}, timeout=60)
    assert r.status_code == 413 and "company quota of 3000 bytes" in r.json()["error"], r.text
    # A chunked upload announces no size: it is stopped once it passes what the quota leaves,
    # with the quota named, and nothing of it is stored; a small chunked one still goes through.
    chunked = {"Authorization": f"Bearer {issue(dev_node, 'stark', 'tony')}"}
    def chunked_upload(content):
        boundary = "mledger-chunked-quota"
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"metadata\"\r\n\r\n"
                + json.dumps({"organization_id": "stark"})
                + f"\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"s.csv\"\r\n"
                + "Content-Type: text/csv\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
        pieces = (body[i:i + 512] for i in range(0, len(body), 512))  # a generator: requests sends it chunked
        return requests.post(f"{dev_node.api}/dataset", data=pieces, timeout=60,
                             headers={**chunked, "Content-Type": f"multipart/form-data; boundary={boundary}"})
    r = chunked_upload(b"x,y\n" + b"1,2\n" * 1500)  # 6004 bytes of file
    assert r.status_code == 413 and "company quota of 3000 bytes" in r.json()["error"] and "chunked" in r.json()["error"], r.text
    listed = requests.get(f"{dev_node.api}/datasets", headers=chunked, timeout=30)
    assert listed.status_code == 200 and listed.json()["datasets"] == [], listed.text
    r = chunked_upload(b"x,y\n1,2\n")
    assert r.status_code == 200, r.text
    assert len(requests.get(f"{dev_node.api}/datasets", headers=chunked, timeout=30).json()["datasets"]) == 1
    # Another company's quota is its own.
    other = {"Authorization": f"Bearer {issue(dev_node, 'hooli', 'erin')}"}
    r = requests.post(f"{dev_node.api}/dataset", headers=other, files={"file": ("c.csv", b"x,y\n1,2\n")},
                      data={"metadata": json.dumps({"organization_id": "hooli"})}, timeout=60)
    assert r.status_code == 200, r.text


def test_start_refusals(tmp_path):
    # --auth none off loopback.
    result = subprocess.run([str(mledger_binary()), "run", "--dev", "--rpc-addr", "127.0.0.1:0", "--api-addr", "0.0.0.0:0"],
                            capture_output=True, text=True, cwd=REPO_ROOT, timeout=60)
    assert result.returncode != 0 and "--auth none" in result.stderr + result.stdout, result.stderr
    # A keystore file everyone can read.
    datadir = tmp_path / "node"
    init_datadir(datadir)
    env = dict(os.environ, MLEDGER_PASSPHRASE="a long node passphrase")
    made = subprocess.run([str(mledger_binary()), "account", "new", "--company", "acme", "--datadir", str(datadir)],
                          env=env, capture_output=True, text=True, cwd=REPO_ROOT, timeout=120)
    assert made.returncode == 0, made.stderr
    (key_file,) = [p for p in (datadir / "keystore").iterdir() if p.name != "companies.json"]
    key_file.chmod(0o644)
    result = subprocess.run([str(mledger_binary()), "run", "--datadir", str(datadir), "--rpc-addr", "127.0.0.1:0",
                             "--api-addr", "127.0.0.1:0"], env=env, capture_output=True, text=True, cwd=REPO_ROOT, timeout=60)
    assert result.returncode != 0 and "readable by every user" in result.stderr and key_file.name in result.stderr, result.stderr


def start_on_all_interfaces(*extra):
    """`mledger run --dev` with JSON-RPC on 0.0.0.0:0 (REST on loopback); returns (process, port)."""
    import re
    process = subprocess.Popen([str(mledger_binary()), "run", "--dev", "--rpc-addr", "0.0.0.0:0", "--api-addr", "127.0.0.1:0", *extra],
                               cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    for line in process.stdout:
        match = re.search(r"JSON-RPC listening on http://0\.0\.0\.0:(\d+)", line)
        if match:
            # Keep reading the log so that the node never blocks on a full pipe.
            threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()
            return process, int(match.group(1))
        assert time.monotonic() < deadline, "node did not start"
    raise AssertionError(f"node exited with {process.wait()}")


def rpc_call(port, method, params):
    return requests.post(f"http://127.0.0.1:{port}", json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params},
                         timeout=30).json()


@pytest.mark.parametrize("debug_flag", [False, True])
def test_debug_and_txpool_off_on_non_loopback_rpc(debug_flag):
    process, port = start_on_all_interfaces(*(["--rpc-debug"] if debug_flag else []))
    try:
        assert rpc_call(port, "eth_blockNumber", [])["result"].startswith("0x")
        for method, params in [("debug_traceTransaction", ["0x" + "11" * 32]), ("txpool_content", [])]:
            answer = rpc_call(port, method, params)
            disabled = "error" in answer and "disabled" in answer["error"]["message"]
            assert disabled != debug_flag, (method, answer)
            if disabled:
                assert answer["error"]["code"] == -32601 and "--rpc-debug" in answer["error"]["message"]
    finally:
        process.terminate()
        assert process.wait(30) == 0


def test_websocket_upgrade_needs_a_token(dev_node):
    """`--rpc-auth dev` guards the WebSocket upgrade like HTTP: refused without a valid token
    (Hummingbird answers a refused upgrade with a bodiless 400 and closes; the node logs why),
    accepted with one."""
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect
    token = issue(dev_node, "acme", "wendy")
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": f"Bearer {token[:-4]}AAAA"}):
        with pytest.raises(InvalidStatus) as refused:
            with connect(dev_node.ws_url, additional_headers=headers, open_timeout=10):
                pass
        assert refused.value.response.status_code == 400, headers
    assert "WebSocket upgrade refused" in dev_node.log_tail(100000)
    with connect(dev_node.ws_url, additional_headers={"Authorization": f"Bearer {token}"}, open_timeout=10) as socket:
        socket.send(json.dumps({"jsonrpc": "2.0", "id": 7, "method": "eth_chainId", "params": []}))
        answer = json.loads(socket.recv(timeout=10))
        assert answer["id"] == 7 and answer["result"].startswith("0x"), answer


def test_schemathesis_with_a_token(dev_node, tmp_path):
    """The OpenAPI document holds with token auth on: schemathesis sends a valid bearer token
    with every request; no 5xx, every answer conforms (401/403 included)."""
    import sys
    from pathlib import Path
    token = issue(dev_node, "acme", "sam")
    examples = os.environ.get("MLEDGER_SCHEMATHESIS_TOKEN_EXAMPLES", "15")
    report = tmp_path / "report.ndjson"
    command = [str(Path(sys.executable).parent / "st"), "run", f"{dev_node.api}/openapi.json",
               "--checks", "not_a_server_error,response_schema_conformance", "--header", f"Authorization: Bearer {token}",
               "--max-examples", examples, "--seed", "20261207", "--workers", "1", "--phases", "examples,coverage,fuzzing",
               "--generation-database", "none", "--request-timeout", "30", "--no-color", "--suppress-health-check", "all",
               "--report", "ndjson", "--report-ndjson-path", str(report)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    output = result.stdout + result.stderr
    print(output[-3000:])
    assert result.returncode == 0, f"schemathesis with a token found failures:\n{output[-12000:]}\n{dev_node.log_tail()}"
    assert token not in dev_node.log_tail(100000)
