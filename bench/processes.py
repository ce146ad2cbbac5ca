"""Start and stop `taskflow server` for a benchmark, find its workers, read their memory."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from collections.abc import Iterator

TASKFLOW = str(Path(sys.executable).with_name("taskflow"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    workers: int

    def worker_pids(self) -> list[int]:
        """The processes that serve requests (the supervisor's children, or itself)."""
        # uvicorn starts each worker with multiprocessing's spawn; its resource tracker, the
        # supervisor's other child, serves nothing.
        children = _children(self.process.pid)
        serving = [pid for pid in children if "multiprocessing.spawn" in _cmdline(pid)]
        return serving or [self.process.pid]


@contextmanager
def running_server(
    taskflow: Path, env: dict[str, str], *, workers: int, log: Path
) -> Iterator[Server]:
    """`taskflow server` of the given executable on a free port, stopped (with its workers)
    on exit."""
    port = free_port()
    with log.open("ab") as sink:
        process = subprocess.Popen(
            [str(taskflow), "server", "--port", str(port), "--workers", str(workers)],
            env=env,
            stdout=sink,
            stderr=sink,
            start_new_session=True,
        )
    server = Server(process=process, url=f"http://127.0.0.1:{port}", workers=workers)
    try:
        _wait_healthy(server)
        yield server
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def client_env(workdir: Path) -> dict[str, str]:
    """The environment of a client benchmark: a server and a login of its own under `workdir`,
    no rate limits, no scheduler, tokens in a file keyring, bytecode cached.

    An installed `taskflow` runs from the bytecode pip compiled at install time; a checkout
    run under PYTHONDONTWRITEBYTECODE would recompile each of its modules on every start.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("TASKFLOW_") and key != "PYTHONDONTWRITEBYTECODE"
    }
    return env | {
        "TASKFLOW_DATA_DIR": str(workdir / "data"),
        "TASKFLOW_RATE_LIMIT": "0",
        "TASKFLOW_AUTH_RATE_LIMIT": "0",
        "TASKFLOW_OVERDUE_SCAN_INTERVAL": "0",
        "TASKFLOW_LOG_LEVEL": "WARNING",
        "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring",
        "XDG_DATA_HOME": str(workdir / "xdg-data"),
        "XDG_CONFIG_HOME": str(workdir / "xdg-config"),
    }


def compile_bytecode() -> None:
    """Compile this checkout's packages, as pip does when it installs them."""
    root = Path(__file__).resolve().parent.parent
    packages = [str(root / name) for name in ("taskflow_core", "taskflow_cli", "server")]
    subprocess.run([sys.executable, "-m", "compileall", "-q", *packages], check=True)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _wait_healthy(server: Server, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited with {server.process.returncode}")
        try:
            if httpx.get(f"{server.url}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("server did not become healthy")


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if parent == pid:
                found.append(int(entry.name))
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")
    except OSError:
        return ""
