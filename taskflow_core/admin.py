"""What `taskflow db` does besides migrating: demo accounts and admins, from the command line.

Each call opens the configured database for itself, in an event loop of its own.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from taskflow_core.domain.enums import Role
from taskflow_core.operations.accounts.seed import seed_demo_users
from taskflow_core.runtime import open_runtime

if TYPE_CHECKING:
    from taskflow_core.schemas import UserCreate, UserOut
    from taskflow_core.settings import Settings


def seed_demo(settings: Settings) -> list[str]:
    """Create the demo accounts that do not exist yet; returns the emails created.

    Raises:
        ServiceUnavailable: the database does not answer.
    """

    async def seed() -> list[str]:
        async with open_runtime(settings) as runtime:
            return await seed_demo_users(runtime.users)

    return asyncio.run(seed())


def create_admin(settings: Settings, data: UserCreate) -> UserOut:
    """Create an admin account (no caller: whoever runs the command owns the server).

    Raises:
        Conflict: the email is taken.
        ServiceUnavailable: the database does not answer.
    """

    async def create() -> UserOut:
        async with open_runtime(settings) as runtime:
            return await runtime.users.insert(data, role=Role.ADMIN)

    return asyncio.run(create())
