"""A bare JSON-RPC 2.0 client over one keep-alive HTTP connection (http.client), for the tests
that must see raw error objects, status codes and dropped connections that web3 would hide."""

import http.client
import itertools
import json


class RPCErrorReply(Exception):
    """The node answered with a JSON-RPC error object."""

    def __init__(self, error: dict):
        self.code = error.get("code")
        self.message = error.get("message", "")
        self.data = error.get("data")
        super().__init__(f"{self.code}: {self.message}")


class RawRPC:
    def __init__(self, port: int, timeout: float = 30):
        self.port = port
        self.timeout = timeout
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        self._ids = itertools.count(1)

    def close(self) -> None:
        self.connection.close()

    def post(self, body: bytes, headers: dict | None = None) -> tuple[int, bytes]:
        """POSTs a body on the kept-alive connection; raises if the node drops it."""
        all_headers = {"Content-Type": "application/json"}
        all_headers.update(headers or {})
        self.connection.request("POST", "/", body=body, headers=all_headers)
        response = self.connection.getresponse()
        return response.status, response.read()

    def request(self, method: str, *params) -> dict:
        """The whole reply object of one call."""
        body = json.dumps({"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": list(params)})
        status, reply = self.post(body.encode())
        assert status == 200, f"{method}: HTTP {status}: {reply[:200]!r}"
        return json.loads(reply)

    def call(self, method: str, *params):
        """The result of one call; a JSON-RPC error is raised as RPCErrorReply."""
        reply = self.request(method, *params)
        if "error" in reply:
            raise RPCErrorReply(reply["error"])
        return reply["result"]
