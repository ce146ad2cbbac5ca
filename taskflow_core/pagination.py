"""Offset and keyset pagination shared by every list: signed cursors and the keyset WHERE."""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import orjson
from sqlalchemy import and_, func, literal, or_, select, tuple_

from taskflow_core.errors import BadRequest
from taskflow_core.schemas import PageMeta
from taskflow_core.sql import all_of

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from sqlalchemy import ColumnElement
    from sqlalchemy.orm import InstrumentedAttribute, Session

    from taskflow_core.schemas import PageQuery

Row = TypeVar("Row")

Order = Literal["asc", "desc"]
BAD_CURSOR = "Invalid cursor: pass meta.nextCursor back unchanged, with the same sort"


class Cursors:
    """Encodes keyset positions as opaque tokens that cannot be altered unnoticed."""

    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(b"taskflow-cursor:" + secret.encode()).digest()

    def encode(self, *, scope: str, position: list[Any]) -> str:
        payload = orjson.dumps({"s": scope, "p": position})
        return f"{_b64(payload)}.{_b64(self._sign(payload))}"

    def decode(self, token: str, *, scope: str) -> list[Any]:
        """The position stored in `token`; BadRequest if forged, altered or for another sort."""
        try:
            body, signature = token.split(".", 1)
            payload = _unb64(body)
            if not hmac.compare_digest(_unb64(signature), self._sign(payload)):
                raise BadRequest(BAD_CURSOR)
            data = orjson.loads(payload)
        except (ValueError, orjson.JSONDecodeError) as error:
            raise BadRequest(BAD_CURSOR) from error
        if data.get("s") != scope or not isinstance(data.get("p"), list):
            raise BadRequest(BAD_CURSOR)
        return list(data["p"])

    def _sign(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()[:16]


@dataclass(frozen=True, slots=True)
class SortKey:
    """A column the order compares after the first one, before the id tie-breaker."""

    column: InstrumentedAttribute[Any]
    parse: Callable[[Any], Any]
    # Runs against the order's direction (`priority` high-first in an ascending order).
    reverse: bool = False


@dataclass(frozen=True, slots=True)
class KeysetOrder:
    """A sort column (then any `then` keys) plus the id tie-breaker, so every row has one
    place in the order."""

    column: InstrumentedAttribute[Any]
    id_column: InstrumentedAttribute[Any]
    order: Order
    # Turns a cursor's JSON value back into the column's Python type.
    parse: Callable[[Any], Any]
    nullable: bool = False
    then: tuple[SortKey, ...] = ()

    @property
    def scope(self) -> str:
        """What a cursor is bound to: the table, sort columns and direction."""
        keys = "".join(f",{'-' if key.reverse else ''}{key.column.key}" for key in self.then)
        return f"{self.column.class_.__tablename__}:{self.column.key}{keys}:{self.order}"

    def position(self, row: Any) -> list[Any]:
        columns = (self.column, *(key.column for key in self.then))
        values = [_plain(getattr(row, column.key)) for column in columns]
        return [*values, str(getattr(row, self.id_column.key))]

    def read_position(self, position: list[Any]) -> tuple[Any, ...]:
        """The typed values stored in a decoded cursor; BadRequest when they do not fit."""
        parsers = (self.parse, *(key.parse for key in self.then))
        try:
            *raw_values, raw_id = position
            if len(raw_values) != len(parsers):
                raise ValueError("a position of another shape")
            if raw_values[0] is None and not self.nullable:
                raise ValueError("null position for a non-null column")
            first = None if raw_values[0] is None else self.parse(raw_values[0])
            rest = [parse(value) for parse, value in zip(parsers[1:], raw_values[1:], strict=True)]
            return (first, *rest, uuid.UUID(raw_id))
        except (ValueError, TypeError) as error:
            raise BadRequest(BAD_CURSOR) from error

    def order_by(self) -> list[ColumnElement[Any]]:
        # NULLs sort after every value ascending and before every value descending (the
        # PostgreSQL default, spelled out so SQLite agrees), making desc the exact mirror.
        ascending = self.order == "asc"
        first = self.column.asc() if ascending else self.column.desc()
        if self.nullable:
            first = first.nulls_last() if ascending else first.nulls_first()
        rest = [
            key.column.asc() if ascending != key.reverse else key.column.desc() for key in self.then
        ]
        return [first, *rest, self.id_column.asc() if ascending else self.id_column.desc()]

    def after(self, *position: Any) -> ColumnElement[bool]:
        """Rows strictly after `position` (as `read_position` gives it) in this order."""
        value, *rest_values = position
        ascending = self.order == "asc"
        rest = [(key.column, ascending != key.reverse) for key in self.then]
        rest.append((self.id_column, ascending))
        if value is None:
            # NULLs come last ascending (nothing after them but NULLs with a later key) and
            # first descending (every non-NULL comes after them).
            tied = and_(self.column.is_(None), _after(rest, rest_values))
            return tied if ascending else or_(tied, self.column.isnot(None))
        later = _after([(self.column, ascending), *rest], [value, *rest_values])
        return or_(later, self.column.is_(None)) if self.nullable and ascending else later


def _after(
    keys: list[tuple[InstrumentedAttribute[Any], bool]], values: Sequence[Any]
) -> ColumnElement[bool]:
    """Rows after `values` in the lexicographic order of non-null `keys` (column, ascending).

    Keys running the same way compare as one row value, `(a, b) > (x, y)`, which an index
    on those columns serves; a change of direction splits the comparison in two.
    """
    ascending = keys[0][1]
    run = 1
    while run < len(keys) and keys[run][1] == ascending:
        run += 1
    head = list(zip(keys[:run], values[:run], strict=True))
    if run == 1:
        (column, _), value = head[0]
        later = column > _bound(column, value) if ascending else column < _bound(column, value)
    else:
        columns = tuple_(*(column for (column, _), _ in head))
        bound = tuple_(*(_bound(column, value) for (column, _), value in head))
        later = columns > bound if ascending else columns < bound
    if run == len(keys):
        return later
    tied = and_(*(column == _bound(column, value) for (column, _), value in head))
    return or_(later, and_(tied, _after(keys[run:], values[run:])))


def fetch_page(
    session: Session,
    *,
    model: type[Row],
    conditions: Sequence[ColumnElement[bool]],
    keyset: KeysetOrder,
    query: PageQuery,
    cursors: Cursors,
) -> tuple[list[Row], PageMeta]:
    """One page of `model` rows: keyset when `query.cursor` is set, else offset plus a count.

    Costs one SELECT in cursor mode and a SELECT plus a COUNT in offset mode, whatever the
    page size or depth; a cursor page never uses OFFSET.
    """
    where = all_of(conditions)
    statement = select(model).order_by(*keyset.order_by()).limit(query.limit + 1)
    total: int | None = None
    page: int | None = None
    if query.cursor:
        position = keyset.read_position(cursors.decode(query.cursor, scope=keyset.scope))
        statement = statement.where(where, keyset.after(*position))
    else:
        page = query.page
        statement = statement.where(where).offset((page - 1) * query.limit)
        total = session.scalar(select(func.count()).select_from(model).where(where))
    rows = list(session.scalars(statement))
    next_cursor = None
    if len(rows) > query.limit:
        rows = rows[: query.limit]
        next_cursor = cursors.encode(scope=keyset.scope, position=keyset.position(rows[-1]))
    total_pages = None if total is None else max(1, math.ceil(total / query.limit))
    meta = PageMeta(
        total=total,
        page=page,
        limit=query.limit,
        total_pages=total_pages,
        next_cursor=next_cursor,
    )
    return rows, meta


def _plain(value: Any) -> Any:
    """A column value as a cursor holds it (JSON)."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def _bound(column: InstrumentedAttribute[Any], value: Any) -> ColumnElement[Any]:
    return literal(value, type_=column.type)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
