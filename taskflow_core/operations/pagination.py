"""Pagination shared by every list: opaque cursors, keyset orders, and page metadata.

A cursor is the position of the last row of a page (its sort values and id), encrypted and
authenticated with AES-GCM under a key derived from the server's secret, bound to the list and
sort it came from: a client can neither read it (a title sort's cursor holds a title) nor
alter it unnoticed (400).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
import os
import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Any, Literal

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Integer, and_, bindparam, func, or_, select, true, tuple_

from taskflow_core.domain.errors import BadRequest, FieldError
from taskflow_core.schemas import PageMeta

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from sqlalchemy import ColumnElement, FromClause, Select, Subquery

Order = Literal["asc", "desc"]
BAD_CURSOR = "Invalid cursor: pass meta.nextCursor back unchanged, with the same sort"


def _bad_cursor() -> BadRequest:
    return BadRequest(BAD_CURSOR, errors=[FieldError("cursor", "is not a cursor of this list")])


_NONCE_BYTES = 12


class Cursors:
    """Seals keyset positions into opaque tokens, and opens them again."""

    def __init__(self, secret: str) -> None:
        self._aead = AESGCM(hashlib.sha256(b"taskflow-cursor:" + secret.encode()).digest())

    def encode(self, *, scope: str, position: list[Any]) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, orjson.dumps(position), scope.encode())
        return base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode()

    def decode(self, token: str, *, scope: str) -> list[Any]:
        """The position sealed in `token`; BadRequest if forged, altered or for another sort."""
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            opened = self._aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], scope.encode())
            position = orjson.loads(opened)
        except (ValueError, binascii.Error, InvalidTag, orjson.JSONDecodeError) as error:
            raise _bad_cursor() from error
        if not isinstance(position, list):
            raise _bad_cursor()
        return position


@dataclass(frozen=True, slots=True)
class SortKey:
    """One column of an order: its direction, whether it may be NULL (NULLs sort last when
    ascending, first when descending), and how a cursor's JSON value turns back into it."""

    column: ColumnElement[Any]
    descending: bool
    parse: Callable[[Any], Any]
    nullable: bool = False

    def reversed(self) -> SortKey:
        return SortKey(self.column, not self.descending, self.parse, self.nullable)


@dataclass(frozen=True, slots=True)
class Keyset:
    """An order in which every row has one place: its sort keys, then the id."""

    name: str
    keys: tuple[SortKey, ...]

    def order_by(
        self, columns: Callable[[ColumnElement[Any]], ColumnElement[Any]] = lambda c: c
    ) -> list[Any]:
        """ORDER BY clauses; `columns` maps each key's column (to a subquery's, say)."""
        clauses = []
        for key in self.keys:
            column = columns(key.column)
            clause = column.desc() if key.descending else column.asc()
            if key.nullable:
                # Spelled out so SQLite agrees with PostgreSQL's default.
                clause = clause.nulls_first() if key.descending else clause.nulls_last()
            clauses.append(clause)
        return clauses

    def position(self, row: dict[str, Any]) -> list[Any]:
        """The cursor position of a row (as JSON-ready values)."""
        return [_jsonable(row[key.column.name]) for key in self.keys]

    def read_position(self, position: list[Any]) -> list[Any]:
        """The typed values of a decoded cursor; BadRequest when they do not fit this order."""
        if len(position) != len(self.keys):
            raise _bad_cursor()
        values = []
        try:
            for key, raw in zip(self.keys, position, strict=True):
                if raw is None and not key.nullable:
                    raise ValueError("null position for a non-null column")
                values.append(None if raw is None else key.parse(raw))
        except (ValueError, TypeError) as error:
            raise _bad_cursor() from error
        return values

    def after(self, nulls: tuple[bool, ...]) -> ColumnElement[bool]:
        """Rows strictly after the position bound as `after_0`, `after_1`, ... in this order,
        for a position whose NULL values are `nulls` (they change the condition's shape)."""
        values = [bindparam(f"after_{i}", type_=k.column.type) for i, k in enumerate(self.keys)]
        if not any(k.nullable for k in self.keys) and len({k.descending for k in self.keys}) == 1:
            # One direction, no NULLs: a row comparison, which an index answers directly.
            pair = tuple_(*(k.column for k in self.keys))
            bound = tuple_(*values)
            return pair < bound if self.keys[0].descending else pair > bound
        alternatives = []
        for i, key in enumerate(self.keys):
            pairs = zip(self.keys[:i], values[:i], nulls[:i], strict=True)
            equal = [_same(k.column, v, null) for k, v, null in pairs]
            beyond = _beyond(key, values[i], nulls[i])
            if beyond is not None:
                alternatives.append(and_(*equal, beyond))
        return or_(*alternatives)


def _same(column: ColumnElement[Any], value: Any, null: bool) -> ColumnElement[bool]:
    return column.is_(None) if null else column == value


def _beyond(key: SortKey, value: Any, null: bool) -> ColumnElement[bool] | None:
    """Rows whose `key` comes strictly after `value` (NULLs last ascending, first descending)."""
    column = key.column
    if null:
        # Ascending, NULLs are last: nothing comes after. Descending, they come first.
        return column.isnot(None) if key.descending else None
    later = column < value if key.descending else column > value
    return or_(later, column.is_(None)) if key.nullable and not key.descending else later


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def page_meta(
    *,
    total: int | None,
    page: int | None,
    limit: int,
    next_cursor: str | None,
    total_is_estimate: bool = False,
) -> PageMeta:
    """The `meta` of a page: offset pages count their total, cursor pages do not."""
    return PageMeta(
        total=total,
        page=page,
        limit=limit,
        total_pages=None if total is None else max(1, math.ceil(total / limit)),
        next_cursor=next_cursor,
        total_is_estimate=total_is_estimate,
    )


def parse_id(value: Any) -> uuid.UUID:
    return uuid.UUID(value)


def by_position(keys: Sequence[SortKey], id_column: ColumnElement[Any], name: str) -> Keyset:
    """A keyset of `keys` with the id as the last tie-breaker, in the first key's direction."""
    descending = keys[0].descending if keys else False
    return Keyset(name, (*keys, SortKey(id_column, descending, parse_id)))


LIMIT = bindparam("limit", type_=Integer())
OFFSET = bindparam("offset", type_=Integer())


def page_statement(
    table: FromClause,
    where: ColumnElement[bool],
    order: Keyset,
    *,
    after_nulls: tuple[bool, ...] | None,
    extra: Sequence[ColumnElement[Any]] = (),
    total: Select[Any] | None = None,
) -> Select[Any]:
    """One page of `table`'s rows matching `where`, in `order`: `limit` rows from `offset`,
    or (`after_nulls` given) after a cursor's position bound as `after_0`, `after_1`, ...

    An offset page comes with its total in the same statement (see `with_total`): `total`
    (a select of one column, `total`), else the count of every matching row. The labelled
    `extra` columns are computed for the page's rows only.
    """
    columns = (*table.c, *extra)
    if after_nulls is not None:
        return (
            select(*columns)
            .where(where, order.after(after_nulls))
            .order_by(*order.order_by())
            .limit(LIMIT)
        )
    if total is None:
        total = select(func.count().label("total")).select_from(table).where(where)
    return with_total(offset_page(table, where, order, extra=extra).subquery("page"), total, order)


def offset_page(
    table: FromClause,
    where: ColumnElement[bool],
    order: Keyset,
    *,
    extra: Sequence[ColumnElement[Any]] = (),
    limit: ColumnElement[Any] = LIMIT,
) -> Select[Any]:
    """`limit` rows (the parameter `limit` unless told otherwise) matching `where` from
    `offset`, in `order`."""
    return (
        select(*table.c, *extra)
        .where(where)
        .order_by(*order.order_by())
        .limit(limit)
        .offset(OFFSET)
    )


def with_total(page: Subquery, total: Select[Any], order: Keyset) -> Select[Any]:
    """The rows of `page` with `total` joined to them, so an empty page still returns one row
    (`total`, with NULL row columns)."""
    counted = total.subquery("counted")
    return (
        select(counted.c.total, *page.c)
        .select_from(counted.outerjoin(page, true()))
        .order_by(*order.order_by(lambda column: page.c[column.name]))
    )


def split_page(
    rows: list[dict[str, Any]], *, limit: int, offset_mode: bool
) -> tuple[list[dict[str, Any]], int | None, bool]:
    """The rows of a `page_statement`'s answer, its total (offset mode) and whether more
    rows follow (the statement asks for `limit + 1`)."""
    total = None
    if offset_mode:
        total = rows[0]["total"] if rows else 0
        rows = [row for row in rows if row["id"] is not None]
    return rows[:limit], total, len(rows) > limit
