"""Who is making a request, as the services see it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from taskflow_core.enums import Role

if TYPE_CHECKING:
    import uuid


@dataclass(frozen=True, slots=True)
class Actor:
    """The authenticated caller: checked against the database on every request."""

    user_id: uuid.UUID
    role: Role
    # The user's cache version when the request started; reads cache under it.
    cache_version: int = 0

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN
