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
class KeysetOrder:
    """A sort column plus the id tie-breaker, so every row has one place in the order."""

    column: InstrumentedAttribute[Any]
    id_column: InstrumentedAttribute[Any]
    order: Order
    # Turns a cursor's JSON value back into the column's Python type.
    parse: Callable[[Any], Any]
    nullable: bool = False

    @property
    def scope(self) -> str:
        """What a cursor is bound to: the table, sort column and direction."""
        return f"{self.column.class_.__tablename__}:{self.column.key}:{self.order}"

    def position(self, row: Any) -> list[Any]:
        value = getattr(row, self.column.key)
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, Enum):
            value = value.value
        return [value, str(getattr(row, self.id_column.key))]

    def read_position(self, position: list[Any]) -> tuple[Any, uuid.UUID]:
        """The typed (value, id) stored in a decoded cursor; BadRequest when it does not fit."""
        try:
            raw_value, raw_id = position
            if raw_value is None and not self.nullable:
                raise ValueError("null position for a non-null column")
            value = None if raw_value is None else self.parse(raw_value)
            return value, uuid.UUID(raw_id)
        except (ValueError, TypeError) as error:
            raise BadRequest(BAD_CURSOR) from error

    def order_by(self) -> list[ColumnElement[Any]]:
        # NULLs sort after every value ascending and before every value descending (the
        # PostgreSQL default, spelled out so SQLite agrees), making desc the exact mirror.
        if self.order == "asc":
            first = self.column.asc().nulls_last() if self.nullable else self.column.asc()
            return [first, self.id_column.asc()]
        first = self.column.desc().nulls_first() if self.nullable else self.column.desc()
        return [first, self.id_column.desc()]

    def after(self, value: Any, row_id: Any) -> ColumnElement[bool]:
        """Rows strictly after (value, row_id) in this order."""
        pair = tuple_(self.column, self.id_column)
        if self.order == "asc":
            if value is None:
                return and_(self.column.is_(None), self.id_column > row_id)
            later = pair > tuple_(_bound(self.column, value), _bound(self.id_column, row_id))
            return or_(later, self.column.is_(None)) if self.nullable else later
        if value is None:
            return or_(
                and_(self.column.is_(None), self.id_column < row_id), self.column.isnot(None)
            )
        return pair < tuple_(_bound(self.column, value), _bound(self.id_column, row_id))


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


def _bound(column: InstrumentedAttribute[Any], value: Any) -> ColumnElement[Any]:
    return literal(value, type_=column.type)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
