"""Search is spelt per database when a statement compiles, and a compiled statement is reused
from SQLAlchemy's cache: each reuse must match the words it is given, never the first ones."""

from __future__ import annotations

from sqlalchemy import select

from core.db import Database
from core.dialect import search_match, search_relevance
from models.catalog.discovery import product_search
from tests.builders import make_category, make_fabric_type, make_product


async def test_a_reused_search_statement_matches_and_ranks_by_its_own_words(
    any_db: Database,
) -> None:
    # given two products whose names share no word
    async with any_db.transaction() as session:
        fabric, category = await make_fabric_type(session), await make_category(session)
        poplin = await make_product(
            session, product_type=fabric, category=category, name="Quartzite poplin"
        )
        velvet = await make_product(
            session, product_type=fabric, category=category, name="Obsidian velvet"
        )

    async def found(words: list[str]) -> list[int | None]:
        relevance = search_relevance(words).label("relevance")
        statement = (
            select(product_search.c.product_id, relevance)
            .where(search_match(words))
            .order_by(relevance.desc(), product_search.c.product_id)
        )
        async with any_db.session() as session:
            return [row.product_id for row in await session.execute(statement)]

    # when the same statement shape runs with one word, then another, then a prefix
    # then each run finds its own product (the later runs reuse the compiled statement)
    assert await found(["quartzite"]) == [poplin.id]
    assert await found(["obsidian"]) == [velvet.id]
    assert await found(["obsidian", "vel"]) == [velvet.id]
    assert await found(["quartzite", "vel"]) == []
