"""A real OpenID Connect provider (PyPI `oidc-provider-mock`) on a loopback port for the auth
tests, tokens from its own token endpoint (authorization-code flow, custom claims per user),
and tokens that break one rule each, built from the provider's real tokens and keys."""

import base64
import hashlib
import hmac
import json
import threading
import time
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import oidc_provider_mock
import requests
import werkzeug.serving
from authlib.jose import JsonWebToken, RSAKey

CLIENT_ID = "mledger"
REDIRECT = "http://127.0.0.1/callback"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Provider:
    """oidc-provider-mock served by werkzeug on 127.0.0.1:0 in a thread."""

    def __init__(self):
        self.app = oidc_provider_mock.app(require_client_registration=False,
                                          access_token_max_age=timedelta(minutes=30))
        self.server = werkzeug.serving.make_server("127.0.0.1", 0, self.app, threaded=True)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.thread.join(5)

    def signing_key(self) -> RSAKey:
        """The provider's own RS256 key (its per-app storage, reached through the request hook that
        installs it): tokens with one bad claim then carry a signature the node accepts, so only the
        claim rule can refuse them."""
        for hook in self.app.before_request_funcs.get(None, []):
            for cell in hook.__closure__ or ():
                jwk = getattr(cell.cell_contents, "jwk", None)
                if jwk is not None:
                    return jwk
        raise RuntimeError("oidc-provider-mock's signing key not found (its internals changed?)")

    def jwks(self) -> dict:
        return requests.get(self.base + "/jwks", timeout=10).json()

    def id_token(self, sub: str, claims: dict) -> str:
        """An ID token for `sub` with `claims`, through the provider's user, authorize and token endpoints."""
        r = requests.put(f"{self.base}/users/{sub}", json=claims, timeout=10)
        assert r.status_code == 204, r.text
        r = requests.post(f"{self.base}/oauth2/authorize",
                          params={"client_id": CLIENT_ID, "redirect_uri": REDIRECT, "response_type": "code",
                                  "scope": "openid", "state": "s1"},
                          data={"sub": sub}, allow_redirects=False, timeout=10)
        assert r.status_code == 302, r.text
        code = parse_qs(urlparse(r.headers["Location"]).query)["code"][0]
        r = requests.post(f"{self.base}/oauth2/token",
                          data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
                                "client_id": CLIENT_ID, "client_secret": "unused"}, timeout=10)
        assert r.status_code == 200, r.text
        return r.json()["id_token"]


def claims_of(token: str) -> dict:
    return json.loads(b64url_decode(token.split(".")[1]))


def header_of(token: str) -> dict:
    return json.loads(b64url_decode(token.split(".")[0]))


def sign_rs256(claims: dict, key: RSAKey, kid: str | None) -> str:
    header = {"alg": "RS256", "typ": "JWT"}
    if kid is not None:
        header["kid"] = kid
    return JsonWebToken(["RS256"]).encode(header, claims, key).decode()


def broken_tokens(provider: Provider, good: str) -> dict:
    """One token per rule, each derived from the provider's real token `good` (whose header, like
    the provider's, may carry no kid: its key set has one key)."""
    key = provider.signing_key()
    kid = header_of(good).get("kid")
    claims = claims_of(good)
    now = int(time.time())
    stranger = RSAKey.generate_key(2048, is_private=True)

    def variant(**changes):
        edited = dict(claims)
        edited.update(changes)
        return sign_rs256(edited, key, kid)

    unsigned = b64url(json.dumps({"alg": "none", "typ": "JWT"}).encode()) + "." + good.split(".")[1]
    hs_input = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + "." + good.split(".")[1]
    public_pem = key.as_pem(is_private=False)
    hs_signature = b64url(hmac.new(public_pem, hs_input.encode(), hashlib.sha256).digest())
    edited_claims = dict(claims, organization="globex" if claims.get("organization") != "globex" else "acme")
    edited = good.split(".")[0] + "." + b64url(json.dumps(edited_claims).encode()) + "." + good.split(".")[2]
    return {
        "expired": variant(iat=now - 7200, nbf=now - 7200, exp=now - 3600),
        "not yet valid": variant(nbf=now + 3600),
        "forged signature": sign_rs256(claims, stranger, kid),
        "alg none": unsigned + ".",
        "HS256 with public key": hs_input + "." + hs_signature,
        "wrong issuer": variant(iss="http://127.0.0.1:1/not-the-issuer"),
        "wrong audience": variant(aud="someone-else"),
        "edited payload": edited,
        "unknown kid": sign_rs256(claims, stranger, "kid-nobody-published"),
    }
