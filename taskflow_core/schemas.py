"""Wire types shared by the server and its clients: camelCase on the wire, snake_case in code."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from taskflow_core.domain.enums import NotificationKind, Role, TaskPriority, TaskStatus
from taskflow_core.fields import (
    MAX_INT,
    MAX_TASK_LABELS,
    Colour,
    Description,
    Email,
    ItemName,
    LabelNames,
    NumberList,
    Password,
    PersonName,
    PriorityList,
    SearchText,
    Secret,
    StatusList,
    Text,
    Title,
    UtcDatetime,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

MAX_PAGE_SIZE = 100
MAX_BATCH_SIZE = 1000
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


def row_to_wire(model: type[WireModel]) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    """How a row (by column name) becomes `model`'s document, as `to_json` writes it.

    For rows the database typed already: the document is the one `model.model_validate(row)`
    would give, without validating each value again (a page of 100 tasks spent more on that
    than on its query). tests/test_wire_mapping.py holds the two to the same bytes.
    """
    pairs = []
    for name, field in model.model_fields.items():
        alias = field.serialization_alias or field.alias or name
        # A field read from another column names it as its validation alias (`type` <- `kind`).
        source = field.validation_alias
        column = source if isinstance(source, str) and source != alias else name
        pairs.append((column, alias))

    def to_wire(row: Mapping[str, Any]) -> dict[str, Any]:
        return {alias: row[column] for column, alias in pairs}

    return to_wire


class RequestModel(WireModel):
    """A request body: unknown fields are refused, never silently dropped."""

    model_config = ConfigDict(extra="forbid")


def field_rule(field: str, message: str) -> PydanticCustomError:
    """A rule between fields, raised by a model validator, naming the field it is about.

    Pydantic places a model validator's error on the model; the server reads `ctx.field`.
    """
    return PydanticCustomError("field_rule", message, {"field": field})


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


RefreshTokenCookie = Annotated[
    bool,
    Field(
        description="`true`: the refresh token goes in an HttpOnly cookie (path `/auth`) "
        "instead of the response body, for browser clients."
    ),
]
RefreshToken = Annotated[Text, StringConstraints(min_length=1, max_length=512)]


class RegisterRequest(RequestModel):
    email: Email
    name: PersonName
    password: Password
    refresh_token_cookie: RefreshTokenCookie = False


class LoginRequest(RequestModel):
    email: Email
    password: Secret
    refresh_token_cookie: RefreshTokenCookie = False


class LogoutRequest(RequestModel):
    """The refresh token in the body, or (browser clients) none here and the refresh cookie,
    sent with an allowed `Origin` and `X-TaskFlow-CSRF: 1`."""

    model_config = ConfigDict(json_schema_extra=_documented_as_not_null("refresh_token"))

    refresh_token: RefreshToken | None = None

    @field_validator("refresh_token")
    @classmethod
    def _not_null(cls, value: object) -> object:
        # Runs only when sent: left out means "use the cookie", null means nothing.
        if value is None:
            raise ValueError("cannot be null")
        return value


class RefreshRequest(LogoutRequest):
    """The refresh token in the body, or (browser clients) none here and the refresh cookie,
    sent with an allowed `Origin` and `X-TaskFlow-CSRF: 1`; a token read from the cookie is
    answered with the new one in the cookie."""

    refresh_token_cookie: RefreshTokenCookie = False


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
    refresh_token: str | None = Field(
        description="Null when the refresh token was set as a cookie (`refreshTokenCookie`)."
    )
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - a scheme, not a secret
    expires_in: int = Field(description="Seconds until the access token expires.")
    user: UserOut


# --- pagination -------------------------------------------------------------------------


class PageMeta(WireModel):
    total: int | None = Field(
        description="Matching items; null in cursor mode. With `totalIsEstimate`, at least "
        "this many (a task list's count stops past 200 matches)."
    )
    page: int | None
    limit: int
    total_pages: int | None
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")
    total_is_estimate: bool = Field(
        default=False,
        description="True when `total` is a lower bound: the count stopped at its threshold.",
    )


class PageQuery(WireModel):
    """`page` for offset pages, or `cursor` (from `meta.nextCursor`) for keyset pages.

    Unknown parameters are refused: a misspelt filter must not quietly return everything.
    """

    model_config = ConfigDict(extra="forbid")

    page: int = Field(default=1, ge=1, le=MAX_INT, description="Page number, from 1.")
    limit: int = Field(default=20, ge=1, le=MAX_PAGE_SIZE, description="Items per page.")
    cursor: str | None = Field(
        default=None,
        max_length=1024,
        description="`meta.nextCursor` of the previous page, unchanged, with the same sort "
        "(instead of `page`); a cursor that was altered or made for another sort is 400.",
    )


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
    current_password: Annotated[Text, StringConstraints(max_length=128)] | None = Field(
        default=None,
        description="Your current password: required to change your own `password` or "
        "`email`, and accepted alongside any change to your own account (an admin changing "
        "someone else's account needs none).",
    )
    role: Role | None = Field(default=None, description="Admins only.")
    is_active: bool | None = Field(default=None, description="Admins only.")


class UserQuery(PageQuery):
    role: Role | None = Field(default=None, description="Only accounts with this role.")
    search: SearchText | None = Field(default=None, description="Part of the email or name.")


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
    project_id: uuid.UUID | None = Field(
        default=None, description="One of the owner's projects (422 naming `projectId` if not)."
    )
    labels: LabelNames = Field(
        default_factory=list,
        description="Label names (at most 50, each once in any case), in order; a name the "
        "owner has no label for yet creates one.",
    )


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
    project_id: uuid.UUID | None = Field(
        default=None,
        description="One of the owner's projects, or null for none (422 naming `projectId` "
        "for a project the owner does not have).",
    )

    @field_validator(
        "title",
        "status",
        "priority",
        "user_id",
        "labels",
        "add_labels",
        "remove_labels",
        check_fields=False,
    )
    @classmethod
    def _required_fields_are_not_null(cls, value: object) -> object:
        # Runs only for fields the client sent, so the error names the field sent as null.
        if value is None:
            raise ValueError("cannot be null")
        return value

    def changes(self) -> dict[str, object]:
        """Only the fields the client sent."""
        return {name: getattr(self, name) for name in self.model_fields_set}


class TaskUpdate(TaskChanges):
    """Any subset of the create fields; `dueDate: null` clears the due date."""

    model_config = ConfigDict(
        json_schema_extra=_documented_as_not_null(
            "title", "status", "priority", "user_id", "labels"
        )
    )

    user_id: uuid.UUID | None = Field(
        default=None,
        description="Admins only: the new owner. The task leaves its project and labels (they "
        "are the old owner's); it cannot be sent with `projectId` or `labels`.",
    )
    labels: LabelNames | None = Field(
        default=None,
        description="The task's labels from now on, in this order (at most 50); a new name "
        "creates a label.",
    )

    @model_validator(mode="after")
    def _a_move_takes_no_project_or_labels(self) -> TaskUpdate:
        if "user_id" in self.model_fields_set:
            for field in ("project_id", "labels"):
                if field in self.model_fields_set:
                    raise field_rule(to_camel(field), "cannot be sent with userId")
        return self


class BatchChanges(TaskChanges):
    """The changes of a batch update: any task field, and labels to add or remove."""

    model_config = ConfigDict(
        json_schema_extra=_documented_as_not_null(
            "title", "status", "priority", "add_labels", "remove_labels"
        )
    )

    add_labels: LabelNames | None = Field(
        default=None,
        description="Labels to add after those a task has (a task keeps at most 50: 422 if "
        "one would pass that); a new name creates a label.",
    )
    remove_labels: LabelNames | None = Field(
        default=None,
        description="Labels to take off (names the owner has no label for are passed over).",
    )


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
    project_id: uuid.UUID | None
    labels: list[str] = Field(description="Label names, in the order they were added.")


TaskSort = Literal[
    "createdAt", "dueDate", "priority", "status", "title", "number", "urgency", "project"
]


class TaskQuery(PageQuery):
    status: StatusList = Field(
        default_factory=list,
        description="Only these statuses: repeat the parameter or separate them with commas "
        "(`status=PENDING,IN_PROGRESS`).",
    )
    priority: PriorityList = Field(
        default_factory=list,
        description="Only these priorities: repeated or comma-separated, as `status`.",
    )
    search: SearchText | None = Field(
        default=None, description="Part of the title or description, in any case."
    )
    due_before: UtcDatetime | None = Field(default=None, description="Due strictly before.")
    due_after: UtcDatetime | None = Field(default=None, description="Due strictly after.")
    overdue: bool | None = Field(
        default=None, description="`true`: due in the past and not completed."
    )
    number: NumberList = Field(
        default_factory=list,
        max_length=MAX_PAGE_SIZE,
        description="Only the tasks with these numbers (repeatable or comma-separated, at most "
        "100).",
    )
    project: ItemName | None = Field(
        default=None,
        description="A project's id or name (any case): its tasks and, unless "
        "`includeSubprojects=false`, its subprojects' (404 for a project the owner does not "
        "have). Tasks of archived projects are listed only this way.",
    )
    include_subprojects: bool = Field(
        default=True, description="With `project`: include the tasks of its subprojects."
    )
    no_project: bool | None = Field(
        default=None, description="`true`: only tasks in no project; `false`: only in one."
    )
    label: list[ItemName] = Field(
        default_factory=list,
        max_length=MAX_TASK_LABELS,
        description="Only tasks with every one of these labels (repeat the parameter; names "
        "in any case; 404 for a label the owner does not have).",
    )
    any_label: list[ItemName] = Field(
        default_factory=list,
        max_length=MAX_TASK_LABELS,
        description="Only tasks with at least one of these labels (repeatable; an empty page "
        "naming a label the owner does not have is a 404).",
    )
    not_label: list[ItemName] = Field(
        default_factory=list,
        max_length=MAX_TASK_LABELS,
        description="Only tasks with none of these labels (repeatable).",
    )
    user_id: OwnerScope | None = Field(
        default=None, description="Admins only: an owner's id, or `*` for every owner."
    )
    sort: TaskSort = Field(
        default="createdAt",
        description="Sort key; ties broken by id. `urgency`: the earliest due first (overdue "
        "ones first), then the undated, each by priority, high first. `project`: grouped by "
        "project (by its position, then name), tasks in no project last, each group by number.",
    )
    order: Literal["asc", "desc"] | None = Field(
        default=None,
        description="Sort direction. Default: `asc` for `urgency` (most urgent first), `desc` "
        "for the others.",
    )

    @property
    def descending(self) -> bool:
        """The order to sort in, once the default is applied."""
        if self.order is None:
            return self.sort not in ("urgency", "project")
        return self.order == "desc"


class TaskPage(WireModel):
    data: list[TaskOut]
    meta: PageMeta


class TaskBulkCreate(RequestModel):
    """Many tasks created at once, all or none."""

    tasks: list[TaskCreate] = Field(min_length=1, max_length=MAX_BATCH_SIZE)


class TaskList(WireModel):
    data: list[TaskOut]


class ProjectCount(WireModel):
    project_id: uuid.UUID | None = Field(description="null: the tasks in no project.")
    name: str | None
    count: int


class LabelCount(WireModel):
    name: str
    count: int


class TaskStats(WireModel):
    total: int
    by_status: dict[TaskStatus, int]
    by_priority: dict[TaskPriority, int]
    overdue: int
    by_project: list[ProjectCount] = Field(
        description="Tasks per project (its own tasks, not its subprojects'), archived ones "
        "included, then those in no project; projects with no tasks are left out."
    )
    by_label: list[LabelCount] = Field(description="Tasks per label; unused labels left out.")


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
    changes: BatchChanges | None = None

    @model_validator(mode="after")
    def _changes_go_with_update(self) -> BatchRequest:
        if self.action == "update" and self.changes is None:
            raise field_rule("changes", "is required for the update action")
        if self.action != "update" and "changes" in self.model_fields_set:
            raise field_rule("changes", "is only allowed with the update action")
        return self


class BatchFailure(WireModel):
    id: uuid.UUID
    error: str


class BatchResult(WireModel):
    action: BatchAction
    processed: int
    succeeded: list[uuid.UUID]
    failed: list[BatchFailure]


# --- projects and labels ----------------------------------------------------------------


class ProjectCreate(RequestModel):
    name: ItemName = Field(description="Unique among the owner's projects, in any case (409).")
    parent_id: uuid.UUID | None = Field(
        default=None,
        description="The project this one is inside (nesting is at most 3 deep: 422 beyond).",
    )
    colour: Colour | None = None
    position: int = Field(default=0, ge=0, le=MAX_INT, description="Manual order, smallest first.")


class ItemUpdate(RequestModel):
    """A rename or a recolour of a project or a label; only the fields sent count."""

    model_config = ConfigDict(json_schema_extra=_documented_as_not_null("name"))

    name: ItemName | None = None
    colour: Colour | None = Field(default=None, description="null: no colour.")

    @field_validator("name", "position", "archived", check_fields=False)
    @classmethod
    def _not_null(cls, value: object) -> object:
        # Runs only for fields the client sent, so the error names the field sent as null.
        if value is None:
            raise ValueError("cannot be null")
        return value

    def changes(self) -> dict[str, object]:
        """Only the fields the client sent."""
        return {name: getattr(self, name) for name in self.model_fields_set}


class ProjectUpdate(ItemUpdate):
    """Rename, recolour, move (`parentId`, `position`), archive or unarchive."""

    model_config = ConfigDict(
        json_schema_extra=_documented_as_not_null("name", "position", "archived")
    )

    parent_id: uuid.UUID | None = Field(
        default=None,
        description="null: a top-level project. Not the project itself nor one inside it "
        "(422), and the nesting stays at most 3 deep (422).",
    )
    position: int | None = Field(default=None, ge=0, le=MAX_INT)
    archived: bool | None = Field(
        default=None, description="An archived project and its tasks leave default lists."
    )


class ProjectOut(WireModel):
    id: uuid.UUID
    user_id: uuid.UUID
    name: str
    parent_id: uuid.UUID | None
    colour: str | None
    archived: bool
    position: int
    created_at: datetime
    updated_at: datetime
    open_tasks: int = Field(description="Its tasks that are not completed (not subprojects').")
    overdue_tasks: int = Field(description="Its tasks that are overdue.")


class ProjectQuery(WireModel):
    model_config = ConfigDict(extra="forbid")

    include_archived: bool = Field(default=False, description="`true`: archived ones too.")
    user_id: uuid.UUID | None = Field(default=None, description="Admins only: the owner.")


class LabelQuery(WireModel):
    model_config = ConfigDict(extra="forbid")

    user_id: uuid.UUID | None = Field(default=None, description="Admins only: the owner.")


class ProjectList(WireModel):
    data: list[ProjectOut]


class LabelCreate(RequestModel):
    name: ItemName = Field(description="Unique among the owner's labels, in any case (409).")
    colour: Colour | None = None


class LabelUpdate(ItemUpdate):
    """Rename or recolour."""


class LabelOut(WireModel):
    id: uuid.UUID
    user_id: uuid.UUID
    name: str
    colour: str | None
    created_at: datetime
    updated_at: datetime
    open_tasks: int
    overdue_tasks: int


class LabelList(WireModel):
    data: list[LabelOut]


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
    unread: bool | None = Field(default=None, description="`true`: only the unread ones.")


class NotificationsRead(RequestModel):
    """`ids` (mark these read) or `all: true` (every unread one), not both."""

    model_config = ConfigDict(
        json_schema_extra=_documented_as_not_null(
            "ids",
            "all",
            extra={
                "oneOf": [
                    {"required": ["ids"], "not": {"required": ["all"]}},
                    {"required": ["all"], "not": {"required": ["ids"]}},
                ]
            },
        )
    )

    ids: list[uuid.UUID] | None = Field(default=None, min_length=1, max_length=MAX_BATCH_SIZE)
    all: Literal[True] | None = None

    @model_validator(mode="after")
    def _one_of_ids_or_all(self) -> NotificationsRead:
        sent = self.model_fields_set
        if ("ids" in sent) == ("all" in sent) or (self.ids is None and self.all is None):
            raise field_rule("ids" if "ids" in sent else "all", "send either ids or all: true")
        return self


class NotificationsMarked(WireModel):
    marked: int = Field(description="How many notifications were unread and are read now.")


class NotificationPage(WireModel):
    data: list[NotificationOut]
    meta: PageMeta


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
