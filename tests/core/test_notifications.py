"""Overdue notifications: the scan and its per-task job (`taskflow_core.operations.jobs`), and
`runtime.notifications` (the inbox, marking read)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from taskflow_core.domain.enums import TaskStatus
from taskflow_core.domain.errors import AuthenticationFailed, NotFound
from taskflow_core.operations.jobs import notify_overdue, scan_overdue
from taskflow_core.runtime import Runtime
from taskflow_core.schemas import (
    NotificationOut,
    NotificationQuery,
    NotificationsRead,
    TaskUpdate,
)
from tests.core.conftest import SignedIn, login, make_task, register

pytestmark = pytest.mark.anyio

NOW = datetime.now(UTC).replace(microsecond=0)
YESTERDAY = NOW - timedelta(days=1)


async def inbox(runtime: Runtime, person: SignedIn, **query: object) -> list[NotificationOut]:
    page = await runtime.notifications.page(
        person.caller, NotificationQuery.model_validate(query | {"limit": 100})
    )
    return page.data


async def test_the_scan_notifies_each_newly_overdue_task_of_every_owner_once(
    runtime: Runtime,
) -> None:
    first, second = await register(runtime), await register(runtime)
    late = [
        await make_task(runtime, person.caller, due_date=YESTERDAY) for person in (first, second)
    ]
    await make_task(runtime, first.caller, due_date=YESTERDAY, status=TaskStatus.COMPLETED)
    await make_task(runtime, first.caller, due_date=NOW + timedelta(hours=1))
    await make_task(runtime, second.caller)
    assert await scan_overdue(runtime) == 2
    assert await scan_overdue(runtime) == 0
    for person, task in zip((first, second), late, strict=True):
        [notification] = await inbox(runtime, person)
        assert (notification.task_id, notification.due_date) == (task.id, YESTERDAY)


async def test_a_tasks_notification_is_made_once_per_missed_due_date(runtime: Runtime) -> None:
    me = await register(runtime)
    task = await make_task(runtime, me.caller, title="Late", due_date=YESTERDAY)
    assert await notify_overdue(runtime, str(task.id)) is True
    assert await notify_overdue(runtime, str(task.id)) is False
    earlier = YESTERDAY - timedelta(days=1)
    await runtime.task_writes.update(me.caller, task.id, TaskUpdate(due_date=earlier))
    assert await notify_overdue(runtime, str(task.id)) is True
    # Back to a due date it was already notified for.
    await runtime.task_writes.update(me.caller, task.id, TaskUpdate(due_date=YESTERDAY))
    assert await notify_overdue(runtime, str(task.id)) is False
    notifications = await inbox(runtime, me)
    assert [n.due_date for n in notifications] == [earlier, YESTERDAY]
    assert notifications[1].message == (
        f'Task #1 "Late" is overdue (due {YESTERDAY:%Y-%m-%d %H:%M} UTC)'
    )


async def test_a_task_completed_moved_on_or_deleted_since_the_scan_is_not_notified(
    runtime: Runtime,
) -> None:
    me = await register(runtime)
    done, later, gone = [await make_task(runtime, me.caller, due_date=YESTERDAY) for _ in range(3)]
    await runtime.task_writes.update(me.caller, done.id, TaskUpdate(status=TaskStatus.COMPLETED))
    await runtime.task_writes.update(
        me.caller, later.id, TaskUpdate(due_date=NOW + timedelta(days=1))
    )
    await runtime.task_writes.delete(me.caller, gone.id)
    for task in (done, later, gone):
        assert await notify_overdue(runtime, str(task.id)) is False
    assert await inbox(runtime, me) == []


async def test_the_inbox_pages_newest_first_by_cursor_and_filters_by_read(
    runtime: Runtime,
) -> None:
    me = await register(runtime)
    for _ in range(5):
        task = await make_task(runtime, me.caller, due_date=YESTERDAY)
        await notify_overdue(runtime, str(task.id))
    everything = await inbox(runtime, me)
    assert [n.created_at for n in everything] == sorted(
        (n.created_at for n in everything), reverse=True
    )
    seen: list[uuid.UUID] = []
    query = NotificationQuery(limit=2)
    while True:
        page = await runtime.notifications.page(me.caller, query)
        seen += [notification.id for notification in page.data]
        if page.meta.next_cursor is None:
            break
        query = NotificationQuery(limit=2, cursor=page.meta.next_cursor)
    assert seen == [notification.id for notification in everything]

    await runtime.notifications.mark_read(me.caller, everything[1].id)
    assert [n.id for n in await inbox(runtime, me, unread=False)] == [everything[1].id]
    unread = await inbox(runtime, me, unread=True)
    assert [n.id for n in unread] == [n.id for n in everything if n.id != everything[1].id]


async def test_marking_one_read_keeps_the_first_time_and_is_for_its_owner_alone(
    runtime: Runtime,
) -> None:
    me, other = await register(runtime), await register(runtime)
    task = await make_task(runtime, me.caller, due_date=YESTERDAY)
    await notify_overdue(runtime, str(task.id))
    [notification] = await inbox(runtime, me)
    for stranger, notification_id in ((other, notification.id), (me, uuid.uuid4())):
        with pytest.raises(NotFound):
            await runtime.notifications.mark_read(stranger.caller, notification_id)
    assert (await inbox(runtime, me))[0].read_at is None
    await runtime.notifications.mark_read(me.caller, notification.id)
    [read] = await inbox(runtime, me)
    await runtime.notifications.mark_read(me.caller, notification.id)
    assert (await inbox(runtime, me)) == [read]
    assert read.read_at is not None


async def test_marking_many_read_counts_the_callers_unread_ones_only(runtime: Runtime) -> None:
    me, other = await register(runtime), await register(runtime)
    for person in (me, me, me, other):
        task = await make_task(runtime, person.caller, due_date=YESTERDAY)
        await notify_overdue(runtime, str(task.id))
    first, second, third = await inbox(runtime, me)
    [theirs] = await inbox(runtime, other)
    await runtime.notifications.mark_read(me.caller, first.id)
    marked = await runtime.notifications.mark_many_read(
        me.caller, NotificationsRead(ids=[first.id, second.id, theirs.id, uuid.uuid4()])
    )
    assert marked == 1
    assert [n.id for n in await inbox(runtime, other, unread=True)] == [theirs.id]
    assert await runtime.notifications.mark_many_read(me.caller, NotificationsRead(all=True)) == 1
    assert await runtime.notifications.mark_many_read(me.caller, NotificationsRead(all=True)) == 0
    assert [n.id for n in await inbox(runtime, me, unread=False)] == [first.id, second.id, third.id]


async def test_a_logged_out_session_can_neither_read_nor_mark_its_inbox(runtime: Runtime) -> None:
    me = await register(runtime)
    task = await make_task(runtime, me.caller, due_date=YESTERDAY)
    await notify_overdue(runtime, str(task.id))
    [notification] = await inbox(runtime, me)
    await runtime.auth.logout(me.tokens.refresh_token)
    with pytest.raises(AuthenticationFailed):
        await inbox(runtime, me)
    with pytest.raises(AuthenticationFailed):
        await runtime.notifications.mark_read(me.caller, notification.id)
    for request in (NotificationsRead(all=True), NotificationsRead(ids=[notification.id])):
        with pytest.raises(AuthenticationFailed):
            await runtime.notifications.mark_many_read(me.caller, request)
    assert await inbox(runtime, await login(runtime, me.email)) == [notification]
