"""Where PostgreSQL and SQLite differ in SQL: word search, timestamp order and intervals.

Every other part of a query is written once. These helpers return expressions that render one
way on PostgreSQL and another on SQLite: the statement's compiler, that is the database the
statement runs on, picks the spelling, so nobody above `core/` knows which one it is. What
each helper does on each dialect, and why search treats only the last word as a prefix, is in
docs/design/catalog-discovery.md ("Two dialects").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Double,
    String,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal,
    literal_column,
    or_,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import TypeEngine

from models.base import Moment
from models.catalog.discovery import product_search


class _PerDialect(ColumnElement[Any]):
    """One expression spelt two ways over the same tables; compiling picks the spelling.

    Both spellings take part in the statement's cache key, so a cached statement is reused
    only with the same expression, and each database compiles its own spelling once.
    """

    __visit_name__ = "per_dialect"
    inherit_cache = True
    _traverse_internals = [
        ("postgresql", InternalTraversal.dp_clauseelement),
        ("sqlite", InternalTraversal.dp_clauseelement),
    ]

    def __init__(
        self,
        *,
        postgresql: ColumnElement[Any],
        sqlite: ColumnElement[Any],
        type_: TypeEngine[Any],
    ) -> None:
        self.postgresql = postgresql
        self.sqlite = sqlite
        self.type = type_

    @property
    def _from_objects(self) -> list[Any]:
        return list(self.postgresql._from_objects)


@compiles(_PerDialect)
def _compile_for_postgresql(element: _PerDialect, compiler: SQLCompiler, **kw: Any) -> str:
    # Grouped, so the expression keeps its meaning inside any operator around it.
    return compiler.process(element.postgresql.self_group(), **kw)


@compiles(_PerDialect, "sqlite")
def _compile_for_sqlite(element: _PerDialect, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.sqlite.self_group(), **kw)


def _tsquery(words: Sequence[str]) -> ColumnElement[Any]:
    # Words come from `search_words`: letters and digits only, so nothing needs quoting.
    query = " & ".join([*words[:-1], f"{words[-1]}:*"])
    # A scalar subquery, which PostgreSQL evaluates once per statement (an InitPlan). Called
    # directly with a bound parameter, a prepared statement's generic plan (asyncpg prepares
    # every statement) parsed the text again for every match it ranked: 1,467 times for
    # `cotton twill` at 100,000 products, doubling the search's time.
    return select(func.to_tsquery(literal_column("'simple'"), query)).scalar_subquery()


def _document() -> ColumnElement[str]:
    return (
        literal(" ") + product_search.c.title + literal(" ") + product_search.c.body + literal(" ")
    )


class _SqliteLater(ColumnElement[Any]):
    """The PostgreSQL spelling built now, the SQLite one only when SQLite compiles it.

    Production runs on PostgreSQL, and building SQLite's `LIKE` spelling of every search (its
    document concatenations, one pattern per word) cost more than the rest of the search's
    statement. Both spellings use the same bound `patterns`, which take part in the cache key,
    so a cached statement is reused with the patterns of the statement at hand.
    """

    __visit_name__ = "sqlite_later"
    inherit_cache = True
    _traverse_internals = [
        ("postgresql", InternalTraversal.dp_clauseelement),
        ("patterns", InternalTraversal.dp_clauseelement_tuple),
    ]

    def __init__(
        self,
        *,
        postgresql: ColumnElement[Any],
        patterns: tuple[BindParameter[str], ...],
        sqlite: Callable[[Sequence[BindParameter[str]]], ColumnElement[Any]],
        type_: TypeEngine[Any],
    ) -> None:
        self.postgresql = postgresql
        self.patterns = patterns
        self.sqlite = sqlite
        self.type = type_

    @property
    def _from_objects(self) -> list[Any]:
        return list(self.postgresql._from_objects)


@compiles(_SqliteLater)
def _compile_later_for_postgresql(element: _SqliteLater, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.postgresql.self_group(), **kw)


@compiles(_SqliteLater, "sqlite")
def _compile_later_for_sqlite(element: _SqliteLater, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.sqlite(element.patterns).self_group(), **kw)


def _patterns(words: Sequence[str]) -> tuple[BindParameter[str], ...]:
    """`LIKE` patterns: each word whole, the last one as a word prefix."""
    texts = [*(f"% {word} %" for word in words[:-1]), f"% {words[-1]}%"]
    return tuple(bindparam(None, text, type_=String()) for text in texts)


def search_match(words: Sequence[str]) -> ColumnElement[bool]:
    """A condition on `product_search`: the document contains every word, the last one as a
    word prefix (what the buyer may still be typing)."""

    def on_sqlite(patterns: Sequence[BindParameter[str]]) -> ColumnElement[Any]:
        document = _document()
        return and_(*(document.like(pattern) for pattern in patterns))

    return _SqliteLater(
        postgresql=product_search.c.search_vector.op("@@")(_tsquery(words)),
        patterns=_patterns(words),
        sqlite=on_sqlite,
        type_=Boolean(),
    )


def search_relevance(words: Sequence[str]) -> ColumnElement[float]:
    """How well a `product_search` row matches, higher first; a float on both dialects."""

    def on_sqlite(patterns: Sequence[BindParameter[str]]) -> ColumnElement[Any]:
        title = literal(" ") + product_search.c.title + literal(" ")
        found = [case((title.like(pattern), 1), else_=0) for pattern in patterns]
        return cast(sum(found[1:], found[0]), Double)

    return _SqliteLater(
        postgresql=cast(func.ts_rank(product_search.c.search_vector, _tsquery(words)), Double),
        patterns=_patterns(words),
        sqlite=on_sqlite,
        type_=Double(),
    )


def timestamp_key(moment: ColumnElement[datetime]) -> ColumnElement[Any]:
    """`moment` (a timestamp column) as something that orders and compares as time."""
    return _PerDialect(postgresql=moment, sqlite=func.julianday(moment), type_=moment.type)


def timestamp_value(moment: datetime) -> ColumnElement[Any]:
    """A literal moment comparable with `timestamp_key` of a column."""
    return timestamp_key(literal(moment, Moment()))


def holds_moment(
    start: ColumnElement[datetime], end: ColumnElement[datetime], moment: datetime
) -> ColumnElement[bool]:
    """`start` < `moment` <= `end` (a null `end`: no end yet). On PostgreSQL the containment
    of `moment` in the range `tstzrange(start, end, '(]')`, which a GiST index on that very
    expression serves (its bounds flag a literal, so a prepared statement's generic plan
    still matches the index); on SQLite the two comparisons."""
    interval = func.tstzrange(start, end, literal_column("'(]'"))
    # Cast, so the moment is an element of the range even written out as a literal.
    at = cast(literal(moment, Moment()), Moment())
    return _PerDialect(
        postgresql=interval.op("@>", is_comparison=True)(at),
        sqlite=and_(
            timestamp_key(start) < timestamp_value(moment),
            or_(end.is_(None), timestamp_key(end) >= timestamp_value(moment)),
        ),
        type_=Boolean(),
    )
