"""Domain errors. Each edge maps them once: the server to problem+json, the CLI to exit codes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FieldError:
    """One invalid input field, named as the client spelled it (camelCase)."""

    field: str
    message: str


class TaskflowError(Exception):
    """Base of every error the core raises on purpose; `detail` is safe to show a client."""

    default_detail = "Request failed"

    def __init__(self, detail: str | None = None) -> None:
        self.detail = detail or self.default_detail
        super().__init__(self.detail)


class NotFound(TaskflowError):
    """Absent, or not visible to the caller (the two are indistinguishable on purpose)."""

    default_detail = "Not found"


class Conflict(TaskflowError):
    """The change would break a uniqueness or integrity rule; `errors` names the fields
    when it is about some (a name taken)."""

    default_detail = "Conflict"

    def __init__(self, detail: str | None = None, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.errors = errors or []


class PermissionDenied(TaskflowError):
    """Authenticated, but the caller's role does not allow the action."""

    default_detail = "You do not have permission to do this"


class AuthenticationFailed(TaskflowError):
    """Missing, malformed, expired or revoked credentials."""

    default_detail = "Invalid credentials"


class PreconditionFailed(TaskflowError):
    """The client's `If-Match` no longer matches the resource."""

    default_detail = "The resource was changed by someone else"


class InvalidInput(TaskflowError):
    """Input that passed parsing but breaks a rule; `errors` names the fields."""

    default_detail = "Validation failed"

    def __init__(self, detail: str | None = None, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.errors = errors or []


class BadRequest(TaskflowError):
    """Input that cannot be understood at all (a tampered cursor, say); `errors` names the
    fields when it is known."""

    default_detail = "Bad request"

    def __init__(self, detail: str | None = None, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.errors = errors or []


class RateLimited(TaskflowError):
    """The caller spent its request budget."""

    default_detail = "Too many requests"

    def __init__(self, retry_after: int, detail: str | None = None) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class ServiceUnavailable(TaskflowError):
    """A dependency the request needs (the database) does not answer."""

    default_detail = "Service temporarily unavailable"


class StatementTimedOut(ServiceUnavailable):
    """The database ran a statement for longer than `TASKFLOW_STATEMENT_TIMEOUT` and gave up."""

    default_detail = "The database took too long to answer"
