"""Wire types shared by the server and its clients: camelCase on the wire, snake_case in code."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic.alias_generators import to_camel

from taskflow_core.enums import NotificationKind, Role, TaskPriority, TaskStatus
from taskflow_core.fields import (
    Description,
    Email,
    NumberList,
    Password,
    PersonName,
    PriorityList,
    StatusList,
    Title,
    UtcDatetime,
)

if TYPE_CHECKING:
    from collections.abc import Callable

MAX_PAGE_SIZE = 100
MAX_BATCH_SIZE = 1000
MAX_NUMBERS = 100
EVERY_OWNER = "*"
# `userId=` on reads: one owner's id, or `*` for every owner (admins only).
OwnerScope = uuid.UUID | Literal["*"]


class WireModel(BaseModel):
    """camelCase on the wire; the snake_case spelling is accepted too."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        from_attributes=True,
    )


class RequestModel(WireModel):
    """A request body: unknown fields are refused, never silently dropped."""

    model_config = ConfigDict(extra="forbid")


def _documented_as_not_null(
    *names: str, extra: dict[str, Any] | None = None
) -> Callable[[dict[str, Any]], None]:
    """A PATCH field may be left out but not sent as null: say so in the JSON schema.

    The Python type stays `X | None` (an unsent field is None); validators refuse nulls.
    """

    def strip_null(schema: dict[str, Any]) -> None:
        schema.update(extra or {})
        for name in names:
            field = schema["properties"][to_camel(name)]
            choices = [c for c in field.pop("anyOf", []) if c.get("type") != "null"]
            if len(choices) == 1:
                field.update(choices[0])
            field.pop("default", None)

    return strip_null


# --- auth -------------------------------------------------------------------------------


class RegisterRequest(RequestModel):
    email: Email
    name: PersonName
    password: Password


class LoginRequest(RequestModel):
    email: Email
    password: Annotated[str, StringConstraints(min_length=1, max_length=128)]


class RefreshRequest(RequestModel):
    refresh_token: Annotated[str, StringConstraints(min_length=1, max_length=512)]


class UserOut(WireModel):
    id: uuid.UUID
    email: str
    name: str
    role: Role
    is_active: bool
    created_at: datetime
    updated_at: datetime


class TokenResponse(WireModel):
    access_token: str
    refresh_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - a scheme, not a secret
    expires_in: int = Field(description="Seconds until the access token expires.")
    user: UserOut


# --- pagination -------------------------------------------------------------------------


class PageMeta(WireModel):
    total: int | None = Field(description="Matching items; null in cursor mode.")
    page: int | None
    limit: int
    total_pages: int | None
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")


class PageQuery(WireModel):
    """`page` for offset pages, or `cursor` (from `meta.nextCursor`) for keyset pages.

    Unknown parameters are refused: a misspelt filter must not quietly return everything.
    """

    model_config = ConfigDict(extra="forbid")

    page: int = Field(default=1, ge=1)
    limit: int = Field(default=20, ge=1, le=MAX_PAGE_SIZE)
    cursor: str | None = Field(default=None, max_length=1024)


# --- users ------------------------------------------------------------------------------


class UserCreate(RequestModel):
    email: Email
    name: PersonName
    password: Password
    role: Role = Role.USER


class UserUpdate(RequestModel):
    """Self may change name, email and password (with `currentPassword`); admins all."""

    model_config = ConfigDict(
        json_schema_extra=_documented_as_not_null(
            "name", "email", "password", "current_password", "role", "is_active"
        )
    )

    name: PersonName | None = None
    email: Email | None = None
    password: Password | None = None
    current_password: Annotated[str, StringConstraints(max_length=128)] | None = None
    role: Role | None = None
    is_active: bool | None = None


class UserQuery(PageQuery):
    role: Role | None = None
    search: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None


class UserPage(WireModel):
    data: list[UserOut]
    meta: PageMeta


# --- tasks ------------------------------------------------------------------------------


class TaskCreate(RequestModel):
    title: Title
    description: Description | None = None
    status: TaskStatus = TaskStatus.PENDING
    priority: TaskPriority = TaskPriority.MEDIUM
    due_date: UtcDatetime | None = None
    user_id: uuid.UUID | None = Field(default=None, description="Admins only: the owner.")


class TaskChanges(RequestModel):
    """Changes to a task; any subset of fields. `dueDate: null` clears the due date."""

    model_config = ConfigDict(
        json_schema_extra=_documented_as_not_null("title", "status", "priority")
    )

    title: Title | None = None
    description: Description | None = None
    status: TaskStatus | None = None
    priority: TaskPriority | None = None
    due_date: UtcDatetime | None = None

    @model_validator(mode="after")
    def _required_fields_are_not_null(self) -> TaskChanges:
        for name in self.model_fields_set & {"title", "status", "priority", "user_id"}:
            if getattr(self, name) is None:
                raise ValueError(f"{to_camel(name)} cannot be null")
        return self

    def changes(self) -> dict[str, object]:
        """Only the fields the client sent."""
        return {name: getattr(self, name) for name in self.model_fields_set}


class TaskUpdate(TaskChanges):
    """Any subset of the create fields; `dueDate: null` clears the due date."""

    model_config = ConfigDict(
        json_schema_extra=_documented_as_not_null("title", "status", "priority", "user_id")
    )

    user_id: uuid.UUID | None = Field(default=None, description="Admins only: the new owner.")


class TaskOut(WireModel):
    id: uuid.UUID
    number: int
    title: str
    description: str | None
    status: TaskStatus
    priority: TaskPriority
    due_date: datetime | None
    user_id: uuid.UUID
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None
    version: int


TaskSort = Literal["createdAt", "dueDate", "priority", "status", "title", "number", "urgency"]


class TaskQuery(PageQuery):
    status: StatusList = Field(default_factory=list)
    priority: PriorityList = Field(default_factory=list)
    search: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    due_before: UtcDatetime | None = None
    due_after: UtcDatetime | None = None
    overdue: bool | None = None
    number: NumberList = Field(
        default_factory=list,
        max_length=MAX_NUMBERS,
        description=f"Task numbers, repeatable or comma-separated (at most {MAX_NUMBERS}).",
    )
    user_id: OwnerScope | None = Field(
        default=None, description="Admins only: an owner's id, or `*` for every owner."
    )
    sort: TaskSort = Field(
        default="createdAt",
        description="`urgency`: due first (earliest, so overdue, first), undated last; "
        "ties by priority (high first), then number.",
    )
    order: Literal["asc", "desc"] = "desc"


class TaskPage(WireModel):
    data: list[TaskOut]
    meta: PageMeta


class TaskStats(WireModel):
    total: int
    by_status: dict[TaskStatus, int]
    by_priority: dict[TaskPriority, int]
    overdue: int


class StatsQuery(WireModel):
    model_config = ConfigDict(extra="forbid")

    user_id: OwnerScope | None = Field(
        default=None, description="Admins only: an owner's id, or `*` for every owner."
    )


BatchAction = Literal["complete", "delete", "update"]


class BatchRequest(RequestModel):
    """`changes` goes with `update` and only with it; ids the caller cannot see fail alone."""

    model_config = ConfigDict(
        json_schema_extra=_documented_as_not_null(
            "changes",
            extra={
                "oneOf": [
                    {"properties": {"action": {"const": "update"}}, "required": ["changes"]},
                    {
                        "properties": {"action": {"enum": ["complete", "delete"]}},
                        "not": {"required": ["changes"]},
                    },
                ]
            },
        )
    )

    action: BatchAction
    tasks: list[uuid.UUID] = Field(min_length=1, max_length=MAX_BATCH_SIZE)
    changes: TaskChanges | None = None

    @model_validator(mode="after")
    def _changes_go_with_update(self) -> BatchRequest:
        if self.action == "update" and self.changes is None:
            raise ValueError("changes is required for the update action")
        if self.action != "update" and "changes" in self.model_fields_set:
            raise ValueError("changes is only allowed with the update action")
        return self


class BulkCreateRequest(RequestModel):
    """Up to 1,000 new tasks, created together or not at all."""

    tasks: list[TaskCreate] = Field(min_length=1, max_length=MAX_BATCH_SIZE)


class BulkCreateResult(WireModel):
    """The tasks created, in the order they were sent."""

    data: list[TaskOut]


class BatchFailure(WireModel):
    id: uuid.UUID
    error: str


class BatchResult(WireModel):
    action: BatchAction
    processed: int
    succeeded: list[uuid.UUID]
    failed: list[BatchFailure]


# --- notifications ----------------------------------------------------------------------


class NotificationOut(WireModel):
    id: uuid.UUID
    type: NotificationKind = Field(validation_alias="kind")
    task_id: uuid.UUID
    message: str
    due_date: datetime
    created_at: datetime
    read_at: datetime | None


class NotificationQuery(PageQuery):
    unread: bool | None = None


class NotificationPage(WireModel):
    data: list[NotificationOut]
    meta: PageMeta


class MarkReadRequest(RequestModel):
    """Mark some notifications read (`ids`) or every unread one (`all: true`), not both.

    Ids that are absent or another user's are ignored, never marked.
    """

    model_config = ConfigDict(
        json_schema_extra=_documented_as_not_null(
            "ids", "all", extra={"oneOf": [{"required": ["ids"]}, {"required": ["all"]}]}
        )
    )

    ids: list[uuid.UUID] | None = Field(
        default=None, min_length=1, max_length=MAX_BATCH_SIZE, description="1 to 1,000 ids."
    )
    all: Literal[True] | None = Field(default=None, description="Every unread notification.")

    @model_validator(mode="after")
    def _ids_or_all(self) -> MarkReadRequest:
        for name in self.model_fields_set:
            if getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        if (self.ids is None) == (self.all is None):
            raise ValueError("send either ids or all: true")
        return self


class MarkReadResult(WireModel):
    marked: int = Field(description="Notifications that were unread and are now read.")


# --- errors and health ------------------------------------------------------------------


class ProblemFieldError(WireModel):
    field: str
    message: str


class Problem(WireModel):
    """RFC 9457 problem details; `errors` only on validation failures."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None
    request_id: str | None = None
    errors: list[ProblemFieldError] | None = None


class HealthOut(WireModel):
    status: Literal["ok"] = "ok"


class DependencyCheck(WireModel):
    status: Literal["ok", "down", "disabled"]
    latency_ms: float | None = None
    detail: str | None = None


class ReadinessOut(WireModel):
    status: Literal["ok", "degraded", "down"]
    checks: dict[str, DependencyCheck]
