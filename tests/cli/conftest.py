"""End-to-end fixtures: a real `taskflow server` per test module, the real `taskflow`
command in subprocesses, each test in its own home with its own keyring file."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests.services import fresh_postgres_database, worker_suffix

if TYPE_CHECKING:
    from collections.abc import Iterator

TASKFLOW = str(Path(sys.executable).with_name("taskflow"))
PASSWORD = "correct horse battery"
PLAINTEXT_KEYRING = "keyrings.alt.file.PlaintextKeyring"
NO_KEYRING = "keyring.backends.fail.Keyring"
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@dataclass
class Server:
    url: str
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    log: Path

    def requests(self) -> list[str]:
        """`METHOD /path` of every request the server has logged (needs log level INFO)."""
        import re

        lines = self.log.read_text(errors="replace").splitlines()
        found = (re.search(r"method=(\S+) path=(\S+)", line) for line in lines)
        return [f"{match[1]} {match[2]}" for match in found if match]

    def api(self, method: str, path: str, token: str, **kwargs: Any) -> httpx.Response:
        """A request straight to the API (to arrange data a test is not about)."""
        headers = {"Authorization": f"Bearer {token}"}
        return httpx.request(method, f"{self.url}{path}", headers=headers, timeout=30, **kwargs)

    def register(self, *, name: str = "Test User") -> Account:
        """A new account with a random email, registered over the API."""
        email = f"cli-{uuid.uuid4().hex[:12]}@example.com"
        response = httpx.post(
            f"{self.url}/auth/register", json={"email": email, "name": name, "password": PASSWORD}
        )
        assert response.status_code == 201, response.text
        return Account(email=email, password=PASSWORD)

    def create_admin(self) -> Account:
        """An admin account, created the way an operator does (`taskflow db create-admin`)."""
        email = f"admin-{uuid.uuid4().hex[:12]}@example.com"
        subprocess.run(
            [TASKFLOW, "db", "create-admin", "--email", email, "--password-stdin"],
            input=PASSWORD + "\n",
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        )
        return Account(email=email, password=PASSWORD)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@dataclass(frozen=True)
class Account:
    email: str
    password: str


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


@dataclass
class Cli:
    """The `taskflow` command as one person on one machine (own config, own keyring)."""

    server: Server
    home: Path
    env: dict[str, str] = field(default_factory=dict)

    def run(self, *args: str, input: str | None = None, **env: str) -> Result:
        completed = subprocess.run(
            [TASKFLOW, *args],
            input=input,
            env=self.env | env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        return Result(completed.returncode, completed.stdout, completed.stderr)

    def ok(self, *args: str, input: str | None = None, **env: str) -> Result:
        """Run and insist on success, showing stderr otherwise."""
        result = self.run(*args, input=input, **env)
        assert result.code == 0, f"taskflow {' '.join(args)} -> {result.code}: {result.stderr}"
        return result

    def login(self, account: Account, *extra: str, **env: str) -> Result:
        return self.run(
            "login", "--email", account.email, "--password-stdin", *extra,
            input=account.password + "\n", **env,
        )  # fmt: skip

    def stored_session(self) -> dict[str, Any] | None:
        """The login kept for the server: the refresh token in the keyring, the access token
        and its expiry in the runtime dir (None when there is no refresh token)."""
        script = (
            "import keyring, sys; "
            f"print(keyring.get_password('taskflow', {self.server.url!r}) or '')"
        )
        completed = subprocess.run(
            [sys.executable, "-c", script], env=self.env, capture_output=True, text=True, check=True
        )
        refresh_token = completed.stdout.strip()
        if not refresh_token:
            return None
        access = self.access_file()
        session = json.loads(access.read_text()) if access.exists() else {}
        return session | {"refresh_token": refresh_token}

    def access_file(self) -> Path:
        """Where the CLI keeps the access token for the server (the runtime dir)."""
        from urllib.parse import quote

        return self.home / "runtime" / "taskflow" / f"access-{quote(self.server.url, safe='')}.json"

    def add_task(self, title: str, *options: str) -> dict[str, Any]:
        task: dict[str, Any] = self.ok("tasks", "add", title, *options, "--json").json()
        return task


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def client_env(home: Path, server_url: str) -> dict[str, str]:
    """A clean environment for the CLI: its own XDG dirs, a file keyring, no colours."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TASKFLOW_", "XDG_", "PYTHON_KEYRING", "DBUS_"))
        and key not in ("NO_COLOR", "VISUAL", "EDITOR")
    }
    runtime = home / "runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    return env | {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_RUNTIME_DIR": str(runtime),
        "PYTHON_KEYRING_BACKEND": PLAINTEXT_KEYRING,
        "TASKFLOW_SERVER": server_url,
    }


def start_server(
    backend: str, workdir: Path, *, name: str, settings: dict[str, str] | None = None
) -> Server:
    """`taskflow db upgrade`, then `taskflow server` on a free port, ready to answer."""
    if backend == "sqlite":
        database_url = f"sqlite:///{workdir / 'taskflow.db'}"
    else:
        database_url = fresh_postgres_database(f"cli_{name}_{worker_suffix()}")
    env = (
        {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("TASKFLOW_") or key.startswith("TASKFLOW_TEST_")
        }
        | {
            "TASKFLOW_ENV": "test",
            "TASKFLOW_DATABASE_URL": database_url,
            "TASKFLOW_DATA_DIR": str(workdir),
            "TASKFLOW_JWT_SECRET": "cli-test-secret-" + "x" * 32,
            "TASKFLOW_PASSWORD_HASH_MEMORY_KIB": "64",
            "TASKFLOW_PASSWORD_HASH_TIME_COST": "1",
            "TASKFLOW_OVERDUE_SCAN_INTERVAL": "0",
            "TASKFLOW_RATE_LIMIT": "0",
            "TASKFLOW_AUTH_RATE_LIMIT": "0",
            "TASKFLOW_LOGIN_FAILURES_PER_ADDRESS": "0",
            "TASKFLOW_LOGIN_FAILURES_PER_ACCOUNT": "0",
            # CLI processes take turns to refresh (a file lock): any reuse is a copied token.
            "TASKFLOW_REFRESH_REUSE_GRACE": "0",
            "TASKFLOW_LOG_LEVEL": "WARNING",
        }
        | (settings or {})
    )
    subprocess.run([TASKFLOW, "db", "upgrade"], env=env, check=True, capture_output=True)
    port = free_port()
    log = (workdir / "server.log").open("wb")
    process = subprocess.Popen(
        [TASKFLOW, "server", "--port", str(port)], env=env, stdout=log, stderr=log
    )
    server = Server(
        url=f"http://127.0.0.1:{port}", env=env, process=process, log=workdir / "server.log"
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited: {(workdir / 'server.log').read_text()}")
        try:
            if httpx.get(f"{server.url}/health", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.stop()
    pytest.fail("server did not start within 30 s")


@pytest.fixture(scope="module", params=BACKENDS)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """One server per test module and backend; a module sets SERVER_SETTINGS to tune it."""
    settings = getattr(request.module, "SERVER_SETTINGS", {})
    name = request.module.__name__.rsplit(".", 1)[-1]
    running = start_server(
        request.param, tmp_path_factory.mktemp(f"server-{request.param}"), name=name,
        settings=settings,
    )  # fmt: skip
    yield running
    running.stop()


@pytest.fixture
def cli(server: Server, tmp_path: Path) -> Cli:
    home = tmp_path / "home"
    home.mkdir()
    return Cli(server=server, home=home, env=client_env(home, server.url))


@pytest.fixture
def account(server: Server) -> Account:
    return server.register()


@pytest.fixture
def logged_in(cli: Cli, account: Account) -> Cli:
    """The CLI after `taskflow login` as a fresh account."""
    result = cli.login(account)
    assert result.code == 0, result.stderr
    return cli


def assert_one_error_line(result: Result, code: int, *fragments: str) -> None:
    """The CLI's promise for every failure: one line on stderr, the documented exit code
    (after the note that names the server, when --server or TASKFLOW_SERVER chose one
    other than the configured default)."""
    assert result.code == code, (result.code, result.stderr)
    lines = result.stderr.strip().splitlines()
    if len(lines) == 2 and lines[0].startswith("Server: "):
        lines = lines[1:]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def run_in_terminal(
    cli: Cli, *args: str, typed: str = "", answers: tuple[tuple[str, str], ...] = (), **env: str
) -> Result:
    """Run `taskflow` on a pseudo-terminal, as a person at a keyboard would; `typed` is
    what they type ahead (buffered by the terminal until the program reads it), and each of
    `answers` (prompt, reply) is typed once its prompt is on the screen, as a password must
    be (a password prompt first discards what was typed ahead)."""
    import select

    leader, follower = os.openpty()
    process = subprocess.Popen(
        [TASKFLOW, *args],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=cli.env | {"NO_COLOR": "1"} | env,
        start_new_session=True,
    )
    os.close(follower)
    if typed:
        os.write(leader, typed.encode())
    pending = list(answers)
    output = b""
    seen = 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal closed: the program has exited
                break
            if not chunk:
                break
            output += chunk
            if pending and pending[0][0].encode() in output[seen:]:
                seen = output.index(pending[0][0].encode(), seen) + len(pending[0][0])
                time.sleep(0.1)  # the prompt is written before the terminal stops echoing
                os.write(leader, (pending.pop(0)[1] + "\n").encode())
        elif process.poll() is not None:
            break
    os.close(leader)
    code = process.wait(timeout=10)
    return Result(code, output.decode(errors="replace").replace("\r\n", "\n"), "")


@pytest.fixture
def cli_of_someone_else(server: Server, tmp_path: Path) -> Cli:
    """A second person on another machine, logged in as another account."""
    home = tmp_path / "other-home"
    home.mkdir()
    other = Cli(server=server, home=home, env=client_env(home, server.url))
    assert other.login(server.register()).code == 0
    return other
