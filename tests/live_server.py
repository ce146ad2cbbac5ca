"""A real `taskflow server` subprocess, and a small stdlib HTTP client to load and race it.

The fault and race tests drive the server from many threads; the client is `http.client`,
one connection per `Api`, so each thread holds its own and every transport error is seen as
it happened (no pool retrying on the test's behalf).
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.servers import free_port

TASKFLOW = str(Path(sys.executable).with_name("taskflow"))
PASSWORD = "correct horse battery"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0
REQUEST_TIMEOUT = 30.0


def server_environment(
    *, database_url: str, redis_url: str | None, data_dir: Path, **settings: str
) -> dict[str, str]:
    """A services-mode (or, without Redis, embedded) server's environment; `settings` are
    more `TASKFLOW_*` variables (`db_timeout="2"` sets TASKFLOW_DB_TIMEOUT)."""
    keep = {"PATH", "HOME", "LANG", "LC_ALL", "TZ"}
    values = {
        "TASKFLOW_ENV": "test",
        "TASKFLOW_DATABASE_URL": database_url,
        "TASKFLOW_REDIS_URL": redis_url or "",
        "TASKFLOW_DATA_DIR": str(data_dir),
        "TASKFLOW_JWT_SECRET": "live-test-secret-" + "x" * 32,
        "TASKFLOW_PASSWORD_HASH_MEMORY_KIB": "64",
        "TASKFLOW_PASSWORD_HASH_TIME_COST": "1",
        "TASKFLOW_RATE_LIMIT": "0",
        "TASKFLOW_AUTH_RATE_LIMIT": "0",
        "TASKFLOW_LOGIN_FAILURES_PER_ADDRESS": "0",
        "TASKFLOW_LOGIN_FAILURES_PER_ACCOUNT": "0",
        "TASKFLOW_ACCOUNT_CHANGES": "0",
        "TASKFLOW_OVERDUE_SCAN_INTERVAL": "0",
        "TASKFLOW_LOG_LEVEL": "WARNING",
    }
    values |= {f"TASKFLOW_{name.upper()}": value for name, value in settings.items()}
    return {key: value for key, value in os.environ.items() if key in keep} | values


@dataclass
class Response:
    status: int
    headers: dict[str, str]  # names in lower case
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def is_problem(self) -> bool:
        return self.headers.get("content-type", "").startswith("application/problem+json")


class Api:
    """One HTTP/1.1 connection to the server; reconnects after a transport error."""

    def __init__(self, url: str, *, token: str | None = None, keep_alive: bool = True) -> None:
        host, _, port = url.removeprefix("http://").partition(":")
        self._address = (host, int(port))
        self.token = token
        self._keep_alive = keep_alive
        self._connection: http.client.HTTPConnection | None = None

    def connect(self) -> None:
        """Open the connection now (a race then sends its requests without connecting)."""
        if self._connection is None:
            self._connection = http.client.HTTPConnection(*self._address, timeout=REQUEST_TIMEOUT)
            self._connection.connect()

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def request(
        self, method: str, path: str, body: Any = None, *, headers: dict[str, str] | None = None
    ) -> Response:
        """Send and read one request; a transport error (OSError) closes the connection."""
        sent = dict(headers or {})
        if self.token is not None:
            sent.setdefault("Authorization", f"Bearer {self.token}")
        if not self._keep_alive:
            sent["Connection"] = "close"
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        try:
            self.connect()
            assert self._connection is not None
            self._connection.request(method, path, body=payload, headers=sent)
            reply = self._connection.getresponse()
            response = Response(
                reply.status, {k.lower(): v for k, v in reply.getheaders()}, reply.read()
            )
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        if not self._keep_alive or reply.will_close:
            self.close()
        return response

    def get(self, path: str, **kwargs: Any) -> Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Response:
        return self.request("POST", path, body, **kwargs)

    def patch(self, path: str, body: Any = None, **kwargs: Any) -> Response:
        return self.request("PATCH", path, body, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Response:
        return self.request("DELETE", path, **kwargs)


@dataclass
class Account:
    id: str
    email: str
    access_token: str
    refresh_token: str

    @classmethod
    def from_tokens(cls, body: dict[str, Any]) -> Account:
        return cls(
            id=body["user"]["id"],
            email=body["user"]["email"],
            access_token=body["accessToken"],
            refresh_token=body["refreshToken"],
        )


class LiveServer:
    """`taskflow db upgrade`, then `taskflow server --workers N` on a free port."""

    def __init__(self, environment: dict[str, str], workdir: Path, *, workers: int = 2) -> None:
        self.env = environment
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / "server.log"
        self._workers = workers
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            subprocess.run(
                [TASKFLOW, "db", "upgrade"], env=self.env, stdout=log, stderr=log, check=True
            )
            self.process = subprocess.Popen(
                [TASKFLOW, "server", "--port", str(self.port), "--workers", str(self._workers)],
                env=self.env,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited:\n{self.log()}")
            try:
                if Api(self.url, keep_alive=False).get("/health").status == 200:
                    return
            except (OSError, http.client.HTTPException):
                pass  # not listening yet
            time.sleep(0.1)
        raise RuntimeError(f"the server did not answer within {START_TIMEOUT} s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def terminate(self) -> int:
        """SIGTERM, as a supervisor stops it; returns its exit code."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(STOP_TIMEOUT)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            self.terminate()
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(STOP_TIMEOUT)

    def register(self) -> Account:
        """A new account with a random email."""
        email = f"live-{uuid.uuid4().hex[:12]}@example.com"
        response = Api(self.url, keep_alive=False).post(
            "/auth/register", {"email": email, "name": "Live User", "password": PASSWORD}
        )
        assert response.status == 201, response.body
        return Account.from_tokens(response.json())

    def login(self, email: str) -> Account:
        response = Api(self.url, keep_alive=False).post(
            "/auth/login", {"email": email, "password": PASSWORD}
        )
        assert response.status == 200, response.body
        return Account.from_tokens(response.json())

    def create_admin(self) -> Account:
        """An admin, created the way an operator does (`taskflow db create-admin`), logged in."""
        email = f"admin-{uuid.uuid4().hex[:12]}@example.com"
        subprocess.run(
            [TASKFLOW, "db", "create-admin", "--email", email, "--password-stdin"],
            input=PASSWORD + "\n",
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        )
        return self.login(email)

    def api(self, account: Account | None = None, *, keep_alive: bool = True) -> Api:
        return Api(self.url, token=account.access_token if account else None, keep_alive=keep_alive)
