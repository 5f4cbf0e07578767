"""The discovery rows follow every ORM write of products, variants and price tiers.

Filters read `product_spec_values`, `product_prices` and `product_search`, never the source
rows, so a write that left them stale would make a product unfindable or findable by values it
no longer has; facets sum `facet_value_counts` and `facet_pair_counts`, which must equal a
recount after any write.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import col

from core.db import Database
from models.catalog import Category, PriceTier, Product, ProductStatus, ProductType, Variant
from models.catalog.discovery import (
    COUNTRY_KEY,
    product_prices,
    product_search,
    product_spec_values,
)
from models.catalog.rules import CatalogRuleError
from tests.builders import make_category, make_fabric_type, make_product, make_variant
from tests.catalog.facet_recount import recounted_facets, stored_facet_counts
from tests.concurrently import settled


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


async def test_a_new_product_gets_one_typed_row_per_spec_value_and_one_of_its_country(
    db: Database,
) -> None:
    product_id = await _fabric(
        db,
        country_of_origin="IN",
        specs={"gsm": 220, "weave": "twill", "organic": True, "certifications": ["GOTS", "BCI"]},
    )
    assert await _spec_rows(db, product_id) == {
        (COUNTRY_KEY, "IN", None, None),
        ("gsm", None, 220.0, None),
        ("weave", "twill", None, None),
        ("organic", None, None, True),
        ("certifications", "GOTS", None, None),
        ("certifications", "BCI", None, None),
    }


async def test_changing_specs_replaces_the_rows_and_leaves_no_stale_value(db: Database) -> None:
    product_id = await _fabric(db, country_of_origin="IN", specs={"gsm": 220, "weave": "twill"})
    async with db.session() as session:
        product = await session.get_one(Product, product_id)
        product.specs = {"gsm": 180.5}
        await session.commit()
    assert await _spec_rows(db, product_id) == {
        (COUNTRY_KEY, "IN", None, None),
        ("gsm", None, 180.5, None),
    }
    # and a new country of origin replaces the country's row
    async with db.session() as session:
        (await session.get_one(Product, product_id)).country_of_origin = "PK"
        await session.commit()
    assert await _spec_rows(db, product_id) == {
        (COUNTRY_KEY, "PK", None, None),
        ("gsm", None, 180.5, None),
    }


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


async def test_search_and_spec_rows_exist_only_while_their_product_is_active(
    db: Database,
) -> None:
    # given a draft: search and spec rows prove visibility, so a draft has none
    product_id = await _fabric(
        db, name="Cotton Twill", specs={"gsm": 220}, status=ProductStatus.DRAFT
    )
    assert await _search_title(db, product_id) is None
    assert await _spec_rows(db, product_id) == set()
    # when it is published, it gets them, with its name (and category) for listings
    async with db.session() as session:
        product = await session.get_one(Product, product_id)
        product.status = ProductStatus.ACTIVE
        category_id = product.category_id
        await session.commit()
    assert await _listed_as(db, product_id) == ("Cotton Twill", {(category_id, "Cotton Twill")})
    # and a new name follows into both
    async with db.session() as session:
        (await session.get_one(Product, product_id)).name = "Cotton Drill"
        await session.commit()
    assert await _listed_as(db, product_id) == ("Cotton Drill", {(category_id, "Cotton Drill")})
    # and when it is archived, they go
    async with db.session() as session:
        (await session.get_one(Product, product_id)).status = ProductStatus.ARCHIVED
        await session.commit()
    assert await _search_title(db, product_id) is None
    assert await _spec_rows(db, product_id) == set()


async def _listed_as(db: Database, product_id: int) -> tuple[str, set[tuple[int, str]]]:
    """The name in the product's search row, and the (category, name) pairs of its spec rows."""
    async with db.session() as session:
        searched = await session.scalar(
            select(product_search.c.name).where(product_search.c.product_id == product_id)
        )
        values = product_spec_values.c
        listed = await session.execute(
            select(values.category_id, values.name).where(values.product_id == product_id)
        )
        assert searched is not None
        return searched, {(row[0], row[1]) for row in listed}


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
    product_id = await _fabric(db, country_of_origin="IN", specs={"gsm": 220})
    async with db.session() as session:
        product = await session.get_one(Product, product_id)
        product.specs = {"gsm": "heavy"}
        with pytest.raises(CatalogRuleError):
            await session.commit()
    assert await _spec_rows(db, product_id) == {
        (COUNTRY_KEY, "IN", None, None),
        ("gsm", None, 220.0, None),
    }


async def test_facet_counts_equal_a_recount_after_inserts_updates_status_changes_and_deletes(
    db: Database,
) -> None:
    # given products of two types in two categories, some not active
    async with db.session() as session:
        types = [await make_fabric_type(session), await make_fabric_type(session)]
        categories = [await make_category(session), await make_category(session)]
        specs: list[dict[str, Any]] = [
            {"gsm": 220, "weave": "twill", "certifications": ["GOTS", "BCI"]},
            {"gsm": 220, "weave": "plain", "organic": True},
            {"gsm": 180.5, "weave": "twill", "organic": False, "composition": "100% cotton"},
            {"gsm": 220, "weave": "satin", "certifications": ["GOTS"]},
        ]
        products = [
            await make_product(
                session,
                product_type=types[index % 2],
                category=categories[index // 2 % 2],
                specs=specs[index % len(specs)],
                status=ProductStatus.DRAFT if index % 5 == 4 else ProductStatus.ACTIVE,
            )
            for index in range(10)
        ]
        await session.commit()
    type_ids = [product_type.id for product_type in types if product_type.id is not None]
    category_ids = [category.id for category in categories if category.id is not None]
    ids = [product.id for product in products if product.id is not None]
    assert (
        await stored_facet_counts(db, type_ids)
        == await recounted_facets(db, type_ids)
        != (
            Counter(),
            Counter(),
        )
    )

    # when specs, category, type and status change, in one flush and in several
    async with db.session() as session:
        first, second, third, fourth = [await session.get_one(Product, pk) for pk in ids[:4]]
        first.specs = {"gsm": 300, "weave": "satin"}
        second.category_id = category_ids[0]
        second.product_type_id = type_ids[0]
        second.country_of_origin = "TR"
        third.status = ProductStatus.ARCHIVED
        await session.flush()
        fourth.specs = {"gsm": 300, "weave": "satin", "organic": True}
        fourth.status = ProductStatus.DRAFT
        (await session.get_one(Product, ids[4])).status = ProductStatus.ACTIVE
        await session.commit()
    assert await stored_facet_counts(db, type_ids) == await recounted_facets(db, type_ids)

    # when products are deleted, a draft and an active one
    async with db.session() as session:
        for pk in (ids[3], ids[5]):
            await session.delete(await session.get_one(Product, pk))
        await session.commit()
    assert await stored_facet_counts(db, type_ids) == await recounted_facets(db, type_ids)


async def test_a_rolled_back_write_leaves_the_facet_counts_as_they_were(db: Database) -> None:
    product_id = await _fabric(db, specs={"gsm": 220, "weave": "twill"})
    async with db.session() as session:
        type_id = (await session.get_one(Product, product_id)).product_type_id
    before = await stored_facet_counts(db, [type_id])
    async with db.session() as session:
        product = await session.get_one(Product, product_id)
        product.specs = {"gsm": "heavy"}
        with pytest.raises(CatalogRuleError):
            await session.commit()
    assert (
        await stored_facet_counts(db, [type_id]) == before == await recounted_facets(db, [type_id])
    )


async def test_concurrent_writers_of_one_type_and_category_keep_the_counts_exact(
    committed_db: Database,
) -> None:
    # given a committed product type and category
    async with committed_db.transaction() as session:
        product_type, category = await make_fabric_type(session), await make_category(session)
    assert product_type.id is not None
    assert category.id is not None
    type_id, category_id = product_type.id, category.id
    twill = (type_id, category_id, "weave", "twill", None, None)

    async def write(index: int) -> None:
        async with committed_db.transaction() as session:
            await make_product(
                session,
                product_type=await session.get_one(ProductType, type_id),
                category=await session.get_one(Category, category_id),
                specs={"gsm": 200 + index % 2, "weave": "twill"},
            )

    # when eight transactions add products with the same values at once
    await settled(*(write(index) for index in range(8)))
    # then every one of them is counted
    counts = await stored_facet_counts(committed_db, [type_id])
    assert counts == await recounted_facets(committed_db, [type_id])
    values, pairs = counts
    assert values[twill] == 8
    assert pairs[(*twill, "gsm", None, 201.0, None)] == 4

    # when they are all deleted
    async with committed_db.transaction() as session:
        for product in await session.scalars(
            select(Product).where(col(Product.product_type_id) == type_id)
        ):
            await session.delete(product)
    removed = await stored_facet_counts(committed_db, [type_id])
    # then every count is back to 0
    assert removed == (Counter(), Counter())
