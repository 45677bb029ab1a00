"""Tenancy with a real OpenID Connect provider: `mledger run --auth oidc` against
oidc-provider-mock (tokens from its token endpoint, two companies), and the security matrix
two companies x every REST route x {own resource, other company's resource, no token, expired,
not yet valid, forged signature, alg none, HS256 with the public key, wrong issuer, wrong
audience, edited payload, unknown kid} -> the expected status of each."""

import json
import uuid

import pytest
import requests

from auth_support import Provider, broken_tokens, claims_of
from mledger_node import NodeProcess, wait_for_rest

COMPANIES = ("acme", "globex")
BAD_CASES = ("no token", "expired", "not yet valid", "forged signature", "alg none", "HS256 with public key",
             "wrong issuer", "wrong audience", "edited payload", "unknown kid")
ZERO = "0x" + "00" * 32


def user_claims(company: str, role: str = "mlaas-developer") -> dict:
    return {"organization": company, "realm_access": {"roles": [role]}, "aud": "mledger"}


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    provider = Provider()
    node = None
    try:
        log = tmp_path_factory.mktemp("auth-oidc") / "node.log"
        audit = log.parent / "audit.log"
        node = wait_for_rest(NodeProcess(None, log_path=log, extra_args=(
            "--auth", "oidc", "--oidc-issuer", provider.base, "--oidc-audience", "mledger",
            "--audit-log", str(audit))).start())
        tokens = {c: provider.id_token(f"dev-{c}", user_claims(c)) for c in COMPANIES}
        auditors = {c: provider.id_token(f"auditor-{c}", user_claims(c, "mlaas-auditor")) for c in COMPANIES}
        yield provider, node, tokens, auditors, audit
    finally:
        if node is not None:
            assert node.stop() == 0, node.log_tail()
        provider.stop()


class Api:
    def __init__(self, node, token):
        self.base = node.api
        self.token = token

    def __call__(self, method, path, token="own", **kwargs):
        token = self.token if token == "own" else token
        headers = kwargs.pop("headers", {})
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return requests.request(method, self.base + path, headers=headers, timeout=60, **kwargs)


def csv(rows=50) -> bytes:
    return ("x,y\n" + "".join(f"{i},{i * 2}\n" for i in range(rows))).encode()


# Each company's records, made with its own token.
def make_dataset(api, company):
    r = api("POST", "/dataset", files={"file": ("d.csv", csv())},
            data={"metadata": json.dumps({"organization_id": company, "samples_dimension": "(2)", "sample_num": 50})})
    assert r.status_code == 200, r.text
    return r.json()["dataset_id"]


def make_model(api, company, dataset_id, with_result=False):
    r = api("POST", "/model", json={"model_params": {"developer_id": f"dev-{company}", "organization_id": company,
                                                     "train_image": "mledger/gru:1"},
                                    "data_params": {"dataset_id": dataset_id}})
    assert r.status_code == 200, r.text
    model_id = r.json()["model_id"]
    if with_result:
        r = api("PUT", f"/model/{model_id}", files={"model": ("w.safetensors", b"weights of " + company.encode())})
        assert r.status_code == 200, r.text
    return model_id


def make_dataset_contract(api, company, pending=False):
    body = {"organization_id": company, "samples_dimension": "2", "size_bytes": 10, "hash": "0x" + "ab" * 32}
    if pending:
        body["pending"] = True
    r = api("POST", "/contract/dataset", json=body)
    assert r.status_code == 200, r.text
    return r.json()["contract_address"]


def resources(api, company):
    dataset = make_dataset(api, company)
    contract = make_dataset_contract(api, company)
    r = api("POST", "/contract/model_unverified", json={"developer_id": "d", "organization_id": company, "hash": "0x" + "cd" * 32})
    assert r.status_code == 200, r.text
    r2 = api("POST", "/contract/model", json={"model_params": {"developer_id": "d", "organization_id": company, "train_image": "i"},
                                              "data_params": {"dataset_id": contract}})
    assert r2.status_code == 200, r2.text
    return {"company": company, "dataset": dataset, "model": make_model(api, company, dataset, with_result=True),
            "dataset_contract": contract, "model_contract": r2.json()["contract_address"],
            "unverified_contract": r.json()["contract_address"]}


def routes(api_of):
    """(route, is_write, request(token, caller, target) -> response, own status, other status).
    `caller` is the token's company, `target` the company whose resource the request aims at;
    write routes that need a fresh record make it with the target company's own token."""
    def fresh_model(target):
        return make_model(api_of(target["company"]), target["company"], target["dataset"])

    def fresh_pending(target):
        return make_dataset_contract(api_of(target["company"]), target["company"], pending=True)

    def org_body(caller, target):
        return target["company"]  # the body names the target's organization

    return [
        ("POST /dataset", True, lambda t, c, g, own: api_of(c["company"])(
            "POST", "/dataset", token=t, files={"file": ("d.csv", csv(5))},
            data={"metadata": json.dumps({"organization_id": org_body(c, g), "sample_num": 5})}), 200, 403),
        ("GET /dataset/{id}", False, lambda t, c, g, own: api_of(c["company"])("GET", f"/dataset/{g['dataset']}", token=t), 200, 404),
        ("GET /dataset/{id}/metadata", False, lambda t, c, g, own: api_of(c["company"])("GET", f"/dataset/{g['dataset']}/metadata", token=t), 200, 404),
        ("GET /datasets", False, lambda t, c, g, own: api_of(c["company"])(
            "GET", "/datasets" + ("" if own else f"?organization_id={g['company']}"), token=t), 200, 403),
        ("POST /model", True, lambda t, c, g, own: api_of(c["company"])(
            "POST", "/model", token=t, json={"model_params": {"developer_id": "d", "organization_id": c["company"], "train_image": "i"},
                                             "data_params": {"dataset_id": g["dataset"]}}), 200, 404),
        ("POST /model/unverified", True, lambda t, c, g, own: api_of(c["company"])(
            "POST", "/model/unverified", token=t, json={"developer_id": "d", "organization_id": org_body(c, g)}), 200, 403),
        ("PUT /model/{id}", True, lambda t, c, g, own: api_of(c["company"])(
            "PUT", f"/model/{fresh_model(g) if t is not None and own is not None else g['model']}", token=t,
            files={"model": ("w.bin", b"result")}), 200, 404),
        ("GET /model/{id}", False, lambda t, c, g, own: api_of(c["company"])("GET", f"/model/{g['model']}", token=t), 200, 404),
        ("GET /model/{id}/metadata", False, lambda t, c, g, own: api_of(c["company"])("GET", f"/model/{g['model']}/metadata", token=t), 200, 404),
        ("GET /metadata/{id}", False, lambda t, c, g, own: api_of(c["company"])("GET", f"/metadata/{g['model']}", token=t), 200, 404),
        ("GET /models", False, lambda t, c, g, own: api_of(c["company"])(
            "GET", "/models" + ("" if own else f"?organization_id={g['company']}"), token=t), 200, 403),
        ("POST /contract/dataset", True, lambda t, c, g, own: api_of(c["company"])(
            "POST", "/contract/dataset", token=t, json={"organization_id": org_body(c, g), "samples_dimension": "2", "size_bytes": 1}), 200, 403),
        ("POST /contract/model", True, lambda t, c, g, own: api_of(c["company"])(
            "POST", "/contract/model", token=t, json={"model_params": {"developer_id": "d", "organization_id": c["company"], "train_image": "i"},
                                                      "data_params": {"dataset_id": g["dataset_contract"]}}), 200, 422),
        ("POST /contract/model_unverified", True, lambda t, c, g, own: api_of(c["company"])(
            "POST", "/contract/model_unverified", token=t, json={"developer_id": "d", "organization_id": org_body(c, g)}), 200, 403),
        ("GET /contract/dataset/{address}", False, lambda t, c, g, own: api_of(c["company"])(
            "GET", f"/contract/dataset/{g['dataset_contract']}", token=t), 200, 404),
        ("GET /contract/model/{address}", False, lambda t, c, g, own: api_of(c["company"])(
            "GET", f"/contract/model/{g['model_contract']}", token=t), 200, 404),
        ("GET /contract/model_unverified/{address}", False, lambda t, c, g, own: api_of(c["company"])(
            "GET", f"/contract/model_unverified/{g['unverified_contract']}", token=t), 200, 404),
        ("POST /contract/{address}/verify", False, lambda t, c, g, own: api_of(c["company"])(
            "POST", f"/contract/{g['dataset_contract']}/verify?res_hash={'0x' + 'ab' * 32}", token=t), 200, 404),
        ("POST /contract/{address}/finalize", True, lambda t, c, g, own: api_of(c["company"])(
            "POST", f"/contract/{fresh_pending(g) if t is not None and own is not None else g['dataset_contract']}/finalize",
            token=t), 200, 404),
    ]


def test_security_matrix(setup):
    provider, node, tokens, auditors, audit = setup
    apis = {c: Api(node, tokens[c]) for c in COMPANIES}
    owned = {c: resources(apis[c], c) for c in COMPANIES}
    broken = {c: broken_tokens(provider, tokens[c]) for c in COMPANIES}
    table = routes(lambda company: apis[company])
    cases, failures, cross_reads, cross_writes = 0, [], 0, 0
    for caller in COMPANIES:
        other = next(c for c in COMPANIES if c != caller)
        for name, is_write, request, own_status, other_status in table:
            plan = [("own resource", tokens[caller], owned[caller], True, own_status),
                    ("other company's resource", tokens[caller], owned[other], False, other_status)]
            plan += [(case, None if case == "no token" else broken[caller][case], owned[caller], None, 401) for case in BAD_CASES]
            for case, token, target, own, expected in plan:
                response = request(token, owned[caller], target, own)
                cases += 1
                if case == "other company's resource" and 200 <= response.status_code < 300:
                    if is_write:
                        cross_writes += 1
                    else:
                        cross_reads += 1
                if response.status_code != expected:
                    failures.append(f"{caller} {name} [{case}]: {response.status_code} (expected {expected}) {response.text[:200]}")
    # Listings hold only the caller's records.
    for caller in COMPANIES:
        other = next(c for c in COMPANIES if c != caller)
        listed = json.dumps(apis[caller]("GET", "/datasets?limit=500").json()) + json.dumps(apis[caller]("GET", "/models?limit=500").json())
        for key in ("dataset", "model"):
            if owned[other][key] in listed:
                cross_reads += 1
                failures.append(f"{caller} listing shows {other}'s {key}")
        assert owned[caller]["dataset"] in listed
    print(f"{cases} cases, {cross_reads} cross-tenant reads, {cross_writes} cross-tenant writes")
    assert not failures, "\n".join(failures)
    assert cross_reads == 0 and cross_writes == 0
    assert cases == 2 * len(table) * (2 + len(BAD_CASES))


def test_other_company_ids_answer_like_unknown_ids(setup):
    provider, node, tokens, _, _ = setup
    acme, globex = Api(node, tokens["acme"]), Api(node, tokens["globex"])
    dataset = make_dataset(globex, "globex")
    unknown = str(uuid.uuid4())
    for path in ("/dataset/{}", "/dataset/{}/metadata"):
        foreign = acme("GET", path.format(dataset))
        absent = acme("GET", path.format(unknown))
        assert foreign.status_code == absent.status_code == 404
        assert foreign.json()["error"].replace(dataset, "ID") == absent.json()["error"].replace(unknown, "ID")
    contract = make_dataset_contract(globex, "globex")
    nothing = "0x" + "12" * 20
    foreign = acme("GET", f"/contract/dataset/{contract}").json()["error"]
    absent = acme("GET", f"/contract/dataset/{nothing}").json()["error"]
    assert foreign.lower().replace(contract.lower(), "A") == absent.lower().replace(nothing, "A")


def test_company_b_cannot_touch_company_a_models_and_auditors_only_read(setup):
    provider, node, tokens, auditors, audit = setup
    acme, globex = Api(node, tokens["acme"]), Api(node, tokens["globex"])
    dataset = make_dataset(acme, "acme")
    model = make_model(acme, "acme", dataset)
    assert globex("PUT", f"/model/{model}", files={"model": ("w", b"globex weights")}).status_code == 404
    assert globex("GET", f"/model/{model}").status_code == 404
    contract = make_dataset_contract(acme, "acme", pending=True)
    assert globex("POST", f"/contract/{contract}/finalize").status_code == 404
    # A body naming another organization cannot choose the signing account.
    r = globex("POST", "/contract/dataset", json={"organization_id": "acme", "samples_dimension": "1", "size_bytes": 1})
    assert r.status_code == 403 and "not the token's organization" in r.json()["error"], r.text
    # The model is still acme's and unfinalized.
    meta = acme("GET", f"/model/{model}/metadata").json()
    assert meta.get("status") != "finalized", meta
    auditor = Api(node, auditors["acme"])
    assert auditor("GET", f"/model/{model}/metadata").status_code == 200
    assert auditor("POST", f"/contract/{contract}/verify?res_hash={'0x' + 'ab' * 32}").status_code == 200
    for method, path, kwargs in [("PUT", f"/model/{model}", {"files": {"model": ("w", b"x")}}),
                                 ("POST", f"/contract/{contract}/finalize", {}),
                                 ("POST", "/dataset", {"files": {"file": ("d.csv", csv(3))},
                                                       "data": {"metadata": json.dumps({"organization_id": "acme"})}})]:
        r = auditor(method, path, **kwargs)
        assert r.status_code == 403 and "may only read" in r.json()["error"], (path, r.text)
    assert acme("POST", f"/contract/{contract}/finalize").status_code == 200
    # Audit lines: one JSON object each, the refusals among them, never a token.
    assert requests.get(f"{node.api}/datasets", headers={"Authorization": "Bearer not-a-token"}, timeout=30).status_code == 401
    lines = [json.loads(line) for line in audit.read_text().splitlines()]
    assert any(e["status"] == 403 and e["company"] == "acme" and e["developer"] == "auditor-acme" for e in lines)
    assert any(e["status"] == 401 and e["outcome"] == "refused" and e["reason"].startswith("malformed token") for e in lines)
    assert any(e["outcome"] == "ok" and e["method"] == "POST" for e in lines)
    text = audit.read_text() + node.log_tail(100000)
    for token in list(tokens.values()) + list(auditors.values()):
        assert token not in text and token.split(".")[2] not in text


def test_unknown_kid_refreshes_the_key_set_once(setup):
    provider, node, tokens, _, _ = setup
    claims = claims_of(tokens["acme"])
    assert claims["iss"] == provider.base and claims["aud"] == "mledger"
    r = Api(node, broken_tokens(provider, tokens["acme"])["unknown kid"])("GET", "/datasets")
    assert r.status_code == 401 and "unknown signing key" in r.json()["error"], r.text
    assert r.headers["WWW-Authenticate"].startswith("Bearer")


def test_records_take_their_developer_from_the_token(setup):
    """Under token auth the token's `sub` is the developer a model record names, on the chain
    and in the registry; a body's `developer_id` cannot speak for someone else."""
    provider, node, tokens, _, _ = setup
    acme = Api(node, tokens["acme"])
    dataset = make_dataset(acme, "acme")
    r = acme("POST", "/model", json={"model_params": {"developer_id": "mallory", "organization_id": "acme", "train_image": "i"},
                                     "data_params": {"dataset_id": dataset}})
    assert r.status_code == 200, r.text
    meta = acme("GET", f"/model/{r.json()['model_id']}/metadata").json()
    assert meta["recorded_developer"] == "dev-acme", meta
    on_chain = acme("GET", f"/contract/model/{meta['contract_address']}").json()
    assert on_chain["model_params"]["developer_id"] == "dev-acme", on_chain
    r = acme("POST", "/model/unverified", json={"developer_id": "mallory", "organization_id": "acme", "hash": "0x" + "ef" * 32})
    assert r.status_code == 200, r.text
    assert acme("GET", f"/model/{r.json()['model_id']}/metadata").json()["recorded_developer"] == "dev-acme"


def test_foreign_ids_take_as_long_as_unknown_ids(setup):
    """Same timing class: another company's id and an id that exists nowhere are answered by the
    same path (one registry lookup scoped to the caller's company), so their latencies match.
    Interleaved requests; medians within a factor of two (a foreign id that took a different path,
    say a chain read, costs several times more)."""
    import statistics
    import time
    provider, node, tokens, _, _ = setup
    acme, globex = Api(node, tokens["acme"]), Api(node, tokens["globex"])
    foreign = make_model(globex, "globex", make_dataset(globex, "globex"), with_result=True)
    session = requests.Session()
    headers = {"Authorization": f"Bearer {tokens['acme']}"}
    timings = {"foreign": [], "unknown": []}
    for i in range(300):
        for kind, target in (("foreign", foreign), ("unknown", str(uuid.uuid4()))):
            started = time.perf_counter()
            r = session.get(f"{node.api}/model/{target}/metadata", headers=headers, timeout=30)
            elapsed = time.perf_counter() - started
            assert r.status_code == 404, r.text
            if i >= 20:  # warm-up
                timings[kind].append(elapsed)
    foreign_median, unknown_median = statistics.median(timings["foreign"]), statistics.median(timings["unknown"])
    print(f"404 medians: foreign id {foreign_median * 1e3:.3f} ms, unknown id {unknown_median * 1e3:.3f} ms")
    assert 0.5 < foreign_median / unknown_median < 2.0, (foreign_median, unknown_median)
