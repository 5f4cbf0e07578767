"""Where PostgreSQL and SQLite differ in catalog discovery: word search and timestamp order.

Every other part of a listing or facet query is written once. These helpers take the dialect
name (`Database.dialect`) and return SQL expressions with the same meaning on both; why search
treats only the last word as a prefix is in docs/design/catalog-discovery.md ("Two dialects").
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Double,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    select,
)

from models.catalog.discovery import product_search

POSTGRESQL = "postgresql"


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


def search_match(dialect: str, words: Sequence[str]) -> ColumnElement[bool]:
    """A condition on `product_search`: the document contains every word, the last one as a
    word prefix (what the buyer may still be typing)."""
    if dialect == POSTGRESQL:
        return product_search.c.search_vector.op("@@")(_tsquery(words))
    document = _document()
    whole = [document.like(f"% {word} %") for word in words[:-1]]
    return and_(*whole, document.like(f"% {words[-1]}%"))


def search_relevance(dialect: str, words: Sequence[str]) -> ColumnElement[float]:
    """How well a `product_search` row matches, higher first; a float on both dialects."""
    if dialect == POSTGRESQL:
        return cast(func.ts_rank(product_search.c.search_vector, _tsquery(words)), Double)
    title = literal(" ") + product_search.c.title + literal(" ")
    patterns = [*(f"% {word} %" for word in words[:-1]), f"% {words[-1]}%"]
    found = [case((title.like(pattern), 1), else_=0) for pattern in patterns]
    return cast(sum(found[1:], found[0]), Double)


def timestamp_key(dialect: str, column: ColumnElement[datetime]) -> ColumnElement[Any]:
    """`column` as something that orders and compares as time on this dialect."""
    if dialect == POSTGRESQL:
        return column
    return func.julianday(column)


def timestamp_value(dialect: str, moment: datetime) -> ColumnElement[Any]:
    """A literal moment comparable with `timestamp_key` of a column."""
    if dialect == POSTGRESQL:
        return literal(moment)
    return func.julianday(moment.isoformat())
