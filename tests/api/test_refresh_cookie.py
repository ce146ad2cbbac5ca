"""The refresh token in an HttpOnly cookie, for browser clients: a browser-like client (httpx
with its cookie jar, over https as a browser keeps Secure cookies) logs in, refreshes and logs
out without the refresh token ever in a body it can read; CSRF and CORS around it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from server.app import create_app
from server.refresh_cookie import COOKIE, CSRF_HEADER
from taskflow_core.settings import Settings
from tests.conftest import TEST_PASSWORD, make_settings, random_email

ORIGIN = "https://app.example.com"
FROM_THE_APP = {"Origin": ORIGIN, CSRF_HEADER: "1"}


@pytest.fixture
def settings_overrides(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Two allowed origins and no grace for a replayed refresh token (a replay ends the
    session at once), unless a test says otherwise."""
    overrides: dict[str, Any] = getattr(request, "param", {})
    return {
        "cors_origins": f"{ORIGIN}, https://admin.example.com/",
        "refresh_reuse_grace": 0,
    } | overrides


@pytest.fixture
def browser(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        yield client


def sign_up(browser: TestClient) -> dict[str, Any]:
    """Register with the token in a cookie; returns the body."""
    answer = browser.post(
        "/auth/register",
        json={
            "email": random_email(),
            "name": "Browser User",
            "password": TEST_PASSWORD,
            "refreshTokenCookie": True,
        },
    )
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


def refresh_cookie(browser: TestClient) -> str:
    value = browser.cookies.get(COOKIE, domain="testserver.local") or browser.cookies.get(COOKIE)
    assert value, "no refresh cookie in the jar"
    return str(value)


def put_back(browser: TestClient, value: str) -> None:
    """What an attacker who copied an old cookie would send."""
    browser.cookies.clear()
    browser.cookies.set(COOKIE, value, domain="testserver.local", path="/auth")


def me(browser: TestClient, access_token: str) -> int:
    return browser.get("/auth/me", headers={"Authorization": f"Bearer {access_token}"}).status_code


def test_login_puts_the_refresh_token_in_a_locked_down_cookie_only(
    browser: TestClient, settings: Settings
) -> None:
    email = sign_up(browser)["user"]["email"]
    browser.cookies.clear()
    answer = browser.post(
        "/auth/login",
        json={"email": email, "password": TEST_PASSWORD, "refreshTokenCookie": True},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["refreshToken"] is None
    cookie = answer.headers["set-cookie"]
    token = refresh_cookie(browser)
    assert token not in answer.text
    attributes = {part.strip().split("=")[0].lower(): part.strip() for part in cookie.split(";")}
    assert attributes["path"] == "Path=/auth"
    assert attributes["samesite"].lower() == "samesite=strict"
    assert attributes["max-age"] == f"Max-Age={settings.refresh_token_ttl}"
    assert {"httponly", "secure"} <= set(attributes)
    assert me(browser, answer.json()["accessToken"]) == 200


def test_the_body_stays_the_default(browser: TestClient) -> None:
    answer = browser.post(
        "/auth/register",
        json={"email": random_email(), "name": "Script", "password": TEST_PASSWORD},
    )
    assert answer.status_code == 201
    assert answer.json()["refreshToken"]
    assert "set-cookie" not in answer.headers


def test_refresh_from_the_cookie_rotates_it_and_a_replayed_one_ends_the_session(
    browser: TestClient,
) -> None:
    sign_up(browser)
    first = refresh_cookie(browser)
    rotated = browser.post("/auth/refresh", headers=FROM_THE_APP)
    assert rotated.status_code == 200, rotated.text
    assert rotated.json()["refreshToken"] is None
    second = refresh_cookie(browser)
    assert second != first
    access = rotated.json()["accessToken"]
    assert me(browser, access) == 200
    # The first cookie, replayed after the rotation (past the reuse grace of the test
    # settings), is refused and ends the session: the rotated cookie and its access token too.
    put_back(browser, first)
    assert browser.post("/auth/refresh", headers=FROM_THE_APP).status_code == 401
    put_back(browser, second)
    assert browser.post("/auth/refresh", headers=FROM_THE_APP).status_code == 401
    assert me(browser, access) == 401


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {CSRF_HEADER: "1"},
        {"Origin": ORIGIN},
        {"Origin": ORIGIN, CSRF_HEADER: "0"},
        {"Origin": "https://evil.example.com", CSRF_HEADER: "1"},
        {"Origin": "https://app.example.com.evil.example", CSRF_HEADER: "1"},
        {"Origin": "null", CSRF_HEADER: "1"},
    ],
    ids=["nothing", "header only", "origin only", "header 0", "other site", "suffix", "null"],
)
def test_a_cookie_refresh_or_logout_without_the_app_s_origin_and_header_is_403_and_spends_nothing(
    browser: TestClient, headers: dict[str, str]
) -> None:
    body = sign_up(browser)
    for path in ("/auth/refresh", "/auth/logout"):
        refused = browser.post(path, headers=headers)
        assert refused.status_code == 403, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert CSRF_HEADER in refused.json()["detail"]
    # Nothing was spent or ended: the session and its cookie still work.
    assert me(browser, body["accessToken"]) == 200
    assert browser.post("/auth/refresh", headers=FROM_THE_APP).status_code == 200


def test_the_second_listed_origin_is_allowed_too(browser: TestClient) -> None:
    sign_up(browser)
    headers = {"Origin": "https://admin.example.com", CSRF_HEADER: "1"}
    assert browser.post("/auth/refresh", headers=headers).status_code == 200


def test_logout_from_the_cookie_ends_the_session_and_clears_the_cookie(
    browser: TestClient,
) -> None:
    body = sign_up(browser)
    token = refresh_cookie(browser)
    answer = browser.post("/auth/logout", headers=FROM_THE_APP)
    assert answer.status_code == 204
    cleared = answer.headers["set-cookie"]
    assert cleared.startswith(f"{COOKIE}=")
    assert "Path=/auth" in cleared
    assert "Max-Age=0" in cleared or "expires=Thu, 01 Jan 1970" in cleared
    assert browser.cookies.get(COOKIE) is None
    assert me(browser, body["accessToken"]) == 401
    put_back(browser, token)
    assert browser.post("/auth/refresh", headers=FROM_THE_APP).status_code == 401


def test_a_refresh_with_no_token_anywhere_is_422_naming_it(browser: TestClient) -> None:
    for path in ("/auth/refresh", "/auth/logout"):
        for body in (None, {}):
            answer = browser.post(path, json=body, headers=FROM_THE_APP)
            assert answer.status_code == 422, answer.text
            assert [e["field"] for e in answer.json()["errors"]] == ["refreshToken"]


def test_a_token_in_the_body_wins_and_needs_no_origin(browser: TestClient) -> None:
    sign_up(browser)
    other = browser.post(
        "/auth/register",
        json={"email": random_email(), "name": "Script", "password": TEST_PASSWORD},
    ).json()
    answer = browser.post("/auth/refresh", json={"refreshToken": other["refreshToken"]})
    assert answer.status_code == 200
    assert answer.json()["user"]["id"] == other["user"]["id"]
    assert answer.json()["refreshToken"]


def test_cors_answers_the_listed_origins_exactly_with_credentials(browser: TestClient) -> None:
    preflight = browser.options(
        "/auth/refresh",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": f"content-type,{CSRF_HEADER.lower()}",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == ORIGIN
    assert preflight.headers["access-control-allow-credentials"] == "true"
    assert CSRF_HEADER.lower() in preflight.headers["access-control-allow-headers"].lower()
    body = sign_up(browser)
    task = browser.post(
        "/tasks",
        json={"title": "from the browser"},
        headers={"Origin": ORIGIN, "Authorization": f"Bearer {body['accessToken']}"},
    )
    assert task.headers["access-control-allow-origin"] == ORIGIN
    assert "etag" in task.headers["access-control-expose-headers"].lower()
    stranger = browser.options(
        "/auth/refresh",
        headers={"Origin": "https://evil.example.com", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in stranger.headers


@pytest.mark.parametrize("settings_overrides", [{"cors_origins": ""}], indirect=True)
def test_without_configured_origins_cors_is_off_and_cookie_refreshes_are_refused(
    browser: TestClient,
) -> None:
    sign_up(browser)
    refused = browser.post("/auth/refresh", headers=FROM_THE_APP)
    assert refused.status_code == 403
    assert "access-control-allow-origin" not in refused.headers
    preflight = browser.options(
        "/tasks", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "GET"}
    )
    assert "access-control-allow-origin" not in preflight.headers


@pytest.mark.parametrize("settings_overrides", [{"env": "development"}], indirect=True)
def test_in_development_the_cookie_works_over_plain_http(settings: Settings) -> None:
    with TestClient(create_app(settings)) as plain:
        answer = plain.post(
            "/auth/register",
            json={
                "email": random_email(),
                "name": "Dev",
                "password": TEST_PASSWORD,
                "refreshTokenCookie": True,
            },
        )
        assert "secure" not in answer.headers["set-cookie"].lower()
        assert plain.cookies.get(COOKIE)


@pytest.mark.parametrize(
    "origins",
    ["*", "https://*.example.com", "https://app.example.com/path", "app.example.com", "ftp://x"],
)
def test_an_origin_list_that_is_not_exact_is_refused_at_start(origins: str) -> None:
    with pytest.raises(ValidationError, match="CORS origin"):
        make_settings("sqlite://", cors_origins=origins)


def test_origins_are_compared_as_browsers_send_them() -> None:
    settings = make_settings("sqlite://", cors_origins="HTTPS://App.Example.com:8443/, http://x")
    assert settings.cors_origins == ["https://app.example.com:8443", "http://x"]
