"""SQL helpers the operations build their statements with, spelled for both databases.

Statements are built once per shape and run many times with different values, so each helper
here takes bound parameters, never literal values: a list is ONE parameter (a PostgreSQL
array; on SQLite, JSON that `json_each` reads), a search term one parameter whose pattern the
driver-side conversion builds.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import String, and_, bindparam, literal_column, true
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import Boolean, TypeDecorator, TypeEngine

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy import BindParameter, Dialect
    from sqlalchemy.sql.compiler import SQLCompiler

# Statement builders are cached per shape; shapes are few (filters present x sort x mode).
statement_cache = lru_cache(maxsize=512)


def all_of(conditions: Sequence[ColumnElement[bool]]) -> ColumnElement[bool]:
    """AND of the conditions; TRUE when there are none."""
    return and_(true(), *conditions) if conditions else true()


class ValueList(TypeDecorator[list[Any]]):
    """A list of values of `element_type`, bound as one parameter."""

    impl = String
    cache_ok = True

    def __init__(self, element_type: TypeEngine[Any]) -> None:
        super().__init__()
        self.element_type = element_type

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.ARRAY(self.element_type))
        return dialect.type_descriptor(String())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if dialect.name == "postgresql":
            return list(value)
        process = self.element_type.dialect_impl(dialect).bind_processor(dialect)
        return json.dumps([item if process is None else process(item) for item in value])


class _OneOf(ColumnElement[bool]):
    inherit_cache = True
    type = Boolean()
    # A condition already: SQLite must not render it as `(...) = 1`.
    _is_implicitly_boolean = True
    _traverse_internals = [  # noqa: RUF012 - SQLAlchemy's own declaration
        ("column", InternalTraversal.dp_clauseelement),
        ("values", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, column: ColumnElement[Any], values: BindParameter[Any]) -> None:
        self.column = column
        self.values = values


@compiles(_OneOf, "postgresql")
def _one_of_postgresql(element: _OneOf, compiler: SQLCompiler, **kw: Any) -> str:
    return (
        f"{compiler.process(element.column, **kw)} = ANY({compiler.process(element.values, **kw)})"
    )


@compiles(_OneOf)
def _one_of_sqlite(element: _OneOf, compiler: SQLCompiler, **kw: Any) -> str:
    values = compiler.process(element.values, **kw)
    column = compiler.process(element.column, **kw)
    # Compiled SQL fragments (a column and a bound parameter), never values.
    return f"{column} IN (SELECT value FROM json_each({values}))"  # noqa: S608


def one_of(column: ColumnElement[Any], name: str) -> ColumnElement[bool]:
    """`column` is one of the list bound as `name` (a list of any length, one parameter)."""
    return _OneOf(column, bindparam(name, type_=ValueList(column.type)))


class SearchTerm(TypeDecorator[str]):
    """A search term bound as the pattern its dialect's `contains_text` compares with."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        # Lowered here, as the column is by the database (Python's and ICU's lower case agree,
        # final sigma included).
        lowered = value.lower()
        if dialect.name == "postgresql":
            escaped = lowered.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            return f"%{escaped}%"
        return lowered


class _ContainsText(ColumnElement[bool]):
    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True
    _traverse_internals = [  # noqa: RUF012 - SQLAlchemy's own declaration
        ("term", InternalTraversal.dp_clauseelement),
        ("columns", InternalTraversal.dp_clauseelement_tuple),
        ("indexed", InternalTraversal.dp_boolean),
        ("plain", InternalTraversal.dp_boolean),
    ]

    def __init__(
        self,
        term: BindParameter[Any],
        columns: Sequence[ColumnElement[Any]],
        *,
        indexed: bool,
        plain: bool,
    ) -> None:
        self.term = term
        self.columns = tuple(columns)
        self.indexed = indexed
        self.plain = plain


@compiles(_ContainsText, "postgresql")
def _contains_postgresql(element: _ContainsText, compiler: SQLCompiler, **kw: Any) -> str:
    # lower() under ICU's root collation: Unicode case rules whatever the database's locale
    # (under LC_CTYPE=C, ILIKE folds ASCII only, and it ignores final sigma).
    # Not `indexed`: `|| ''` keeps the trigram indexes out, so the plan walks the sort's own.
    term = compiler.process(element.term, **kw)
    suffix = "" if element.indexed else " || ''"
    tests = [
        f"lower({compiler.process(c, **kw)} COLLATE \"und-x-icu\"){suffix} LIKE {term} ESCAPE '\\'"
        for c in element.columns
    ]
    return f"({' OR '.join(tests)})"


@compiles(_ContainsText)
def _contains_sqlite(element: _ContainsText, compiler: SQLCompiler, **kw: Any) -> str:
    # tf_lower: Unicode lower case, registered on every connection (SQLite's folds ASCII only,
    # which is the same for a `plain` term, and runs in C).
    term = compiler.process(element.term, **kw)
    lower = "lower" if element.plain else "tf_lower"
    tests = [f"instr({lower}({compiler.process(c, **kw)}), {term}) > 0" for c in element.columns]
    return f"({' OR '.join(tests)})"


def contains_text(
    name: str, *columns: ColumnElement[Any], indexed: bool = True, plain: bool = False
) -> ColumnElement[bool]:
    """Case-insensitive substring match of the term bound as `name` on any of the columns;
    wildcards in the term are taken literally. Not `indexed`: tested row by row, never
    looked up in a text index (for a term so common that a walk in order finds a page
    sooner). `plain`: the term is one `is_plain` accepts."""
    return _ContainsText(bindparam(name, type_=SearchTerm()), columns, indexed=indexed, plain=plain)


def text_index_match(name: str, *, index: str, table: str) -> ColumnElement[bool]:
    """SQLite: the rows of the table named `table` whose FTS5 table `index` (keyed by their
    rowid) matches the query bound as `name` (see `trigram_query`)."""
    return and_(
        literal_column(f"{index}.rowid") == literal_column(f"{table}.rowid"),
        literal_column(index).op("MATCH")(bindparam(name, type_=String())),
    )


class _Unindexed(ColumnElement[Any]):
    inherit_cache = True
    _traverse_internals = [  # noqa: RUF012 - SQLAlchemy's own declaration
        ("column", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, column: ColumnElement[Any]) -> None:
        self.column = column
        self.type = column.type


@compiles(_Unindexed)
def _unindexed(element: _Unindexed, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.column, **kw)


@compiles(_Unindexed, "sqlite")
def _unindexed_sqlite(element: _Unindexed, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite's way of saying "not through an index": a unary plus.
    return f"+{compiler.process(element.column, **kw)}"


def unindexed(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """`column`, which SQLite must not look up through an index (so that another table,
    such as a text index, drives the join)."""
    return _Unindexed(column)


# Characters whose lower case an FTS5 trigram index folds as Python does whatever the text
# around them: ASCII, but for `i` and `k` (U+0130 and U+212A lower-case to them too).
_FOLDS_ALIKE = frozenset(chr(c) for c in range(128)) - {"i", "k"}
_TRIGRAM = 3


def is_plain(term: str) -> bool:
    """Whether every character of the lower-cased term is one that only ASCII letters
    lower-case to: then text contains it in Python's lower case exactly when it does in
    SQLite's (which folds ASCII only)."""
    return all(character in _FOLDS_ALIKE for character in term.lower())


def trigram_query(term: str) -> str | None:
    """An FTS5 query (trigram tokenizer) that every text containing `term` in any case
    matches, and few others: each run of 3 or more characters of the lower-cased term that the
    index folds as Python does, as a phrase. None: no such run (the term is too short)."""
    runs: list[str] = []
    run = ""
    for character in term.lower() + "i":
        if character in _FOLDS_ALIKE:
            run += character
            continue
        if len(run) >= _TRIGRAM:
            runs.append('"' + run.replace('"', '""') + '"')
        run = ""
    return " AND ".join(runs) or None


def typed(name: str, column: ColumnElement[Any]) -> BindParameter[Any]:
    """A parameter named `name` converted as `column`'s values are."""
    return bindparam(name, type_=column.type)
