"""Bad input: a seeded generator (fixed seed, printed; MLEDGER_FUZZ_SEED picks another) sends
about 2,000 malformed bodies over HTTP. Each must be answered with a JSON-RPC error object of the
right code (HTTP 413 for an oversized body) on a connection the node keeps open; afterwards the
node still serves and its head is consistent."""

import http.client
import json
import os
from collections import Counter

from fuzz_bodies import ANY_ID, BodyGenerator, Case
from rpc_client import RawRPC

SEED = int(os.environ.get("MLEDGER_FUZZ_SEED", "20261125"))
COUNT = int(os.environ.get("MLEDGER_FUZZ_COUNT", "2000"))


def problem_with(case: Case, status: int, payload: bytes) -> str | None:
    """Why the reply is wrong, or None."""
    if case.too_large:
        if status != 413:
            return f"HTTP {status}, expected 413"
    elif status != 200:
        return f"HTTP {status}, expected 200"
    try:
        reply = json.loads(payload)
    except ValueError:
        return f"reply is not JSON: {payload[:120]!r}"
    if case.batch:
        if not isinstance(reply, list) or len(reply) != len(case.batch):
            return f"expected {len(case.batch)} replies in a batch, got {str(reply)[:200]}"
        by_id = {item.get("id"): item for item in reply if isinstance(item, dict)}
        for call_id, codes in case.batch:
            item = by_id.get(call_id)
            if item is None or "error" not in item or item["error"].get("code") not in codes:
                return f"call {call_id!r}: expected error {sorted(codes)}, got {str(item)[:200]}"
        return None
    if not isinstance(reply, dict) or reply.get("jsonrpc") != "2.0" or "error" not in reply or "result" in reply:
        return f"not a JSON-RPC error object: {str(reply)[:200]}"
    error = reply["error"]
    codes = case.codes if not case.too_large else {-32600}
    if error.get("code") not in codes or not isinstance(error.get("message"), str):
        return f"expected code {sorted(codes)}, got {error}"
    # JSON-RPC 2.0: a parse error cannot know the request id, so it answers with null.
    expected_id = None if error["code"] == -32700 else case.id
    if case.id is not ANY_ID and reply.get("id") != expected_id:
        return f"reply id {reply.get('id')!r}, expected {expected_id!r}"
    if case.category == "oversized batch" and "batch" not in error["message"]:
        return f"oversized batch error does not say so: {error['message']}"
    return None


def send_oversized(port: int, case: Case) -> tuple[int, bytes]:
    """On its own connection: the node may close it after refusing the body unread."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        if case.chunked:
            pieces = [case.body[i:i + 65536] for i in range(0, len(case.body), 65536)]
            connection.request("POST", "/", body=iter(pieces), encode_chunked=True,
                               headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"})
        else:
            connection.request("POST", "/", body=case.body, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_seeded_fuzz_keeps_the_node_up_and_consistent(node, rpc):
    print(f"fuzz seed {SEED} ({COUNT} bodies); rerun with MLEDGER_FUZZ_SEED={SEED}")
    head_before = int(rpc.call("eth_blockNumber"), 16)
    generator = BodyGenerator(SEED)
    client = RawRPC(node.port)
    failures, categories = [], Counter()
    for index, case in enumerate(generator.cases(COUNT)):
        categories[case.category] += 1
        try:
            if case.too_large:
                status, payload = send_oversized(node.port, case)
            else:
                status, payload = client.post(case.body)
        except (OSError, http.client.HTTPException) as error:
            failures.append(f"#{index} {case.category}: connection dropped ({error!r}); body {case.body[:120]!r}")
            assert node.alive, f"the node died on body #{index} ({case.category}, seed {SEED}):\n{node.log_tail()}"
            client.close()
            client = RawRPC(node.port)
            continue
        problem = problem_with(case, status, payload)
        if problem:
            failures.append(f"#{index} {case.category}: {problem}; body {case.body[:160]!r}")
    client.close()
    print("categories:", dict(categories))
    assert node.alive, f"the node died during the fuzz (seed {SEED}):\n{node.log_tail()}"
    assert not failures, f"{len(failures)} of {COUNT} bad bodies were mishandled (seed {SEED}):\n" + "\n".join(failures[:15])
    assert len(categories) >= 12, f"the generator covered only {sorted(categories)}"

    # Still serving, and consistent: the head by number is the head by tag, and its hash resolves.
    head = int(rpc.call("eth_blockNumber"), 16)
    assert head >= head_before
    latest = rpc.call("eth_getBlockByNumber", "latest", False)
    assert int(latest["number"], 16) == head
    assert rpc.call("eth_getBlockByNumber", hex(head), False)["hash"] == latest["hash"]
    assert rpc.call("eth_getBlockByHash", latest["hash"], False)["number"] == latest["number"]
    assert rpc.call("eth_chainId") == hex(1337)


def test_seeded_fuzz_over_websocket(node):
    """The same generator over one WebSocket connection (text frames, binary for raw garbage):
    every message gets its error reply and the connection stays open."""
    from websockets.sync.client import connect
    seed = SEED + 1
    failures = []
    with connect(node.ws_url, open_timeout=10, max_size=2**25) as socket:
        for index, case in enumerate(BodyGenerator(seed).cases(COUNT // 4, oversized_bodies=0)):
            try:
                socket.send(case.body.decode("utf-8"))
            except UnicodeDecodeError:
                socket.send(case.body)
            reply = socket.recv(timeout=30)
            problem = problem_with(case, 200, reply.encode() if isinstance(reply, str) else reply)
            if problem:
                failures.append(f"#{index} {case.category}: {problem}; message {case.body[:160]!r}")
        socket.send(json.dumps({"jsonrpc": "2.0", "id": "last", "method": "eth_chainId"}))
        assert json.loads(socket.recv(timeout=30)) == {"jsonrpc": "2.0", "id": "last", "result": hex(1337)}
    assert node.alive
    assert not failures, f"{len(failures)} bad messages mishandled over WebSocket (seed {seed}):\n" + "\n".join(failures[:15])
