"""The API's field names, for CSV columns.

The client handles responses as plain JSON (see `client.py`); these tuples mirror the wire
schemas of `taskflow_core.schemas`, and a test keeps the two in step.
"""

from __future__ import annotations

TASK_FIELDS = (
    "id",
    "number",
    "title",
    "description",
    "status",
    "priority",
    "dueDate",
    "userId",
    "createdAt",
    "updatedAt",
    "completedAt",
    "version",
    "projectId",
    "labels",
)
USER_FIELDS = ("id", "email", "name", "role", "isActive", "createdAt", "updatedAt")
NOTIFICATION_FIELDS = ("id", "type", "taskId", "message", "dueDate", "createdAt", "readAt")
