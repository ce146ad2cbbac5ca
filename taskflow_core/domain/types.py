"""Column types that behave the same on PostgreSQL and SQLite."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any, Generic, TypeVar

from sqlalchemy import DateTime, Dialect, SmallInteger, TypeDecorator

from taskflow_core.domain.clock import as_utc

E = TypeVar("E", bound=Enum)


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps stored in UTC and always returned timezone-aware.

    SQLite has no timezone-aware type, so values are stored there as naive UTC text, which
    still sorts and compares correctly because SQLAlchemy writes one fixed format.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = as_utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)

    def result_processor(self, dialect: Dialect, coltype: object) -> Any:
        if dialect.name == "postgresql":
            # The driver's connections run with TimeZone=UTC: values arrive aware, in UTC.
            return None
        return super().result_processor(dialect, coltype)


class RankedEnum(TypeDecorator[E], Generic[E]):
    """An enum stored as its position in the enum's declaration order.

    Storing the rank rather than the name makes `ORDER BY status` and `ORDER BY priority`
    follow workflow order (PENDING < IN_PROGRESS < COMPLETED, LOW < MEDIUM < HIGH) straight
    from an index, which keyset pagination needs.
    """

    impl = SmallInteger
    cache_ok = True

    def __init__(self, enum_type: type[E]) -> None:
        super().__init__()
        self.enum_type = enum_type
        self._members: list[E] = list(enum_type)
        self._ranks = {member: rank for rank, member in enumerate(self._members)}

    def rank(self, member: E) -> int:
        return self._ranks[member]

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        if value is None:
            return None
        return self._ranks[self.enum_type(value)]

    def process_result_value(self, value: int | None, dialect: Dialect) -> E | None:
        return None if value is None else self._members[value]

    def result_processor(self, dialect: Dialect, coltype: object) -> Any:
        # Both drivers return the rank as an int: the member at that position, no wrapper.
        return self._members.__getitem__

    def process_literal_param(self, value: Any, dialect: Dialect) -> str:
        return str(self.process_bind_param(value, dialect))

    @property
    def python_type(self) -> type[E]:
        return self.enum_type
