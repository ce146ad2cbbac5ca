"""The CLI's HTTP/1.1 client against real servers on sockets: plain, chunked, kept alive,
timing out, behind a proxy, and over TLS."""

from __future__ import annotations

import json
import select
import shutil
import socket
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, ClassVar

import pytest

from taskflow_cli.client import ApiClient
from taskflow_cli.errors import ServerUnreachable
from taskflow_cli.http import HttpClient, TransportError
from tests.servers import free_port

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    peers: ClassVar[list[int]] = []
    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.peers.append(self.client_address[1])
        self.seen.append(self.path)
        if self.path == "/slow":
            time.sleep(1.0)
        if self.path == "/closing":
            self.close_connection = True
        answer = {"path": self.path, "auth": self.headers.get("Authorization")}
        body = json.dumps(answer).encode()
        if self.path == "/chunked":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for start in range(0, len(body), 7):
                part = body[start : start + 7]
                self.wfile.write(b"%x\r\n%b\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")
            return
        self._answer(200, body)

    def do_POST(self) -> None:
        self.peers.append(self.client_address[1])
        self._answer(201, self.rfile.read(int(self.headers["Content-Length"])))

    def _answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def serve(server: ThreadingHTTPServer) -> Iterator[ThreadingHTTPServer]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def server_url() -> Iterator[str]:
    Handler.peers, Handler.seen = [], []
    for server in serve(ThreadingHTTPServer(("127.0.0.1", 0), Handler)):
        yield f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture
def http(server_url: str) -> Iterator[HttpClient]:
    client = HttpClient(server_url, timeout=0.5)
    yield client
    client.close()


def test_requests_go_out_with_their_query_headers_and_body(http: HttpClient) -> None:
    got = http.request(
        "GET",
        "/tasks",
        query={"status": ["PENDING", "COMPLETED"], "q": "a b&c=é", "unset": None},
        headers={"Authorization": "Bearer t"},
    )
    assert got.status == 200
    assert got.json()["path"] == "/tasks?status=PENDING&status=COMPLETED&q=a%20b%26c%3D%C3%A9"
    assert got.json()["auth"] == "Bearer t"
    created = http.request("POST", "/tasks", body={"title": "Été ✓ \udcff"})
    assert (created.status, created.json()) == (201, {"title": "Été ✓ \udcff"})


def test_a_header_value_with_a_line_break_is_refused_before_anything_is_sent(
    http: HttpClient,
) -> None:
    with pytest.raises(ValueError, match="line break"):
        http.request("GET", "/tasks", headers={"X-Evil": "a\r\nInjected: yes"})
    assert Handler.seen == []


def test_a_chunked_answer_reads_whole(http: HttpClient) -> None:
    assert http.request("GET", "/chunked").json()["path"] == "/chunked"
    assert http.request("GET", "/after").json()["path"] == "/after"  # same connection
    assert len(set(Handler.peers)) == 1


def test_one_connection_carries_request_after_request(http: HttpClient) -> None:
    for _ in range(5):
        http.request("GET", "/tasks")
    assert len(set(Handler.peers)) == 1


def test_a_connection_the_server_closed_is_replaced_without_an_error(http: HttpClient) -> None:
    assert http.request("GET", "/closing").status == 200
    time.sleep(0.05)
    assert http.request("GET", "/tasks").status == 200
    assert len(set(Handler.peers)) == 2


def test_a_server_that_answers_too_late_is_a_timeout_and_the_next_request_works(
    http: HttpClient,
) -> None:
    started = time.monotonic()
    with pytest.raises(TransportError) as caught:
        http.request("GET", "/slow")
    assert caught.value.timed_out
    # GET is tried twice; each attempt gives up after the 0.5 s timeout.
    assert time.monotonic() - started < 5
    assert http.request("GET", "/tasks").status == 200


def test_a_port_nobody_listens_on_is_a_transport_error() -> None:
    client = HttpClient(f"http://127.0.0.1:{free_port()}")
    with pytest.raises(TransportError, match="refused"):
        client.request("GET", "/health")


def test_the_api_client_says_the_server_is_unreachable() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with ApiClient(url) as client, pytest.raises(ServerUnreachable) as caught:
        client.call("GET", "/health", auth=False)
    assert str(caught.value).startswith(f"Cannot reach the TaskFlow server at {url} (")
    assert "refused" in str(caught.value)


def test_an_answer_that_is_not_http_is_a_transport_error() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def answer_garbage() -> None:
        connection, _ = listener.accept()
        connection.recv(65536)
        connection.sendall(b"SSH-2.0-OpenSSH_9.2\r\n")
        connection.close()

    threading.Thread(target=answer_garbage, daemon=True).start()
    client = HttpClient(f"http://127.0.0.1:{listener.getsockname()[1]}", timeout=2)
    with pytest.raises(TransportError, match="not HTTP"):
        client.request("POST", "/auth/login", body={})
    listener.close()


# --- proxies ----------------------------------------------------------------------------


class Proxy(BaseHTTPRequestHandler):
    """A forward proxy: absolute-form requests for http, CONNECT tunnels for https."""

    protocol_version = "HTTP/1.1"
    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.seen.append(f"GET {self.path} {self.headers.get('Proxy-Authorization')}")
        host, _, port = self.path.removeprefix("http://").split("/", 1)[0].partition(":")
        with socket.create_connection((host, int(port or 80))) as upstream:
            path = "/" + self.path.split("/", 3)[3]
            head = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n"
            upstream.sendall(head.encode())
            answer = b""
            while chunk := upstream.recv(65536):
                answer += chunk
        self.wfile.write(answer)
        self.close_connection = True

    def do_CONNECT(self) -> None:
        self.seen.append(f"CONNECT {self.path}")
        host, _, port = self.path.partition(":")
        upstream = socket.create_connection((host, int(port)))
        self.send_response(200, "Connection established")
        self.end_headers()
        sockets = [self.connection, upstream]
        while True:
            ready, _, _ = select.select(sockets, [], [], 5)
            if not ready:
                break
            for sock in ready:
                data = sock.recv(65536)
                if not data:
                    upstream.close()
                    return
                (upstream if sock is self.connection else self.connection).sendall(data)
        upstream.close()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    Proxy.seen = []
    for variable in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(variable, raising=False)
        monkeypatch.delenv(variable.upper(), raising=False)
    for server in serve(ThreadingHTTPServer(("127.0.0.1", 0), Proxy)):
        yield f"127.0.0.1:{server.server_address[1]}"


def test_http_goes_through_the_proxy_named_in_the_environment(
    server_url: str, proxy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"http://ada:s%20cret@{proxy}")

    answer = HttpClient(server_url).request("GET", "/via-proxy")

    assert answer.json()["path"] == "/via-proxy"
    assert Proxy.seen == [f"GET {server_url}/via-proxy Basic YWRhOnMgY3JldA=="]


def test_no_proxy_exempts_its_hosts(
    server_url: str, proxy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"http://{proxy}")
    monkeypatch.setenv("NO_PROXY", "example.com, 127.0.0.1")

    assert HttpClient(server_url).request("GET", "/direct").status == 200
    assert Proxy.seen == []


# --- TLS --------------------------------------------------------------------------------


@pytest.fixture
def tls_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An https server with a certificate of its own, trusted through SSL_CERT_FILE."""
    if shutil.which("openssl") is None:
        pytest.fail("needs openssl to make a certificate (apt-get install openssl)")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost"],
        check=True, capture_output=True,
    )  # fmt: skip
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    Handler.peers, Handler.seen = [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    for running in serve(server):
        yield f"https://localhost:{running.server_address[1]}"


def test_https_checks_the_certificate_and_keeps_the_connection(tls_url: str) -> None:
    client = HttpClient(tls_url)
    for _ in range(3):
        assert client.request("GET", "/secure").json()["path"] == "/secure"
    assert len(set(Handler.peers)) == 1


def test_https_refuses_a_certificate_it_does_not_trust(
    tls_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    empty = tmp_path / "none.pem"
    empty.write_text("")
    monkeypatch.setenv("SSL_CERT_FILE", str(empty))
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))

    with pytest.raises(TransportError, match="CERTIFICATE_VERIFY_FAILED"):
        HttpClient(tls_url).request("GET", "/secure")


def test_https_through_a_proxy_is_a_tunnel(
    tls_url: str, proxy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", f"http://{proxy}")

    assert HttpClient(tls_url).request("GET", "/tunnelled").json()["path"] == "/tunnelled"
    assert Proxy.seen == [f"CONNECT {tls_url.removeprefix('https://')}"]


@pytest.mark.parametrize(
    ("host", "no_proxy", "bypassed"),
    [
        ("api.example.com", "example.com", True),
        ("api.example.com", ".example.com", True),
        ("example.com", "example.com:8443", True),
        ("badexample.com", "example.com", False),
        ("::1", "[::1]:8000", True),
        ("10.0.0.1", "*", True),
        ("10.0.0.1", "", False),
        ("10.0.0.1", " 10.0.0.1 , other", True),
    ],
)
def test_no_proxy_matches_names_their_subdomains_and_addresses(
    host: str, no_proxy: str, bypassed: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from taskflow_cli.proxies import proxy_for

    monkeypatch.setenv("HTTP_PROXY", "http://proxy.invalid:3128")
    monkeypatch.setenv("NO_PROXY", no_proxy)

    assert (proxy_for("http", host) is None) is bypassed


def test_a_proxy_the_client_cannot_use_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from taskflow_cli.errors import BadUsage

    monkeypatch.setenv("HTTP_PROXY", "socks5://proxy.example:1080")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)

    with pytest.raises(BadUsage, match="only http:// proxies"):
        ApiClient("http://taskflow.example")
