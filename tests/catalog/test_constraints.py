"""The database itself refuses rows that break the catalog's invariants.

Every breaking statement is a Core INSERT/UPDATE/DELETE, which never passes through the ORM's
`before_flush` rules, and runs in a SAVEPOINT so the test's transaction survives the error.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Table, delete, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import Database
from models import metadata
from models.catalog import Category, Product, ProductType
from tests.builders import make_category, make_fabric_type, make_product, make_variant, unique

CATEGORIES = metadata.tables["categories"]
PRODUCT_TYPES = metadata.tables["product_types"]
ATTRIBUTES = metadata.tables["attribute_definitions"]
PRODUCTS = metadata.tables["products"]
VARIANTS = metadata.tables["variants"]
PRICE_TIERS = metadata.tables["price_tiers"]


@dataclass
class Catalog:
    session: AsyncSession
    category_id: int
    product_type_id: int
    product_id: int
    variant_id: int


@pytest.fixture
async def catalog(db: Database) -> AsyncIterator[Catalog]:
    """One valid category, product type, product and variant with USD tiers at 1 and 500."""
    async with db.session() as session:
        product_type = await make_fabric_type(session)
        category = await make_category(session)
        product = await make_product(session, product_type=product_type, category=category)
        variant = await make_variant(session, product=product, on_hand=10, reserved=2)
        assert category.id is not None
        assert product_type.id is not None
        assert product.id is not None
        assert variant.id is not None
        yield Catalog(session, category.id, product_type.id, product.id, variant.id)


def product_row(catalog: Catalog, **overrides: Any) -> dict[str, Any]:
    return {
        "product_type_id": catalog.product_type_id,
        "category_id": catalog.category_id,
        "name": "Poplin",
        "slug": unique("raw-product"),
        "hs_code": "520832",
        "country_of_origin": "IN",
        "moq": 1,
        "lead_time_days": 0,
        "status": "draft",
        **overrides,
    }


def variant_row(catalog: Catalog, **overrides: Any) -> dict[str, Any]:
    return {"product_id": catalog.product_id, "sku": unique("RAW-SKU"), **overrides}


def tier_row(catalog: Catalog, **overrides: Any) -> dict[str, Any]:
    return {
        "variant_id": catalog.variant_id,
        "currency": "EUR",
        "min_quantity": 1,
        "unit_price": Decimal("3.50"),
        **overrides,
    }


def attribute_row(catalog: Catalog, **overrides: Any) -> dict[str, Any]:
    return {
        "product_type_id": catalog.product_type_id,
        "key": unique("key"),
        "label": "Label",
        "kind": "text",
        "unit": None,
        "required": False,
        "filterable": False,
        **overrides,
    }


async def refused(session: AsyncSession, statement: Any, constraint: str) -> None:
    """Run `statement` in a savepoint and assert the database refuses it, naming `constraint`."""
    with pytest.raises(IntegrityError, match=constraint):
        async with session.begin_nested():
            await session.execute(statement)


async def accepted(session: AsyncSession, statement: Any) -> None:
    async with session.begin_nested():
        await session.execute(statement)


async def count(session: AsyncSession, table: Table, **where: Any) -> int:
    query = select(func.count()).select_from(table)
    for column, value in where.items():
        query = query.where(table.c[column] == value)
    return int(await session.scalar(query) or 0)


@pytest.mark.parametrize(
    ("overrides", "constraint"),
    [
        # With stock_reserved >= 0, a negative stock_on_hand also breaks
        # reserved_within_on_hand, which PostgreSQL checks first (it goes by name); the next
        # test shows stock_on_hand_not_negative on its own.
        ({"stock_on_hand": -1}, "ck_variants_reserved_within_on_hand"),
        ({"stock_reserved": -1}, "ck_variants_stock_reserved_not_negative"),
        ({"stock_on_hand": 5, "stock_reserved": 6}, "ck_variants_reserved_within_on_hand"),
        ({"cost_price": Decimal("2.10")}, "ck_variants_cost_price_has_currency"),
        ({"cost_currency": "USD"}, "ck_variants_cost_price_has_currency"),
    ],
)
async def test_variant_row_breaking_a_check_is_refused(
    catalog: Catalog, overrides: dict[str, Any], constraint: str
) -> None:
    # given a variant row that breaks one check
    statement = insert(VARIANTS).values(variant_row(catalog, **overrides))
    # when it is inserted, then the database refuses it
    await refused(catalog.session, statement, constraint)
    assert await count(catalog.session, VARIANTS, product_id=catalog.product_id) == 1


async def test_negative_stock_on_hand_is_refused_by_its_own_check(catalog: Catalog) -> None:
    # given the overlapping reserved_within_on_hand check dropped inside a savepoint
    # (PostgreSQL DDL is transactional: rolling the savepoint back restores it)
    session = catalog.session
    savepoint = await session.begin_nested()
    try:
        await session.execute(
            text("ALTER TABLE variants DROP CONSTRAINT ck_variants_reserved_within_on_hand")
        )
        # when a variant with negative stock on hand is inserted, then it is refused
        await refused(
            session,
            insert(VARIANTS).values(variant_row(catalog, stock_on_hand=-1, stock_reserved=0)),
            "ck_variants_stock_on_hand_not_negative",
        )
    finally:
        await savepoint.rollback()
    # and the dropped check is in force again
    await refused(
        session,
        insert(VARIANTS).values(variant_row(catalog, stock_on_hand=1, stock_reserved=2)),
        "ck_variants_reserved_within_on_hand",
    )


async def test_variant_with_cost_price_and_currency_is_accepted(catalog: Catalog) -> None:
    # given a row with both cost price and currency, reserved equal to on hand
    row = variant_row(
        catalog,
        stock_on_hand=5,
        stock_reserved=5,
        cost_price=Decimal("2.10"),
        cost_currency="USD",
    )
    # when it is inserted
    await accepted(catalog.session, insert(VARIANTS).values(row))
    # then it is stored
    assert await count(catalog.session, VARIANTS, sku=row["sku"]) == 1


async def test_reserving_more_than_on_hand_by_update_is_refused(catalog: Catalog) -> None:
    # given a variant with 10 on hand and 2 reserved
    session = catalog.session
    where = VARIANTS.c.id == catalog.variant_id
    # when reservations grow past the stock on hand, then the database refuses
    await refused(
        session,
        update(VARIANTS).where(where).values(stock_reserved=VARIANTS.c.stock_on_hand + 1),
        "ck_variants_reserved_within_on_hand",
    )
    # and reserving exactly the stock on hand is fine
    await accepted(
        session, update(VARIANTS).where(where).values(stock_reserved=VARIANTS.c.stock_on_hand)
    )
    assert await session.scalar(select(VARIANTS.c.stock_reserved).where(where)) == 10


async def test_duplicate_sku_is_refused(catalog: Catalog) -> None:
    # given the fixture's variant
    sku = await catalog.session.scalar(
        select(VARIANTS.c.sku).where(VARIANTS.c.id == catalog.variant_id)
    )
    # when another variant uses its SKU, then the database refuses
    await refused(
        catalog.session, insert(VARIANTS).values(variant_row(catalog, sku=sku)), "uq_variants_sku"
    )


async def test_duplicate_product_slug_is_refused(catalog: Catalog) -> None:
    session = catalog.session
    slug = await session.scalar(select(PRODUCTS.c.slug).where(PRODUCTS.c.id == catalog.product_id))
    await refused(
        session, insert(PRODUCTS).values(product_row(catalog, slug=slug)), "uq_products_slug"
    )


async def test_duplicate_category_slug_is_refused(catalog: Catalog) -> None:
    session = catalog.session
    slug = await session.scalar(
        select(CATEGORIES.c.slug).where(CATEGORIES.c.id == catalog.category_id)
    )
    await refused(session, insert(CATEGORIES).values(name="Copy", slug=slug), "uq_categories_slug")


async def test_second_price_for_the_same_tier_is_refused(catalog: Catalog) -> None:
    # given the variant already has a USD price from 500 units
    session = catalog.session
    duplicate = tier_row(catalog, currency="USD", min_quantity=500, unit_price=Decimal("3.00"))
    # when a second USD price from 500 units is inserted, then the database refuses
    await refused(
        session,
        insert(PRICE_TIERS).values(duplicate),
        "uq_price_tiers_variant_id_currency_min_quantity",
    )
    # and the same tier in another currency is fine
    await accepted(session, insert(PRICE_TIERS).values({**duplicate, "currency": "EUR"}))
    assert await count(session, PRICE_TIERS, variant_id=catalog.variant_id) == 3


@pytest.mark.parametrize(
    ("overrides", "constraint"),
    [
        ({"unit_price": Decimal("0")}, "ck_price_tiers_unit_price_positive"),
        ({"unit_price": Decimal("-1.25")}, "ck_price_tiers_unit_price_positive"),
        ({"min_quantity": 0}, "ck_price_tiers_min_quantity_positive"),
        ({"currency": "US"}, "ck_price_tiers_currency_length"),
    ],
)
async def test_price_tier_row_breaking_a_check_is_refused(
    catalog: Catalog, overrides: dict[str, Any], constraint: str
) -> None:
    await refused(
        catalog.session, insert(PRICE_TIERS).values(tier_row(catalog, **overrides)), constraint
    )


async def test_smallest_valid_price_tier_is_accepted(catalog: Catalog) -> None:
    row = tier_row(catalog, min_quantity=1, unit_price=Decimal("0.0001"))
    await accepted(catalog.session, insert(PRICE_TIERS).values(row))
    assert await count(catalog.session, PRICE_TIERS, currency="EUR") == 1


@pytest.mark.parametrize(
    ("overrides", "constraint"),
    [
        ({"moq": 0}, "ck_products_moq_positive"),
        ({"lead_time_days": -1}, "ck_products_lead_time_not_negative"),
        ({"hs_code": "52083"}, "ck_products_hs_code_length"),
        ({"hs_code": "5208321"}, "ck_products_hs_code_length"),
        ({"country_of_origin": "I"}, "ck_products_country_of_origin_length"),
        ({"status": "deleted"}, "ck_products_status_known"),
        ({"category_id": 2_000_000_000}, "fk_products_category_id_categories"),
        ({"product_type_id": 2_000_000_000}, "fk_products_product_type_id_product_types"),
    ],
)
async def test_product_row_breaking_a_constraint_is_refused(
    catalog: Catalog, overrides: dict[str, Any], constraint: str
) -> None:
    await refused(
        catalog.session, insert(PRODUCTS).values(product_row(catalog, **overrides)), constraint
    )


@pytest.mark.parametrize(
    "overrides",
    [
        {"moq": 1, "lead_time_days": 0, "hs_code": "520832", "status": "draft"},
        {"hs_code": "52083210", "status": "active"},
        {"hs_code": "8482101000", "status": "archived"},
    ],
)
async def test_product_row_at_the_limits_is_accepted(
    catalog: Catalog, overrides: dict[str, Any]
) -> None:
    row = product_row(catalog, **overrides)
    await accepted(catalog.session, insert(PRODUCTS).values(row))
    assert await count(catalog.session, PRODUCTS, slug=row["slug"]) == 1


async def test_deleting_a_category_still_used_by_a_product_is_refused(catalog: Catalog) -> None:
    # given a category holding the fixture's product
    session = catalog.session
    # when it is deleted, then the database refuses
    await refused(
        session,
        delete(CATEGORIES).where(CATEGORIES.c.id == catalog.category_id),
        "fk_products_category_id_categories",
    )
    assert await count(session, CATEGORIES, id=catalog.category_id) == 1
    # and once the product is gone, the category can go too
    await accepted(session, delete(PRODUCTS).where(PRODUCTS.c.id == catalog.product_id))
    await accepted(session, delete(CATEGORIES).where(CATEGORIES.c.id == catalog.category_id))
    assert await count(session, CATEGORIES, id=catalog.category_id) == 0


async def test_deleting_a_parent_category_with_children_is_refused(catalog: Catalog) -> None:
    session = catalog.session
    parent = await make_category(session)
    await make_category(session, parent=parent)
    await refused(
        session,
        delete(CATEGORIES).where(CATEGORIES.c.id == parent.id),
        "fk_categories_parent_id_categories",
    )


async def test_deleting_a_product_deletes_its_variants_and_price_tiers(catalog: Catalog) -> None:
    # given a product with a second variant, each variant with price tiers
    session = catalog.session
    other = await make_product(
        session,
        product_type=await session.get_one(ProductType, catalog.product_type_id),
        category=await session.get_one(Category, catalog.category_id),
    )
    kept = await make_variant(session, product=other)
    product = await session.get_one(Product, catalog.product_id)
    await make_variant(session, product=product, prices={"EUR": [(1, "3.80")]})
    assert await count(session, VARIANTS, product_id=catalog.product_id) == 2
    # when the product row is deleted
    await session.execute(delete(PRODUCTS).where(PRODUCTS.c.id == catalog.product_id))
    # then its variants and their tiers are gone, and the other product's are untouched
    assert await count(session, VARIANTS, product_id=catalog.product_id) == 0
    assert await count(session, PRICE_TIERS) == 2
    assert await count(session, PRICE_TIERS, variant_id=kept.id) == 2


async def test_category_cannot_be_its_own_parent(catalog: Catalog) -> None:
    # given a category and a child of it
    session = catalog.session
    where = CATEGORIES.c.id == catalog.category_id
    # when a category is made its own parent, then the database refuses
    await refused(
        session,
        update(CATEGORIES).where(where).values(parent_id=CATEGORIES.c.id),
        "ck_categories_not_own_parent",
    )
    # and another category as parent is fine
    parent = await make_category(session)
    await accepted(session, update(CATEGORIES).where(where).values(parent_id=parent.id))
    assert await session.scalar(select(CATEGORIES.c.parent_id).where(where)) == parent.id


@pytest.mark.parametrize(
    ("overrides", "constraint"),
    [
        ({"kind": "colour"}, "ck_attribute_definitions_kind_known"),
        ({"kind": "text", "unit": "cm"}, "ck_attribute_definitions_unit_only_for_numbers"),
        ({"kind": "enum", "unit": "cm"}, "ck_attribute_definitions_unit_only_for_numbers"),
        ({"key": "gsm"}, "uq_attribute_definitions_product_type_id_key"),
        # "@" starts the facet tables' pseudo-attributes, such as the country of origin
        ({"key": "@country"}, "ck_attribute_definitions_key_not_reserved"),
    ],
)
async def test_attribute_definition_breaking_a_constraint_is_refused(
    catalog: Catalog, overrides: dict[str, Any], constraint: str
) -> None:
    await refused(
        catalog.session, insert(ATTRIBUTES).values(attribute_row(catalog, **overrides)), constraint
    )


async def test_number_attribute_with_a_unit_is_accepted(catalog: Catalog) -> None:
    row = attribute_row(catalog, kind="number", unit="cm")
    await accepted(catalog.session, insert(ATTRIBUTES).values(row))
    assert await count(catalog.session, ATTRIBUTES, key=row["key"]) == 1


async def test_product_types_slug_is_unique(catalog: Catalog) -> None:
    session = catalog.session
    slug = await session.scalar(
        select(PRODUCT_TYPES.c.slug).where(PRODUCT_TYPES.c.id == catalog.product_type_id)
    )
    await refused(
        session, insert(PRODUCT_TYPES).values(name="Copy", slug=slug), "uq_product_types_slug"
    )
