"""Small SQL expression helpers shared by the query services."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, any_, literal, or_, true
from sqlalchemy.dialects import postgresql

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy import ColumnElement
    from sqlalchemy.orm import InstrumentedAttribute, Session


def all_of(conditions: Sequence[ColumnElement[bool]]) -> ColumnElement[bool]:
    """AND of the conditions; TRUE when there are none."""
    return and_(true(), *conditions) if conditions else true()


def contains_text(text: str, *columns: InstrumentedAttribute[Any]) -> ColumnElement[bool]:
    """Case-insensitive substring match on any of the columns, with LIKE wildcards escaped."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    return or_(*(column.ilike(pattern, escape="\\") for column in columns))


def one_of(
    session: Session, column: InstrumentedAttribute[Any], values: Sequence[Any]
) -> ColumnElement[bool]:
    """`column IN values`; on PostgreSQL `column = ANY(:values)`, one array parameter.

    SQLAlchemy sends IN as one parameter per value: for a batch of 1,000 ids, rendering those
    and psycopg parsing the long statement (too long for its cache) was half the batch's CPU.
    SQLite has no arrays, and keeps the IN list.
    """
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(literal(list(values), postgresql.ARRAY(column.type)))
    return column.in_(values)
