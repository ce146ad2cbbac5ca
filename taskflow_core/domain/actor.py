"""Who is making a request: as the access token says (`Caller`), and as the database confirms
(`Actor`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from taskflow_core.domain.enums import Role

if TYPE_CHECKING:
    import uuid


@dataclass(frozen=True, slots=True)
class Caller:
    """The bearer of a verified access token: a user, in one login session.

    Nothing about the user is trusted yet: an operation confirms in the database that the
    user is active and the session not revoked (`Actor`), in the same statement as its own
    work where it can.
    """

    user_id: uuid.UUID
    session_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class Actor:
    """A caller the database has confirmed: active, in a live session, with this role."""

    user_id: uuid.UUID
    session_id: uuid.UUID
    role: Role
    # The user's cache version when the request started; reads cache under it.
    cache_version: int = 0

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN
