"""Rows become the API's documents without pydantic on the hot path: the same bytes it gives."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from taskflow_core.domain.enums import NotificationKind, Role, TaskPriority, TaskStatus
from taskflow_core.schemas import NotificationOut, TaskOut, UserOut, WireModel, row_to_wire
from taskflow_core.serialization import to_json

NOW = datetime(2026, 12, 4, 17, 0, 0, 123456, tzinfo=UTC)


def task_row(**changes: Any) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "user_id": uuid.uuid4(),
        "number": 7,
        "title": "Write the report ✍️",
        "description": None,
        "status": TaskStatus.COMPLETED,
        "priority": TaskPriority.HIGH,
        "due_date": NOW - timedelta(days=1),
        "created_at": NOW,
        "updated_at": NOW,
        "completed_at": NOW,
        "version": 3,
        "project_id": None,
        "labels": [],
        "total": 41,  # a page statement's extra column: not part of the document
    } | changes


ROWS: list[tuple[type[WireModel], dict[str, Any]]] = [
    (TaskOut, task_row()),
    (TaskOut, task_row(description="two\\nlines", due_date=None, completed_at=None)),
    (TaskOut, task_row(project_id=uuid.uuid4(), labels=["bills", "Ünïcode"])),
    (
        UserOut,
        {
            "id": uuid.uuid4(),
            "email": "a@example.com",
            "name": "Ä",
            "role": Role.ADMIN,
            "is_active": True,
            "created_at": NOW,
            "updated_at": NOW,
            "password_hash": "not in the document",
        },
    ),
    (
        NotificationOut,
        {
            "id": uuid.uuid4(),
            "user_id": uuid.uuid4(),
            "task_id": uuid.uuid4(),
            "kind": NotificationKind.TASK_OVERDUE,
            "message": "Task #7 is overdue",
            "due_date": NOW,
            "created_at": NOW,
            "read_at": None,
        },
    ),
]


@pytest.mark.parametrize(("model", "row"), ROWS)
def test_a_row_maps_to_the_same_document_pydantic_gives(
    model: type[WireModel], row: dict[str, Any]
) -> None:
    assert to_json(row_to_wire(model)(row)) == to_json(model.model_validate(row))
