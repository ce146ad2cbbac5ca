"""The client's http.client transport against a real HTTP/1.1 server on a socket."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, ClassVar

import httpx
import pytest

from taskflow_cli.client import ApiClient
from taskflow_cli.errors import ServerUnreachable
from taskflow_cli.transport import StdlibTransport
from tests.servers import free_port

if TYPE_CHECKING:
    from collections.abc import Iterator


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    peers: ClassVar[list[int]] = []

    def do_GET(self) -> None:
        self.peers.append(self.client_address[1])
        if self.path == "/slow":
            time.sleep(1.0)
        if self.path == "/closing":
            self.close_connection = True
        payload = json.dumps({"path": self.path, "auth": self.headers.get("Authorization")})
        body = payload.encode()
        headers = {"Content-Type": "application/json"}
        if self.path == "/gzip":
            body, headers["Content-Encoding"] = gzip.compress(body), "gzip"
        self._answer(200, body, headers)

    def do_POST(self) -> None:
        self.peers.append(self.client_address[1])
        received = self.rfile.read(int(self.headers["Content-Length"]))
        self._answer(201, received, {"Content-Type": "application/json"})

    def _answer(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server_url() -> Iterator[str]:
    Handler.peers = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def http(server_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server_url, transport=StdlibTransport(), timeout=0.5) as client:
        yield client


def test_requests_go_out_with_their_query_headers_and_body(http: httpx.Client) -> None:
    got = http.get(
        "/tasks",
        params={"status": ["PENDING", "COMPLETED"], "q": "a b"},
        headers={"Authorization": "Bearer t"},
    )
    assert got.status_code == 200
    assert got.json() == {
        "path": "/tasks?status=PENDING&status=COMPLETED&q=a+b",
        "auth": "Bearer t",
    }
    created = http.post("/tasks", json={"title": "Été ✓"})
    assert (created.status_code, created.json()) == (201, {"title": "Été ✓"})


def test_a_compressed_answer_reads_as_plain_json(http: httpx.Client) -> None:
    assert http.get("/gzip").json()["path"] == "/gzip"


def test_one_connection_carries_request_after_request(http: httpx.Client) -> None:
    for _ in range(5):
        http.get("/tasks")
    assert len(set(Handler.peers)) == 1


def test_a_connection_the_server_closed_is_replaced_without_an_error(http: httpx.Client) -> None:
    assert http.get("/closing").status_code == 200
    time.sleep(0.05)
    assert http.get("/tasks").status_code == 200
    assert len(set(Handler.peers)) == 2


def test_a_server_that_answers_too_late_is_a_read_timeout(http: httpx.Client) -> None:
    with pytest.raises(httpx.ReadTimeout):
        http.get("/slow")
    assert http.get("/tasks").status_code == 200


def test_a_port_nobody_listens_on_is_a_connect_error() -> None:
    with httpx.Client(transport=StdlibTransport()) as client, pytest.raises(httpx.ConnectError):
        client.get(f"http://127.0.0.1:{free_port()}/health")


def test_the_client_says_the_server_is_unreachable_after_its_retries() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with ApiClient(url, backoff=0) as client, pytest.raises(ServerUnreachable) as caught:
        client.call("GET", "/health", auth=False)
    assert "Connection refused" in str(caught.value)


@pytest.mark.parametrize(
    ("environment", "transport"),
    [({}, "StdlibTransport"), ({"HTTPS_PROXY": "http://proxy.example:3128"}, "HTTPTransport")],
)
def test_the_client_leaves_proxies_to_httpx(environment: dict[str, str], transport: str) -> None:
    # In a fresh interpreter: the transport httpx picks depends on the environment at start.
    probe = (
        "import sys; from taskflow_cli.client import ApiClient; "
        "client = ApiClient('https://taskflow.example'); "
        "print(type(client._http._transport).__name__, 'httpcore' in sys.modules)"
    )
    clean = {"PATH": "/usr/bin:/bin", "PYTHONPATH": ":".join(sys.path)}
    shown = subprocess.run(
        [sys.executable, "-c", probe],
        env=clean | environment,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    # httpcore is only imported where it is used: behind a proxy.
    assert shown == [transport, str(transport == "HTTPTransport")]
