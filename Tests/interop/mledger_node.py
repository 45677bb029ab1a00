"""Starts and stops a real `mledger` node process on a loopback port for the interop tests.

Nothing is built here: the binary comes from MLEDGER_BIN or .build/release/mledger (tools/test
builds it). The node's output is kept in a log file next to its data directory.
"""

import os
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

from dev_chain import DEV_GENESIS, REPO_ROOT

LISTENING = re.compile(r"JSON-RPC listening on \S*?://127\.0\.0\.1:(\d+)")


def mledger_binary() -> Path:
    path = Path(os.environ.get("MLEDGER_BIN", REPO_ROOT / ".build" / "release" / "mledger"))
    if not path.is_file():
        raise RuntimeError(f"no mledger binary at {path}: build it with `swift build -c release --product mledger` "
                           "or set MLEDGER_BIN (tools/test does the build)")
    return path


def mledger(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Runs one mledger command to completion, output captured."""
    return subprocess.run([str(mledger_binary()), *args], cwd=REPO_ROOT, capture_output=True, text=True,
                          timeout=timeout)


def init_datadir(datadir: Path, genesis: Path = DEV_GENESIS) -> None:
    result = mledger("init", "--genesis", str(genesis), "--datadir", str(datadir))
    if result.returncode != 0:
        raise RuntimeError(f"mledger init failed ({result.returncode}): {result.stdout}{result.stderr}")


class NodeProcess:
    """One `mledger run` process on 127.0.0.1 with a free port (port 0, read back from the log).
    Without a data directory it runs `--dev` (a throw-away chain the node makes itself); the log
    then goes to `log_path`."""

    def __init__(self, datadir: Path | None, extra_args: tuple = (), log_path: Path | None = None):
        self.datadir = Path(datadir) if datadir is not None else None
        self.extra_args = tuple(extra_args)
        self.log_path = log_path or self.datadir.parent / f"{self.datadir.name}-node.log"
        self.process = None
        self.port = None
        self._lines = []
        self._listening = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> "NodeProcess":
        self._lines = []
        self._listening.clear()
        self.port = None
        chain = ["--datadir", str(self.datadir)] if self.datadir is not None else ["--dev"]
        command = [str(mledger_binary()), "run", *chain,
                   "--rpc-addr", "127.0.0.1:0", "--api-addr", "127.0.0.1:0", *self.extra_args]
        self.process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, text=True, errors="replace")
        threading.Thread(target=self._read_output, args=(self.process,), daemon=True).start()
        deadline = time.monotonic() + timeout
        while not self._listening.wait(0.05):
            if self.process.poll() is not None:
                raise RuntimeError(f"mledger run exited with {self.process.returncode} before listening:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"mledger run did not log 'JSON-RPC listening on' within {timeout}s:\n{self.log_tail()}")
        return self

    def _read_output(self, process: subprocess.Popen) -> None:
        with open(self.log_path, "a") as log:
            for line in process.stdout:
                log.write(line)
                log.flush()
                self._lines.append(line)
                match = LISTENING.search(line)
                if match and not self._listening.is_set():
                    self.port = int(match.group(1))
                    self._listening.set()

    def log_tail(self, lines: int = 40) -> str:
        return "".join(self._lines[-lines:])

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM (graceful shutdown); returns the exit status."""
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else 0
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise RuntimeError(f"mledger run ignored SIGTERM for {timeout}s:\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs (the crash-recovery test)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


REST_LISTENING = re.compile(r"REST API listening on http://127\.0\.0\.1:(\d+)")
DEV_DATADIR = re.compile(r"development chain in (\S+)")


def start_rest_dev_node(log_path: Path, timeout: float = 30) -> "NodeProcess":
    """`mledger run --dev` with its REST API: the node gets `.api` (the REST base URL) and
    `.datadir` (the throw-away data directory), read from its log lines."""
    return wait_for_rest(NodeProcess(None, log_path=log_path).start(), timeout)


def wait_for_rest(node: "NodeProcess", timeout: float = 30) -> "NodeProcess":
    """Waits for a started node's REST API line; sets `.api`, and `.datadir` for a --dev chain."""
    deadline = time.monotonic() + timeout
    port = None
    datadir = node.datadir
    while (port is None or datadir is None) and time.monotonic() < deadline:
        for line in list(node._lines):
            if match := REST_LISTENING.search(line):
                port = int(match.group(1))
            if match := DEV_DATADIR.search(line):
                datadir = Path(match.group(1))
        time.sleep(0.05)
    assert port is not None and datadir is not None, f"no REST API or data directory line:\n{node.log_tail()}"
    node.api = f"http://127.0.0.1:{port}"
    node.datadir = datadir
    return node
