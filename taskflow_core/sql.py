"""Small SQL expression helpers shared by the query services."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, or_, true

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy import ColumnElement
    from sqlalchemy.orm import InstrumentedAttribute


def all_of(conditions: Sequence[ColumnElement[bool]]) -> ColumnElement[bool]:
    """AND of the conditions; TRUE when there are none."""
    return and_(true(), *conditions) if conditions else true()


def contains_text(text: str, *columns: InstrumentedAttribute[Any]) -> ColumnElement[bool]:
    """Case-insensitive substring match on any of the columns, with LIKE wildcards escaped."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    return or_(*(column.ilike(pattern, escape="\\") for column in columns))
