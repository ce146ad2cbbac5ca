"""`callers.confirm`: the database's word on a caller (active user, live session, current role),
and every operation's refusal of a caller it does not confirm."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

import pytest

from taskflow_core.domain.actor import Actor, Caller
from taskflow_core.domain.enums import Role
from taskflow_core.domain.errors import AuthenticationFailed, PermissionDenied
from taskflow_core.operations.accounts.callers import confirm
from taskflow_core.runtime import Runtime
from taskflow_core.schemas import (
    NotificationQuery,
    NotificationsRead,
    TaskCreate,
    TaskUpdate,
    UserCreate,
    UserQuery,
    UserUpdate,
)
from tests.conftest import TEST_PASSWORD, random_email
from tests.core.conftest import (
    SignedIn,
    batch_request,
    list_tasks,
    login,
    make_admin,
    make_task,
    read_stats,
    read_task,
    register,
)

pytestmark = pytest.mark.anyio


async def confirmed(runtime: Runtime, caller: Caller) -> Actor:
    async with runtime.database.reading() as connection:
        return await confirm(connection, caller)


async def test_a_caller_is_confirmed_with_their_role_and_current_cache_version(
    runtime: Runtime,
) -> None:
    me = await register(runtime)
    actor = await confirmed(runtime, me.caller)
    assert (actor.user_id, actor.session_id, actor.role) == (
        me.user_id,
        me.caller.session_id,
        Role.USER,
    )
    task = await make_task(runtime, me.caller)
    await runtime.task_writes.update(me.caller, task.id, TaskUpdate(title="Renamed"))
    assert (await confirmed(runtime, me.caller)).cache_version == actor.cache_version + 2


async def test_a_deactivated_user_is_not_confirmed_even_once_active_again(
    runtime: Runtime,
) -> None:
    admin, me = await make_admin(runtime), await register(runtime)
    await runtime.users.update(admin.caller, me.user_id, UserUpdate(is_active=False))
    with pytest.raises(AuthenticationFailed):
        await confirmed(runtime, me.caller)
    await runtime.users.update(admin.caller, me.user_id, UserUpdate(is_active=True))
    # Deactivation ended the sessions; a new login starts a confirmed one.
    with pytest.raises(AuthenticationFailed):
        await confirmed(runtime, me.caller)
    assert (await confirmed(runtime, (await login(runtime, me.email)).caller)).role is Role.USER


async def test_an_ended_session_is_not_confirmed_and_the_users_others_still_are(
    runtime: Runtime,
) -> None:
    me = await register(runtime)
    elsewhere = await login(runtime, me.email)
    await runtime.auth.logout(me.tokens.refresh_token)
    with pytest.raises(AuthenticationFailed):
        await confirmed(runtime, me.caller)
    assert (await confirmed(runtime, elsewhere.caller)).user_id == me.user_id


async def test_a_session_pairs_with_its_own_user_only(runtime: Runtime) -> None:
    me, other = await register(runtime), await register(runtime)
    for forged in (
        Caller(user_id=me.user_id, session_id=other.caller.session_id),
        Caller(user_id=other.user_id, session_id=me.caller.session_id),
        Caller(user_id=uuid.uuid4(), session_id=me.caller.session_id),
        Caller(user_id=me.user_id, session_id=uuid.uuid4()),
    ):
        with pytest.raises(AuthenticationFailed):
            await confirmed(runtime, forged)


async def test_a_role_change_takes_effect_on_the_token_already_held(runtime: Runtime) -> None:
    admin, me = await make_admin(runtime), await register(runtime)
    with pytest.raises(PermissionDenied):
        await runtime.users.page(me.caller, UserQuery())
    await runtime.users.update(admin.caller, me.user_id, UserUpdate(role=Role.ADMIN))
    assert (await confirmed(runtime, me.caller)).role is Role.ADMIN
    assert (await runtime.users.page(me.caller, UserQuery())).meta.total == 2
    await runtime.users.update(me.caller, admin.user_id, UserUpdate(role=Role.USER))
    assert (await confirmed(runtime, admin.caller)).role is Role.USER
    with pytest.raises(PermissionDenied):
        await runtime.users.page(admin.caller, UserQuery())


# --- every operation, for a caller the database no longer confirms ------------------------

Operation = Callable[[Runtime, SignedIn, uuid.UUID], Awaitable[object]]
OPERATIONS: dict[str, Operation] = {
    "list": lambda rt, me, task: list_tasks(rt, me.caller),
    "list everyone's": lambda rt, me, task: list_tasks(rt, me.caller, user_id="*"),
    "read": lambda rt, me, task: read_task(rt, me.caller, task),
    "read someone else's": lambda rt, me, task: read_task(rt, me.caller, uuid.uuid4()),
    "stats": lambda rt, me, task: read_stats(rt, me.caller),
    "create": lambda rt, me, task: make_task(rt, me.caller),
    "create for someone": lambda rt, me, task: make_task(rt, me.caller, user_id=uuid.uuid4()),
    "bulk create": lambda rt, me, task: rt.task_writes.create_many(
        me.caller, [TaskCreate(title="t")]
    ),
    "patch": lambda rt, me, task: rt.task_writes.update(me.caller, task, TaskUpdate(title="x")),
    "patch with If-Match": lambda rt, me, task: rt.task_writes.update(
        me.caller, task, TaskUpdate(title="x"), if_match={1}
    ),
    "empty patch": lambda rt, me, task: rt.task_writes.update(me.caller, task, TaskUpdate()),
    "move": lambda rt, me, task: rt.task_writes.update(
        me.caller, task, TaskUpdate(user_id=me.user_id)
    ),
    "delete": lambda rt, me, task: rt.task_writes.delete(me.caller, task),
    "batch complete": lambda rt, me, task: rt.task_writes.batch(
        me.caller, batch_request("complete", [task])
    ),
    "batch delete": lambda rt, me, task: rt.task_writes.batch(
        me.caller, batch_request("delete", [task])
    ),
    "batch update": lambda rt, me, task: rt.task_writes.batch(
        me.caller, batch_request("update", [task], title="x")
    ),
    "empty batch update": lambda rt, me, task: rt.task_writes.batch(
        me.caller, batch_request("update", [task])
    ),
    "own account": lambda rt, me, task: rt.users.get(me.caller, me.user_id),
    "rename": lambda rt, me, task: rt.users.update(me.caller, me.user_id, UserUpdate(name="x")),
    "list users": lambda rt, me, task: rt.users.page(me.caller, UserQuery()),
    "create a user": lambda rt, me, task: rt.users.create(
        me.caller, UserCreate(email=random_email(), name="x", password=TEST_PASSWORD)
    ),
    "delete own account": lambda rt, me, task: rt.users.delete(me.caller, me.user_id),
    "inbox": lambda rt, me, task: rt.notifications.page(me.caller, NotificationQuery()),
    "mark one read": lambda rt, me, task: rt.notifications.mark_read(me.caller, uuid.uuid4()),
    "mark all read": lambda rt, me, task: rt.notifications.mark_many_read(
        me.caller, NotificationsRead(all=True)
    ),
}


async def log_out(runtime: Runtime, admin: SignedIn, me: SignedIn) -> None:
    await runtime.auth.logout(me.tokens.refresh_token)


async def deactivate(runtime: Runtime, admin: SignedIn, me: SignedIn) -> None:
    await runtime.users.update(admin.caller, me.user_id, UserUpdate(is_active=False))


async def promote_then_deactivate(runtime: Runtime, admin: SignedIn, me: SignedIn) -> None:
    """The token of an admin (who reaches every task), once their account is deactivated."""
    await runtime.users.update(admin.caller, me.user_id, UserUpdate(role=Role.ADMIN))
    await runtime.users.update(admin.caller, me.user_id, UserUpdate(is_active=False))


@pytest.mark.parametrize("end", [log_out, deactivate, promote_then_deactivate])
async def test_every_operation_refuses_a_caller_no_longer_confirmed_and_changes_nothing(
    runtime: Runtime, end: Callable[[Runtime, SignedIn, SignedIn], Awaitable[None]]
) -> None:
    admin, me = await make_admin(runtime), await register(runtime)
    task = await make_task(runtime, me.caller)
    await end(runtime, admin, me)
    allowed = []
    for name, operation in OPERATIONS.items():
        try:
            await operation(runtime, me, task.id)
        except AuthenticationFailed:
            continue
        allowed.append(name)
    assert allowed == []
    assert (await list_tasks(runtime, admin.caller, user_id="*")).data == [task]
    assert (await runtime.users.get(admin.caller, me.user_id)).name == "Test User"
