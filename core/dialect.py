"""Where PostgreSQL and SQLite differ in catalog discovery: word search and timestamp order.

Every other part of a listing or facet query is written once. These helpers take the dialect
name (`Database.dialect`) and return SQL expressions with the same meaning on both:

- search: every query word must be a word of the product's search document, and the last one
  may also just start one (`cotton tw` finds cotton twill), as search-as-you-type does
  (Algolia's default, `prefixLast`). Only the last word is a prefix because a prefix makes
  the GIN index gather every word it starts before intersecting: `cotton:*` alone cost as
  much as the rest of a 100,000-product search. PostgreSQL answers with a `tsquery` against
  the GIN-indexed `search_vector`; SQLite with one `LIKE` per word over the same normalised
  words (no index, correct and simple).
- relevance: PostgreSQL ranks with `ts_rank` (name and SKU words weigh more than description
  words); SQLite counts the query words found in the name and SKUs.
- timestamps: SQLite stores them as text whose format depends on who wrote the row, so order
  and compare by `julianday()`; PostgreSQL compares `timestamptz` values directly (indexed).
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
