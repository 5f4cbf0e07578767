"""The discovery rows follow every ORM write of products, variants and price tiers.

Filters read `product_spec_values`, `product_prices` and `product_search`, never the source
rows, so a write that left them stale would make a product unfindable or findable by values it
no longer has.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from core.db import Database
from models.catalog import PriceTier, Product, Variant
from models.catalog_rules import CatalogRuleError
from models.discovery import product_prices, product_search, product_spec_values
from tests.builders import make_category, make_fabric_type, make_product, make_variant


async def _spec_rows(db: Database, product_id: int) -> set[tuple[Any, ...]]:
    values = product_spec_values.c
    async with db.session() as session:
        rows = await session.execute(
            select(values.attribute_key, values.value_text, values.value_number, values.value_bool)
            .where(values.product_id == product_id)
        )  # fmt: skip
        return {tuple(row) for row in rows}


async def _from_prices(db: Database, product_id: int) -> dict[str, Decimal]:
    async with db.session() as session:
        rows = await session.execute(
            select(product_prices.c.currency, product_prices.c.from_price).where(
                product_prices.c.product_id == product_id
            )
        )
        return {currency: price for currency, price in rows}


async def _search_title(db: Database, product_id: int) -> str | None:
    async with db.session() as session:
        title: str | None = await session.scalar(
            select(product_search.c.title).where(product_search.c.product_id == product_id)
        )
        return title


async def _fabric(db: Database, **fields: Any) -> int:
    async with db.session() as session:
        product = await make_product(
            session,
            product_type=await make_fabric_type(session),
            category=await make_category(session),
            **fields,
        )
        await session.commit()
        assert product.id is not None
        return product.id


async def test_a_new_product_gets_one_typed_row_per_spec_value(db: Database) -> None:
    product_id = await _fabric(
        db,
        specs={"gsm": 220, "weave": "twill", "organic": True, "certifications": ["GOTS", "BCI"]},
    )
    assert await _spec_rows(db, product_id) == {
        ("gsm", None, 220.0, None),
        ("weave", "twill", None, None),
        ("organic", None, None, True),
        ("certifications", "GOTS", None, None),
        ("certifications", "BCI", None, None),
    }


async def test_changing_specs_replaces_the_rows_and_leaves_no_stale_value(db: Database) -> None:
    product_id = await _fabric(db, specs={"gsm": 220, "weave": "twill"})
    async with db.session() as session:
        product = await session.get_one(Product, product_id)
        product.specs = {"gsm": 180.5}
        await session.commit()
    assert await _spec_rows(db, product_id) == {("gsm", None, 180.5, None)}


async def test_search_document_follows_name_and_skus(db: Database) -> None:
    product_id = await _fabric(db, name="Cotton Twill", description="Woven in Erode.")
    async with db.session() as session:
        product = await session.get_one(Product, product_id)
        variant = await make_variant(session, product=product, sku="TW-220-NAVY")
        await session.commit()
    assert await _search_title(db, product_id) == "cotton twill tw 220 navy"

    async with db.session() as session:
        product = await session.get_one(Product, product_id)
        product.name = "Organic Cotton Twill"
        found = await session.get_one(Variant, variant.id)
        found.sku = "OT-220-NAVY"
        await session.commit()
    assert await _search_title(db, product_id) == "organic cotton twill ot 220 navy"

    async with db.session() as session:
        await session.delete(await session.get_one(Variant, variant.id))
        await session.commit()
    assert await _search_title(db, product_id) == "organic cotton twill"


async def test_from_price_is_the_lowest_break_of_the_cheapest_variant(db: Database) -> None:
    # given a product with two variants priced in USD, and one also in EUR
    product_id = await _fabric(db)
    async with db.session() as session:
        product = await session.get_one(Product, product_id)
        await make_variant(session, product=product, prices={"USD": [(1, "4.20"), (500, "3.90")]})
        second = await make_variant(
            session, product=product, prices={"USD": [(10, "4.10")], "EUR": [(1, "3.80")]}
        )
        await session.commit()
    assert second.id is not None
    # then the from-price per currency takes each variant's first break, the cheapest variant
    assert await _from_prices(db, product_id) == {"USD": Decimal("4.10"), "EUR": Decimal("3.80")}

    # when a cheaper first break is added to the second variant's USD ladder
    async with db.session() as session:
        session.add(
            PriceTier(
                variant_id=second.id, currency="USD", min_quantity=5, unit_price=Decimal("4.15")
            )
        )
        await session.commit()
    assert (await _from_prices(db, product_id))["USD"] == Decimal("4.15")

    # when that variant goes (its tiers with it), only the first variant's USD price is left
    async with db.session() as session:
        await session.delete(await session.get_one(Variant, second.id))
        await session.commit()
    assert await _from_prices(db, product_id) == {"USD": Decimal("4.20")}


async def test_deleting_a_product_removes_its_discovery_rows(db: Database) -> None:
    product_id = await _fabric(db)
    async with db.session() as session:
        product = await session.get_one(Product, product_id)
        await make_variant(session, product=product)
        await session.commit()
    async with db.session() as session:
        await session.delete(await session.get_one(Product, product_id))
        await session.commit()
    assert await _spec_rows(db, product_id) == set()
    assert await _from_prices(db, product_id) == {}
    assert await _search_title(db, product_id) is None


async def test_a_rejected_product_writes_no_discovery_rows(db: Database) -> None:
    product_id = await _fabric(db, specs={"gsm": 220})
    async with db.session() as session:
        product = await session.get_one(Product, product_id)
        product.specs = {"gsm": "heavy"}
        with pytest.raises(CatalogRuleError):
            await session.commit()
    assert await _spec_rows(db, product_id) == {("gsm", None, 220.0, None)}
