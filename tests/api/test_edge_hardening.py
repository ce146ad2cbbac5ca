"""Headers every response carries, and logs that client input cannot forge lines in."""

from __future__ import annotations

import io
import logging
import re
from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient

from tests.conftest import make_task

if TYPE_CHECKING:
    from collections.abc import Iterator


def test_every_response_says_nosniff(client: TestClient, headers: dict[str, str]) -> None:
    task = make_task(client, headers)
    for response in (
        client.get("/health"),
        client.get("/tasks", headers=headers),
        client.get(f"/tasks/{task['id']}", headers=headers),
        client.get("/nowhere"),
        client.get("/tasks?limit=abc", headers=headers),
        client.get("/openapi.json"),
        client.get("/docs"),
    ):
        assert response.headers["x-content-type-options"] == "nosniff", response.url


def test_data_auth_and_error_responses_are_never_stored_by_a_cache(
    client: TestClient, headers: dict[str, str]
) -> None:
    task = make_task(client, headers)
    for response in (
        client.get("/tasks", headers=headers),
        client.get(f"/tasks/{task['id']}", headers=headers),
        client.patch(f"/tasks/{task['id']}", json={"title": "x"}, headers=headers),
        client.get("/auth/me", headers=headers),
        client.post("/auth/login", json={"email": "a@example.com", "password": "x"}),
        client.get("/tasks"),
        client.get("/health/ready"),
    ):
        assert response.headers["cache-control"] == "no-store", response.url


def test_the_docs_may_be_cached(client: TestClient) -> None:
    for path in ("/openapi.json", "/docs", "/redoc"):
        assert "no-store" not in client.get(path).headers.get("cache-control", ""), path


@pytest.fixture
def log_output(client: TestClient) -> Iterator[io.StringIO]:
    """What the server's own log handler writes, as it would reach stderr."""
    handler = logging.getLogger("taskflow").handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    output = io.StringIO()
    previous = handler.setStream(output)
    yield output
    handler.setStream(previous)


FORGED = "2026-01-01 00:00:00,000 INFO taskflow.access [x] user_id=admin path=/ status=200"


@pytest.mark.parametrize(
    "path",
    [
        "/tasks%0a" + FORGED.replace(" ", "%20"),
        "/tasks%0d%0a" + FORGED.replace(" ", "%20"),
        "/x%e2%80%a8" + FORGED.replace(" ", "%20"),
        "/x%1b[2K%0d" + FORGED.replace(" ", "%20"),
        "/x%0b%0c%c2%85" + FORGED.replace(" ", "%20"),
    ],
)
def test_a_control_character_in_the_path_cannot_forge_a_log_line(
    client: TestClient, log_output: io.StringIO, path: str
) -> None:
    client.get(path, headers={"X-Request-ID": "forge-test"})
    lines = log_output.getvalue().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].split(" ", 3)[2:3] == ["INFO"]
    assert "forge-test" in lines[0]
    assert "\x1b" not in lines[0]


def test_an_unhandled_error_logs_its_traceback_indented(
    client: TestClient, log_output: io.StringIO
) -> None:
    logger = logging.getLogger("taskflow.server")
    try:
        raise ValueError("bad\n" + FORGED)
    except ValueError:
        logger.exception("boom %s", "\n" + FORGED)
    first, *rest = log_output.getvalue().splitlines()
    assert first.endswith("boom \\n" + FORGED)
    assert rest
    assert all(line.startswith("    ") for line in rest)


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_docs_pages_load_nothing_from_another_host(client: TestClient, page: str) -> None:
    response = client.get(page)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert re.findall(r"(?:https?:)?//[\w.-]+", html) == []
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assert len(assets) >= 2, html
    for url in assets:
        assert url.startswith("/"), url
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 1000, url
    assert "default-src 'self'" in response.headers["content-security-policy"]


def test_swagger_ui_sends_the_document_to_no_validator(client: TestClient) -> None:
    assert '"validatorUrl": null' in client.get("/docs").text


def test_redoc_uses_no_google_fonts(client: TestClient) -> None:
    assert "fonts.googleapis" not in client.get("/redoc").text
