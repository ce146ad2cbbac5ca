"""Problem responses become domain errors; domain errors become one line and an exit code."""

from __future__ import annotations

import json

import pytest

from taskflow_cli.errors import (
    BadUsage,
    NotLoggedIn,
    ServerUnreachable,
    SessionExpired,
    exit_code_for,
    exit_for,
    message_for,
)
from taskflow_cli.http import Response
from taskflow_cli.problems import error_from_response
from taskflow_core.domain.errors import (
    AuthenticationFailed,
    BadRequest,
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    PreconditionFailed,
    RateLimited,
    ServiceUnavailable,
    TaskflowError,
)


def problem(
    status: int, detail: str, headers: dict[str, str] | None = None, **extra: object
) -> Response:
    body = {"type": "about:blank", "title": "x", "status": status, "detail": detail} | extra
    return Response(
        status,
        "Reason",
        {"content-type": "application/problem+json"} | (headers or {}),
        json.dumps(body).encode(),
        keeps_alive=True,
    )


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, BadRequest),
        (401, AuthenticationFailed),
        (403, PermissionDenied),
        (404, NotFound),
        (409, Conflict),
        (412, PreconditionFailed),
        (503, ServiceUnavailable),
    ],
)
def test_each_status_becomes_its_domain_error_with_the_server_detail(
    status: int, kind: type[TaskflowError]
) -> None:
    error = error_from_response(problem(status, "Said the server"))

    assert type(error) is kind
    assert error.detail == "Said the server"


def test_validation_errors_keep_each_field() -> None:
    response = problem(422, "Validation failed", errors=[{"field": "title", "message": "empty"}])

    error = error_from_response(response)

    assert isinstance(error, InvalidInput)
    assert message_for(error) == "Validation failed: title: empty"


def test_rate_limits_say_when_to_try_again() -> None:
    response = problem(429, "Too many requests", headers={"retry-after": "7"})

    error = error_from_response(response)

    assert isinstance(error, RateLimited)
    assert message_for(error) == "Too many requests; try again in 7 s"


def test_an_unexpected_status_names_the_request_id() -> None:
    error = error_from_response(problem(500, "Internal server error", requestId="abc"))

    assert message_for(error) == "The server answered 500: Internal server error (request id abc)"


def test_a_body_that_is_not_json_still_gives_a_message() -> None:
    error = error_from_response(
        Response(502, "Bad Gateway", {}, b"<html>Bad gateway</html>", keeps_alive=False)
    )

    assert message_for(error) == "The server answered 502: Bad Gateway"


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (TaskflowError("x"), 1),
        (BadUsage("x"), 2),
        (NotLoggedIn(), 3),
        (SessionExpired(), 3),
        (AuthenticationFailed(), 3),
        (NotFound(), 4),
        (ServerUnreachable(), 5),
        (ServiceUnavailable(), 5),
        (PermissionDenied(), 1),
    ],
)
def test_exit_codes_are_the_documented_ones(error: TaskflowError, code: int) -> None:
    assert exit_code_for(error) == code


def test_the_guard_prints_one_line_and_returns_the_code(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TASKFLOW_DEBUG", raising=False)

    assert exit_for(NotFound("Task #7 not found")) == 4
    assert capsys.readouterr().err == "Error: Task #7 not found\n"


def test_an_unexpected_exception_hides_its_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TASKFLOW_DEBUG", raising=False)

    assert exit_for(KeyError("boom")) == 1
    assert capsys.readouterr().err == (
        "Error: Unexpected error (KeyError); run with TASKFLOW_DEBUG=1 for details\n"
    )
