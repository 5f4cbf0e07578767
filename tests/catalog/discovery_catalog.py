"""A small hand-made catalog for discovery tests, whose expected answers are worked out by hand.

Two product types share keys on purpose: `grade` is filterable on both (one facet), `colour`
only on fabrics (bearings' colours never match a filter), `width` is a number on both but in
different units (no facet until a product type is chosen).

| name                              | type    | from-price       | country, specs (abridged)    |
|-----------------------------------|---------|------------------|------------------------------|
| Bleached Organic Cotton Twill 220 | fabric  | USD 4.20         | IN 220 twill organic GOTS,OEKO |
| Cotton Poplin 120                 | fabric  | USD 1.80         | TR 120 plain OEKO-TEX ecru B |
| Duck Canvas 340                   | fabric  | USD 5.20 EUR 5   | IN 340 plain black A         |
| Silk Satin Drape 90               | fabric  | EUR 3.00         | CN 90 satin GOTS black B     |
| Twill Workwear Fabric 260         | fabric  | USD 3.10         | IN 260 twill navy A          |
| Draft Organic Twill 220 (draft)   | fabric  | USD 4.00         | IN; never listed             |
| Groove Ball Bearing 6204-2RS      | bearing | USD 1.20         | CN bore 20 2RS black A       |
| Hybrid Ball Bearing 6205-ZZ       | bearing | USD 1.80         | JP bore 25 ZZ silver C       |
| Open Ball Bearing 6204            | bearing | USD 0.95         | IN bore 20 open black B      |
| Roller Bearing 30206 Tapered      | bearing | USD 6.40         | DE bore 30 open A            |
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from core.db import Database
from models.catalog import AttributeDefinition, AttributeKind, ProductStatus, ProductType
from tests.builders import make_category, make_product, make_variant, unique

NUMBER, ENUM, TEXT = AttributeKind.NUMBER, AttributeKind.ENUM, AttributeKind.TEXT
BOOLEAN, MULTI_ENUM = AttributeKind.BOOLEAN, AttributeKind.MULTI_ENUM
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)

FABRIC_ATTRIBUTES = (
    ("gsm", "Fabric weight", NUMBER, "g/m²", True, ()),
    ("weave", "Weave", ENUM, None, True, ("plain", "twill", "satin")),
    ("organic", "Organic", BOOLEAN, None, True, ()),
    ("certifications", "Certifications", MULTI_ENUM, None, True, ("GOTS", "OEKO-TEX", "BCI")),
    ("composition", "Composition", TEXT, None, True, ()),
    ("colour", "Colour", ENUM, None, True, ("navy", "ecru", "black")),
    ("grade", "Grade", ENUM, None, True, ("A", "B")),
    ("width", "Width", NUMBER, "cm", True, ()),
    ("mill", "Mill", TEXT, None, False, ()),
)
BEARING_ATTRIBUTES = (
    ("bore_mm", "Bore", NUMBER, "mm", True, ()),
    ("seal", "Seal", ENUM, None, True, ("open", "ZZ", "2RS")),
    ("colour", "Colour", ENUM, None, False, ("black", "silver")),
    ("grade", "Grade", ENUM, None, True, ("A", "B", "C")),
    ("width", "Width", NUMBER, "mm", True, ()),
)


@dataclass(frozen=True)
class Listed:
    """One product as the tests know it."""

    name: str
    type_slug: str
    country: str
    specs: dict[str, Any]
    status: ProductStatus = ProductStatus.ACTIVE


@dataclass(frozen=True)
class DiscoveryCatalog:
    fabric_slug: str
    bearing_slug: str
    products: list[Listed]


FABRICS: list[tuple[str, str, dict[str, Any], dict[str, list[tuple[int, str]]], str]] = [
    (
        "Bleached Organic Cotton Twill 220", "IN",
        {"gsm": 220, "weave": "twill", "organic": True, "certifications": ["GOTS", "OEKO-TEX"],
         "composition": "100% cotton", "colour": "navy", "grade": "A", "width": 150,
         "mill": "Tiruppur"},
        {"USD": [(1, "4.20"), (500, "3.90")]},
        "Organic cotton twill woven in Tiruppur, 220 g/m², GOTS certified.",
    ),
    (
        "Cotton Poplin 120", "TR",
        {"gsm": 120, "weave": "plain", "organic": False, "certifications": ["OEKO-TEX"],
         "composition": "100% cotton", "colour": "ecru", "grade": "B", "width": 145},
        {"USD": [(1, "1.80")]},
        "Plain weave cotton poplin for shirts.",
    ),
    (
        "Duck Canvas 340", "IN",
        {"gsm": 340, "weave": "plain", "organic": False, "composition": "100% cotton",
         "colour": "black", "grade": "A", "width": 150},
        {"USD": [(1, "5.50")], "EUR": [(1, "5.00")]},
        "Heavy cotton duck canvas for bags and workwear.",
    ),
    (
        "Silk Satin Drape 90", "CN",
        {"gsm": 90, "weave": "satin", "organic": True, "certifications": ["GOTS"],
         "composition": "100% silk", "colour": "black", "grade": "B", "width": 110},
        {"EUR": [(1, "3.00")]},
        "Silk satin with a fluid drape.",
    ),
    (
        "Twill Workwear Fabric 260", "IN",
        {"gsm": 260, "weave": "twill", "organic": False,
         "composition": "65% polyester 35% cotton", "colour": "navy", "grade": "A"},
        {"USD": [(1, "3.10")]},
        "Durable polyester-cotton twill for uniforms.",
    ),
]  # fmt: skip
BEARINGS: list[tuple[str, str, dict[str, Any], str, str]] = [
    ("Groove Ball Bearing 6204-2RS", "CN",
     {"bore_mm": 20, "seal": "2RS", "colour": "black", "grade": "A", "width": 14},
     "1.20", "Deep groove ball bearing, 20 x 47 x 14 mm, rubber sealed both sides."),
    ("Hybrid Ball Bearing 6205-ZZ", "JP",
     {"bore_mm": 25, "seal": "ZZ", "colour": "silver", "grade": "C", "width": 15},
     "1.80", "Hybrid ceramic ball bearing with metal shields."),
    ("Open Ball Bearing 6204", "IN",
     {"bore_mm": 20, "seal": "open", "colour": "black", "grade": "B", "width": 14},
     "0.95", "Open deep groove ball bearing, 20 mm bore."),
    ("Roller Bearing 30206 Tapered", "DE",
     {"bore_mm": 30, "seal": "open", "grade": "A", "width": 17.25},
     "6.40", "Tapered roller bearing for wheel hubs."),
]  # fmt: skip
BEARING_SKUS = ["BRG-6204-2RS", "BRG-6205-ZZ", "BRG-6204-OP", "BRG-30206"]
# Hours after EPOCH at which each product was created: fabrics, the draft, then bearings; the
# Hybrid and Open bearings share a moment, so the newest order falls back to the id.
CREATED_HOURS = [0, 1, 2, 3, 4, 5, 6, 7, 7, 9]


async def make_product_type(
    session: Any, name: str, attributes: tuple[tuple[Any, ...], ...]
) -> ProductType:
    product_type = ProductType(name=name, slug=unique(name.lower()))
    session.add(product_type)
    await session.flush()
    assert product_type.id is not None
    for position, (key, label, kind, unit, filterable, allowed) in enumerate(attributes):
        session.add(
            AttributeDefinition(
                product_type_id=product_type.id,
                key=key,
                label=label,
                kind=kind,
                unit=unit,
                filterable=filterable,
                allowed_values=list(allowed),
                position=position,
            )
        )
    await session.flush()
    return product_type


async def seed_discovery_catalog(db: Database) -> DiscoveryCatalog:
    """The catalog of the module docstring, created in table order (see CREATED_HOURS)."""
    listed: list[Listed] = []
    async with db.session() as session:
        fabric = await make_product_type(session, "Fabric", FABRIC_ATTRIBUTES)
        bearing = await make_product_type(session, "Bearing", BEARING_ATTRIBUTES)
        category = await make_category(session)
        moment = iter(EPOCH + timedelta(hours=hour) for hour in CREATED_HOURS)
        for number, (name, country, specs, prices, description) in enumerate(FABRICS, start=1):
            product = await make_product(
                session, product_type=fabric, category=category, name=name, specs=specs,
                country_of_origin=country, description=description, created_at=next(moment),
            )  # fmt: skip
            tiers = dict(prices)
            if name.startswith("Duck"):  # a second variant whose lowest break is cheaper
                await make_variant(session, product=product, sku="FAB-0003-NT",
                                   prices={"USD": [(10, "5.20"), (100, "4.00")]})  # fmt: skip
            await make_variant(session, product=product, sku=f"FAB-{number:04d}", prices=tiers)
            listed.append(Listed(name, fabric.slug, country, specs))
        draft = await make_product(
            session, product_type=fabric, category=category, name="Draft Organic Twill 220",
            specs={"gsm": 220, "weave": "twill", "organic": True}, status=ProductStatus.DRAFT,
            created_at=next(moment),
        )  # fmt: skip
        await make_variant(session, product=draft, sku="FAB-0099", prices={"USD": [(1, "4.00")]})
        listed.append(Listed(draft.name, fabric.slug, "IN", dict(draft.specs), ProductStatus.DRAFT))
        for (name, country, specs, usd, description), sku in zip(
            BEARINGS, BEARING_SKUS, strict=True
        ):
            product = await make_product(
                session, product_type=bearing, category=category, name=name, specs=specs,
                country_of_origin=country, description=description, created_at=next(moment),
            )  # fmt: skip
            await make_variant(session, product=product, sku=sku, prices={"USD": [(1, usd)]})
            listed.append(Listed(name, bearing.slug, country, specs))
        await session.commit()
        return DiscoveryCatalog(fabric.slug, bearing.slug, listed)
