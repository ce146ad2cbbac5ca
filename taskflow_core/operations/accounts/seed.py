"""Demo accounts and admin creation for `taskflow db seed` and `taskflow db create-admin`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from taskflow_core.domain.enums import Role
from taskflow_core.domain.errors import Conflict
from taskflow_core.schemas import UserCreate

if TYPE_CHECKING:
    from taskflow_core.operations.accounts.users import Users

# The accounts the README documents for development and demos (never for production). They
# are created here, not through the API, whose password rules they would not pass.
DEMO_USERS = (
    ("admin@example.com", "Admin", "admin123", Role.ADMIN),
    ("user@example.com", "Demo User", "user123", Role.USER),
)


async def seed_demo_users(users: Users) -> list[str]:
    """Create the demo accounts that do not exist yet; returns the emails created."""
    created = []
    for email, name, password, role in DEMO_USERS:
        data = UserCreate.model_construct(email=email, name=name, password=password, role=role)
        try:
            await users.insert(data, role=role)
        except Conflict:
            continue
        created.append(email)
    return created
