"""Small builders for catalog rows: each test states only what matters to it."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from models.catalog import (
    AttributeDefinition,
    AttributeKind,
    Category,
    PriceTier,
    Product,
    ProductStatus,
    ProductType,
    Variant,
)

_sequence = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_sequence)}"


async def make_category(
    session: AsyncSession, *, name: str | None = None, parent: Category | None = None
) -> Category:
    slug = unique("category")
    category = Category(
        name=name or slug, slug=slug, parent_id=parent.id if parent is not None else None
    )
    session.add(category)
    await session.flush()
    return category


async def make_fabric_type(session: AsyncSession) -> ProductType:
    """A product type with one attribute of every kind."""
    product_type = ProductType(name="Woven fabric", slug=unique("fabric"))
    session.add(product_type)
    await session.flush()
    assert product_type.id is not None
    session.add_all(
        [
            AttributeDefinition(
                product_type_id=product_type.id,
                key="gsm",
                label="Fabric weight",
                kind=AttributeKind.NUMBER,
                unit="g/m²",
                required=True,
                filterable=True,
                position=1,
            ),
            AttributeDefinition(
                product_type_id=product_type.id,
                key="weave",
                label="Weave",
                kind=AttributeKind.ENUM,
                allowed_values=["plain", "twill", "satin"],
                filterable=True,
                position=2,
            ),
            AttributeDefinition(
                product_type_id=product_type.id,
                key="organic",
                label="Organic",
                kind=AttributeKind.BOOLEAN,
                position=3,
            ),
            AttributeDefinition(
                product_type_id=product_type.id,
                key="composition",
                label="Composition",
                kind=AttributeKind.TEXT,
                position=4,
            ),
            AttributeDefinition(
                product_type_id=product_type.id,
                key="certifications",
                label="Certifications",
                kind=AttributeKind.MULTI_ENUM,
                allowed_values=["GOTS", "OEKO-TEX", "BCI"],
                position=5,
            ),
        ]
    )
    await session.flush()
    return product_type


async def make_product(
    session: AsyncSession,
    *,
    product_type: ProductType,
    category: Category,
    name: str | None = None,
    status: ProductStatus = ProductStatus.ACTIVE,
    specs: dict[str, Any] | None = None,
    flush: bool = True,
    **fields: Any,
) -> Product:
    """A product; with `flush=False` it is only added, so many are written in one flush."""
    slug = unique("product")
    assert product_type.id is not None
    assert category.id is not None
    product = Product(
        product_type_id=product_type.id,
        category_id=category.id,
        name=name or slug,
        slug=slug,
        hs_code=fields.pop("hs_code", "5208.32"),
        country_of_origin=fields.pop("country_of_origin", "IN"),
        moq=fields.pop("moq", 100),
        lead_time_days=fields.pop("lead_time_days", 30),
        incoterms=fields.pop("incoterms", ["FOB", "CIF"]),
        specs=specs if specs is not None else {"gsm": 220, "weave": "twill"},
        status=status,
        **fields,
    )
    session.add(product)
    if flush:
        await session.flush()
    return product


async def make_variant(
    session: AsyncSession,
    *,
    product: Product,
    on_hand: int = 100,
    reserved: int = 0,
    prices: dict[str, list[tuple[int, str]]] | None = None,
    **fields: Any,
) -> Variant:
    """A variant with price tiers: `prices={"USD": [(1, "4.20"), (500, "3.90")]}`."""
    assert product.id is not None
    variant = Variant(
        product_id=product.id,
        sku=fields.pop("sku", unique("SKU")),
        stock_on_hand=on_hand,
        stock_reserved=reserved,
        **fields,
    )
    session.add(variant)
    await session.flush()
    assert variant.id is not None
    for currency, tiers in (prices or {"USD": [(1, "4.20"), (500, "3.90")]}).items():
        for min_quantity, price in tiers:
            session.add(
                PriceTier(
                    variant_id=variant.id,
                    currency=currency,
                    min_quantity=min_quantity,
                    unit_price=Decimal(price),
                )
            )
    await session.flush()
    return variant
