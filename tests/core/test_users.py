"""`runtime.users`: accounts created, listed, read, changed and deleted; last-admin protection."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from taskflow_core.domain.enums import Role
from taskflow_core.domain.errors import (
    AuthenticationFailed,
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from taskflow_core.domain.models import Notification, RefreshToken, Session, Task, User
from taskflow_core.operations.jobs import scan_overdue
from taskflow_core.runtime import Runtime
from taskflow_core.schemas import UserCreate, UserOut, UserQuery, UserUpdate
from tests.conftest import TEST_PASSWORD, random_email
from tests.core.conftest import (
    SignedIn,
    fetch,
    is_live,
    login,
    make_admin,
    make_task,
    read_task,
    register,
)

pytestmark = pytest.mark.anyio


async def admins(runtime: Runtime, viewer: SignedIn) -> set[uuid.UUID]:
    page = await runtime.users.page(viewer.caller, UserQuery(role=Role.ADMIN, limit=100))
    return {user.id for user in page.data if user.is_active}


async def test_admins_create_accounts_of_either_role_and_users_none(runtime: Runtime) -> None:
    admin, user = await make_admin(runtime), await register(runtime)
    email = random_email()
    data = UserCreate(email=email, name="Second", password=TEST_PASSWORD, role=Role.ADMIN)
    created = await runtime.users.create(admin.caller, data)
    assert (created.email, created.role) == (email, Role.ADMIN)
    second = await login(runtime, email)
    assert await admins(runtime, second) == {admin.user_id, created.id}
    with pytest.raises(PermissionDenied):
        await runtime.users.create(user.caller, data.model_copy(update={"email": random_email()}))
    with pytest.raises(Conflict):
        await runtime.users.create(admin.caller, data)


async def test_the_user_list_is_newest_first_filtered_and_paged_by_cursor(
    runtime: Runtime,
) -> None:
    admin = await make_admin(runtime)
    people = [
        await register(runtime, name=name)
        for name in ("Zoë Ünïcorn", "Ann", "ZOË Second", "Bob 100%", "zoë third")
    ]
    newest_first = [person.user_id for person in reversed(people)] + [admin.user_id]

    seen: list[uuid.UUID] = []
    query = UserQuery(limit=4)
    while True:
        page = await runtime.users.page(admin.caller, query)
        seen += [user.id for user in page.data]
        if page.meta.next_cursor is None:
            break
        query = UserQuery(limit=4, cursor=page.meta.next_cursor)
    assert seen == newest_first

    found = await runtime.users.page(admin.caller, UserQuery(search="ZOË"))
    assert [user.name for user in found.data] == ["zoë third", "ZOË Second", "Zoë Ünïcorn"]
    assert found.meta.total == 3
    assert [
        u.name for u in (await runtime.users.page(admin.caller, UserQuery(search="%"))).data
    ] == ["Bob 100%"]
    only_admins = await runtime.users.page(admin.caller, UserQuery(role=Role.ADMIN))
    assert [user.id for user in only_admins.data] == [admin.user_id]
    with pytest.raises(PermissionDenied):
        await runtime.users.page(people[0].caller, UserQuery())


async def test_users_read_themselves_and_admins_anyone(runtime: Runtime) -> None:
    admin, me, other = await make_admin(runtime), await register(runtime), await register(runtime)
    assert (await runtime.users.get(me.caller, me.user_id)).email == me.email
    assert (await runtime.users.get(admin.caller, me.user_id)).email == me.email
    for missing in (other.user_id, uuid.uuid4()):
        with pytest.raises(NotFound):
            await runtime.users.get(me.caller, missing)
    with pytest.raises(NotFound):
        await runtime.users.get(admin.caller, uuid.uuid4())


async def test_an_admin_changing_their_own_email_needs_their_current_password_too(
    runtime: Runtime,
) -> None:
    admin = await make_admin(runtime)
    with pytest.raises(InvalidInput) as refused:
        await runtime.users.update(admin.caller, admin.user_id, UserUpdate(email=random_email()))
    assert [error.field for error in refused.value.errors] == ["currentPassword"]
    email = random_email()
    changed = await runtime.users.update(
        admin.caller, admin.user_id, UserUpdate(email=email, current_password=TEST_PASSWORD)
    )
    assert changed.email == email
    assert await is_live(runtime, admin)


async def test_an_admin_changing_someone_elses_email_needs_no_password_and_ends_all_their_sessions(
    runtime: Runtime,
) -> None:
    admin, laptop = await make_admin(runtime), await register(runtime)
    phone = await login(runtime, laptop.email)
    email = random_email()
    changed = await runtime.users.update(admin.caller, laptop.user_id, UserUpdate(email=email))
    assert changed.email == email
    assert (await is_live(runtime, laptop), await is_live(runtime, phone)) == (False, False)
    assert await is_live(runtime, admin)
    assert await is_live(runtime, await login(runtime, email))


async def test_an_own_email_change_ends_the_other_sessions_and_keeps_this_one(
    runtime: Runtime,
) -> None:
    here = await register(runtime)
    elsewhere = await login(runtime, here.email)
    await runtime.users.update(
        here.caller, here.user_id, UserUpdate(email=random_email(), current_password=TEST_PASSWORD)
    )
    assert (await is_live(runtime, here), await is_live(runtime, elsewhere)) == (True, False)
    rotated = await runtime.auth.refresh(here.tokens.refresh_token)
    assert rotated.user.id == here.user_id
    with pytest.raises(AuthenticationFailed):
        await runtime.auth.refresh(elsewhere.tokens.refresh_token)


async def test_an_admin_who_deactivates_themselves_is_logged_out_everywhere(
    runtime: Runtime,
) -> None:
    first, leaving = await make_admin(runtime), await make_admin(runtime)
    elsewhere = await login(runtime, leaving.email)
    updated = await runtime.users.update(
        leaving.caller, leaving.user_id, UserUpdate(is_active=False)
    )
    assert updated.is_active is False
    assert (await is_live(runtime, leaving), await is_live(runtime, elsewhere)) == (False, False)
    assert await admins(runtime, first) == {first.user_id}


async def test_the_last_active_admin_stays_one_and_keeps_their_tasks(runtime: Runtime) -> None:
    last, inactive = await make_admin(runtime), await make_admin(runtime)
    task = await make_task(runtime, last.caller)
    await runtime.users.update(last.caller, inactive.user_id, UserUpdate(is_active=False))
    # An inactive admin is no admin: `last` is the only one.
    for change in (UserUpdate(role=Role.USER), UserUpdate(is_active=False)):
        with pytest.raises(Conflict):
            await runtime.users.update(last.caller, last.user_id, change)
    with pytest.raises(Conflict):
        await runtime.users.delete(last.caller, last.user_id)
    assert await admins(runtime, last) == {last.user_id}
    assert await read_task(runtime, last.caller, task.id) == task


async def test_an_admin_demoted_by_another_can_no_longer_act_on_them(runtime: Runtime) -> None:
    first, second = await make_admin(runtime), await make_admin(runtime)
    await runtime.users.update(first.caller, second.user_id, UserUpdate(role=Role.USER))
    with pytest.raises(NotFound):
        await runtime.users.update(second.caller, first.user_id, UserUpdate(role=Role.USER))
    assert await admins(runtime, first) == {first.user_id}


async def until(condition: Callable[[], bool], *, timeout: float = 10.0) -> None:
    """Wait for `condition` to hold, checking it every few milliseconds."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.005)


@pytest.mark.parametrize("bystanders", [0, 1])
async def test_two_admins_demoting_each_other_at_once_demote_exactly_one(
    runtime: Runtime, bystanders: int
) -> None:
    """Both requests confirm their caller as an admin before either writes (a transaction
    holding the users' write locks keeps them waiting); whoever writes second finds that
    they are no longer an admin, or that the other is the last one. Either way, exactly one
    of the two is demoted."""
    first, second = await make_admin(runtime), await make_admin(runtime)
    others = {(await make_admin(runtime)).user_id for _ in range(bystanders)}
    locked, release = asyncio.Event(), asyncio.Event()

    async def hold_the_users_write_locks() -> None:
        async with runtime.database.transaction() as connection:
            await connection.rows(select(User.id).with_for_update())
            locked.set()
            await release.wait()

    seen: list[str] = []
    runtime.database.statement_listeners.append(seen.append)
    holder = asyncio.create_task(hold_the_users_write_locks())
    await locked.wait()
    demotions = asyncio.gather(
        runtime.users.update(first.caller, second.user_id, UserUpdate(role=Role.USER)),
        runtime.users.update(second.caller, first.user_id, UserUpdate(role=Role.USER)),
        return_exceptions=True,
    )
    # Each reads its target's row right after confirming its caller.
    await until(lambda: sum("users.password_hash" in sql for sql in seen) >= 2)
    release.set()
    outcomes = await demotions
    await holder
    runtime.database.statement_listeners.remove(seen.append)

    demoted = [outcome for outcome in outcomes if isinstance(outcome, UserOut)]
    refused = [outcome for outcome in outcomes if not isinstance(outcome, UserOut)]
    assert len(demoted) == 1, outcomes
    assert isinstance(refused[0], NotFound | Conflict), outcomes
    survivor = first if demoted[0].id == second.user_id else second
    assert await admins(runtime, survivor) == {survivor.user_id} | others


async def test_deleting_an_account_removes_its_tasks_sessions_tokens_and_notifications(
    runtime: Runtime,
) -> None:
    admin, gone, kept = await make_admin(runtime), await register(runtime), await register(runtime)
    past = datetime.now(UTC) - timedelta(days=1)
    for person in (gone, kept):
        await make_task(runtime, person.caller, due_date=past)
    await scan_overdue(runtime)
    await runtime.users.delete(admin.caller, gone.user_id)
    for model in (Task, Session, RefreshToken, Notification):
        rows = await fetch(
            runtime, select(model.user_id, func.count().label("n")).group_by(model.user_id)
        )
        owners = {row["user_id"] for row in rows}
        assert gone.user_id not in owners, model.__name__
        assert kept.user_id in owners, model.__name__
    with pytest.raises(AuthenticationFailed):
        await runtime.auth.refresh(gone.tokens.refresh_token)


async def test_an_admin_demoted_while_their_promotion_of_a_user_waits_promotes_no_one(
    runtime: Runtime,
) -> None:
    """A role change is for a caller who is an admin when it is written. The caller is
    confirmed first; then the change waits for the users' locks (held here by a transaction
    that demotes them before it lets go). A demotion re-checks its caller once it holds the
    locks; a promotion must too."""
    boss, demoted, friend = (
        await make_admin(runtime),
        await make_admin(runtime),
        await register(runtime),
    )
    locked, release = asyncio.Event(), asyncio.Event()

    async def demote_while_holding_the_users_write_locks() -> None:
        async with runtime.database.transaction() as connection:
            await connection.rows(select(User.id).with_for_update())
            locked.set()
            await release.wait()
            await connection.execute(
                update(User).where(User.id == demoted.user_id).values(role=Role.USER)
            )

    seen: list[str] = []
    runtime.database.statement_listeners.append(seen.append)
    holder = asyncio.create_task(demote_while_holding_the_users_write_locks())
    await locked.wait()
    promotion = asyncio.ensure_future(
        runtime.users.update(demoted.caller, friend.user_id, UserUpdate(role=Role.ADMIN))
    )
    await until(lambda: any("users.password_hash" in sql for sql in seen))
    release.set()
    await holder
    runtime.database.statement_listeners.remove(seen.append)

    with pytest.raises((NotFound, PermissionDenied)):
        await promotion
    assert await admins(runtime, boss) == {boss.user_id}
