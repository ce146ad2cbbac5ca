"""The CLI's copy of the API field names stays in step with the wire schemas."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from taskflow_cli.wire import NOTIFICATION_FIELDS, TASK_FIELDS, USER_FIELDS
from taskflow_core.schemas import NotificationOut, TaskOut, UserOut


@pytest.mark.parametrize(
    ("fields", "schema"),
    [(TASK_FIELDS, TaskOut), (USER_FIELDS, UserOut), (NOTIFICATION_FIELDS, NotificationOut)],
)
def test_csv_columns_are_the_schema_fields_in_order(
    fields: tuple[str, ...], schema: type[BaseModel]
) -> None:
    wire_names = [
        (info.serialization_alias or info.alias or name)
        for name, info in schema.model_fields.items()
    ]
    assert list(fields) == wire_names
