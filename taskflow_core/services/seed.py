"""Demo accounts and admin creation for `taskflow db seed` and `taskflow db create-admin`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from taskflow_core.enums import Role
from taskflow_core.errors import Conflict
from taskflow_core.models import User
from taskflow_core.schemas import UserCreate, UserOut
from taskflow_core.services.auth import EMAIL_TAKEN

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from taskflow_core.security import Passwords

# The accounts API.md documents for development and demos (not for production).
DEMO_USERS = (
    ("admin@example.com", "Admin", "admin123", Role.ADMIN),
    ("user@example.com", "Demo User", "user123", Role.USER),
)


def seed_demo_users(session: Session, *, passwords: Passwords) -> list[str]:
    """Create the demo accounts that do not exist yet; returns the emails created."""
    existing = set(
        session.scalars(
            select(User.email).where(User.email.in_([email for email, *_ in DEMO_USERS]))
        )
    )
    created = []
    for email, name, password, role in DEMO_USERS:
        if email not in existing:
            session.add(
                User(email=email, name=name, password_hash=passwords.hash(password), role=role)
            )
            created.append(email)
    session.commit()
    return created


def create_admin(session: Session, *, passwords: Passwords, data: UserCreate) -> UserOut:
    """Create an admin account from the command line (no acting user needed)."""
    user = User(
        email=data.email,
        name=data.name,
        password_hash=passwords.hash(data.password),
        role=Role.ADMIN,
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError as error:
        raise Conflict(EMAIL_TAKEN) from error
    result = UserOut.model_validate(user)
    session.commit()
    return result
