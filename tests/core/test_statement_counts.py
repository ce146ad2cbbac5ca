"""Round trips of the account and notification operations (the task routes' are pinned in
tests/api/test_statement_counts.py): few, and not growing with what they return or touch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from taskflow_core.operations.jobs import scan_overdue
from taskflow_core.runtime import Runtime
from taskflow_core.schemas import NotificationQuery, NotificationsRead, TaskCreate, UserQuery
from tests.conftest import count_statements
from tests.core.conftest import make_admin, register

pytestmark = pytest.mark.anyio


async def test_an_inbox_page_is_two_statements_however_long(runtime: Runtime) -> None:
    me = await register(runtime)
    due = datetime.now(UTC) - timedelta(days=1)
    await runtime.task_writes.create_many(me.caller, [TaskCreate(title="t", due_date=due)] * 30)
    assert await scan_overdue(runtime) == 30
    queries = [
        NotificationQuery(limit=1),
        NotificationQuery(limit=30),
        NotificationQuery(limit=1, unread=True),
    ]
    for query in queries:
        with count_statements(runtime) as statements:
            page = await runtime.notifications.page(me.caller, query)
        assert (len(page.data), len(statements)) == (query.limit, 2)
    with count_statements(runtime) as statements:
        by_cursor = await runtime.notifications.page(
            me.caller, NotificationQuery(limit=20, cursor=page.meta.next_cursor)
        )
    assert (len(by_cursor.data), len(statements)) == (20, 2)


async def test_marking_read_is_one_statement_for_one_or_many(runtime: Runtime) -> None:
    me = await register(runtime)
    due = datetime.now(UTC) - timedelta(days=1)
    await runtime.task_writes.create_many(me.caller, [TaskCreate(title="t", due_date=due)] * 20)
    await scan_overdue(runtime)
    notifications = (await runtime.notifications.page(me.caller, NotificationQuery())).data
    with count_statements(runtime) as one:
        await runtime.notifications.mark_read(me.caller, notifications[0].id)
    ids = [notification.id for notification in notifications[1:]]
    with count_statements(runtime) as many:
        assert (
            await runtime.notifications.mark_many_read(me.caller, NotificationsRead(ids=ids)) == 19
        )
    assert (len(one), len(many)) == (1, 1)


async def test_a_users_page_is_two_statements_however_long(runtime: Runtime) -> None:
    admin = await make_admin(runtime)
    for _ in range(12):
        await register(runtime)
    for limit in (1, 13):
        with count_statements(runtime) as statements:
            page = await runtime.users.page(admin.caller, UserQuery(limit=limit))
        assert (len(page.data), len(statements)) == (limit, 2)
