"""`runtime.auth`: sessions, refresh rotation and reuse, logout, and the failed-login budgets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from taskflow_core.domain.clock import utcnow
from taskflow_core.domain.errors import AuthenticationFailed, Conflict, RateLimited
from taskflow_core.domain.models import RefreshToken
from taskflow_core.operations.accounts.auth import BAD_CREDENTIALS
from taskflow_core.runtime import Runtime
from taskflow_core.schemas import UserUpdate
from tests.conftest import random_email
from tests.core.conftest import (
    SignedIn,
    change,
    is_live,
    list_tasks,
    login,
    make_admin,
    register,
    signed_in,
)

pytestmark = pytest.mark.anyio


async def refreshed(runtime: Runtime, person: SignedIn) -> SignedIn:
    return signed_in(runtime, await runtime.auth.refresh(person.tokens.refresh_token))


async def test_registering_starts_a_session_of_a_plain_user(runtime: Runtime) -> None:
    email = random_email()
    me = await register(runtime, email=f"  {email.upper()} ")
    assert me.tokens.expires_in == runtime.settings.access_token_ttl
    profile = await runtime.users.get(me.caller, me.user_id)
    assert (profile.email, profile.role, profile.is_active) == (email, "user", True)
    assert me.tokens.user == profile


async def test_each_login_is_a_session_of_its_own(runtime: Runtime) -> None:
    laptop = await register(runtime)
    phone = await login(runtime, laptop.email)
    assert phone.user_id == laptop.user_id
    assert phone.caller.session_id != laptop.caller.session_id
    await runtime.auth.logout(laptop.tokens.refresh_token)
    assert (await is_live(runtime, laptop), await is_live(runtime, phone)) == (False, True)


async def test_a_refresh_rotates_the_token_within_the_same_session(runtime: Runtime) -> None:
    first = await register(runtime)
    second = await refreshed(runtime, first)
    assert second.caller == first.caller
    assert second.tokens.refresh_token != first.tokens.refresh_token
    with pytest.raises(AuthenticationFailed):
        await refreshed(runtime, first)
    third = await refreshed(runtime, second)
    assert await is_live(runtime, third)


@pytest.mark.parametrize("settings_overrides", [{"refresh_reuse_grace": 0}], indirect=True)
async def test_a_spent_refresh_token_presented_again_ends_its_session_and_no_other(
    runtime: Runtime,
) -> None:
    first = await register(runtime)
    elsewhere = await login(runtime, first.email)
    second = await refreshed(runtime, first)
    with pytest.raises(AuthenticationFailed):
        await refreshed(runtime, first)
    # The copy cost the holder of the newest tokens their session, access token included.
    assert not await is_live(runtime, second)
    with pytest.raises(AuthenticationFailed):
        await refreshed(runtime, second)
    assert await is_live(runtime, elsewhere)
    assert await is_live(runtime, await refreshed(runtime, elsewhere))


async def test_a_spent_token_ends_its_session_only_once_the_grace_has_passed(
    runtime: Runtime,
) -> None:
    """A client refreshing twice at once presents the same token twice within moments: that
    is refused but forgiven. Later, the token was copied."""
    first = await register(runtime)
    second = await refreshed(runtime, first)
    with pytest.raises(AuthenticationFailed):
        await refreshed(runtime, first)
    assert await is_live(runtime, second)

    grace = timedelta(seconds=runtime.settings.refresh_reuse_grace)
    used = utcnow() - grace - timedelta(seconds=1)
    await change(
        runtime, update(RefreshToken).where(RefreshToken.used_at.isnot(None)).values(used_at=used)
    )
    with pytest.raises(AuthenticationFailed):
        await refreshed(runtime, first)
    assert not await is_live(runtime, second)


async def test_an_expired_refresh_token_is_refused_but_ends_nothing(runtime: Runtime) -> None:
    me = await register(runtime)
    await change(runtime, update(RefreshToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    with pytest.raises(AuthenticationFailed):
        await refreshed(runtime, me)
    assert await is_live(runtime, me)


async def test_logging_out_ends_the_sessions_access_tokens_at_once(runtime: Runtime) -> None:
    me = await register(runtime)
    await runtime.auth.logout(me.tokens.refresh_token)
    # The token itself still verifies: it is the database that says the session is over.
    assert runtime.access_tokens.verify(me.tokens.access_token) == me.caller
    assert not await is_live(runtime, me)
    with pytest.raises(AuthenticationFailed):
        await list_tasks(runtime, me.caller)
    with pytest.raises(AuthenticationFailed):
        await refreshed(runtime, me)


async def test_logging_out_with_an_unknown_token_ends_no_session(runtime: Runtime) -> None:
    me = await register(runtime)
    await runtime.auth.logout("not a token anyone was given")
    assert await is_live(runtime, me)


async def test_an_unknown_email_a_wrong_password_and_a_deactivated_account_fail_alike(
    runtime: Runtime,
) -> None:
    admin, me = await make_admin(runtime), await register(runtime)
    await runtime.users.update(admin.caller, me.user_id, UserUpdate(is_active=False))
    attempts = [(random_email(), "correct horse battery"), (admin.email, "wrong password")]
    for email, password in [*attempts, (me.email, "correct horse battery")]:
        with pytest.raises(AuthenticationFailed) as refused:
            await login(runtime, email, password=password)
        assert refused.value.detail == BAD_CREDENTIALS


@pytest.mark.parametrize(
    "settings_overrides", [{"login_failures_per_address": "3/hour"}], indirect=True
)
async def test_failed_logins_are_limited_per_account_and_address(runtime: Runtime) -> None:
    me = await register(runtime)
    for _ in range(4):
        await login(runtime, me.email, client="198.51.100.1")  # successes cost nothing
    for _ in range(3):
        with pytest.raises(AuthenticationFailed):
            await login(runtime, me.email, password="wrong password", client="198.51.100.1")
    with pytest.raises(RateLimited) as limited:
        await login(runtime, me.email, client="198.51.100.1")
    assert limited.value.retry_after > 0
    # Elsewhere the owner still gets in, and the budget of another account is whole.
    await login(runtime, me.email, client="198.51.100.2")
    other = await register(runtime)
    for _ in range(3):
        with pytest.raises(AuthenticationFailed):
            await login(runtime, other.email, password="wrong password", client="198.51.100.1")


@pytest.mark.parametrize(
    "settings_overrides",
    [{"login_failures_per_address": "100/hour", "login_failures_per_account": "3/hour"}],
    indirect=True,
)
async def test_an_attack_from_many_addresses_cannot_keep_the_owner_out_of_a_known_one(
    runtime: Runtime,
) -> None:
    me = await register(runtime)
    await login(runtime, me.email, client="192.0.2.10")  # the owner's usual address
    for attacker in range(3):
        with pytest.raises(AuthenticationFailed):
            await login(runtime, me.email, password="guess", client=f"198.51.100.{attacker}")
    with pytest.raises(RateLimited):
        await login(runtime, me.email, client="198.51.100.99")
    assert await is_live(runtime, await login(runtime, me.email, client="192.0.2.10"))


@pytest.mark.parametrize(
    "settings_overrides",
    [{"login_failures_per_address": "2/hour", "login_failures_per_account": "2/hour"}],
    indirect=True,
)
async def test_registering_with_a_taken_email_spends_no_login_budget(runtime: Runtime) -> None:
    me = await register(runtime)
    for _ in range(5):
        with pytest.raises(Conflict):
            await register(runtime, email=me.email)
    # Both budgets are whole: the owner logs in from a new address, and two failures are
    # still failures, not refusals.
    assert await is_live(runtime, await login(runtime, me.email, client="198.51.100.7"))
    for _ in range(2):
        with pytest.raises(AuthenticationFailed):
            await login(runtime, me.email, password="guess", client="198.51.100.8")


@pytest.mark.parametrize(
    "settings_overrides",
    [{"login_failures_per_address": "2/hour", "login_failures_per_account": "4/hour"}],
    indirect=True,
)
async def test_a_login_one_budget_refuses_spends_nothing_of_the_other(runtime: Runtime) -> None:
    me = await register(runtime)
    for _ in range(2):
        with pytest.raises(AuthenticationFailed):
            await login(runtime, me.email, password="guess", client="198.51.100.1")
    for _ in range(3):
        with pytest.raises(RateLimited):
            await login(runtime, me.email, password="guess", client="198.51.100.1")
    # The account has spent two failures of four, not five.
    for _ in range(2):
        with pytest.raises(AuthenticationFailed):
            await login(runtime, me.email, password="guess", client="198.51.100.2")
    with pytest.raises(RateLimited):
        await login(runtime, me.email, client="198.51.100.3")
