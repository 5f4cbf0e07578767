"""The catalog's write rules: specs against a product type, trade codes, SKUs, currencies."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlmodel import col

from core.db import Database
from models.catalog import AttributeDefinition, AttributeKind, PriceTier, Product, Variant
from models.catalog.rules import (
    MAX_TEXT_SPEC_LENGTH,
    CatalogRuleError,
    check_product,
    check_variant,
    validate_specs,
)
from tests.builders import make_category, make_fabric_type, make_product, make_variant

# The fabric type of tests/builders.py: one attribute of each kind, only `gsm` required.
FABRIC = [
    AttributeDefinition(
        product_type_id=1,
        key="gsm",
        label="Fabric weight",
        kind=AttributeKind.NUMBER,
        unit="g/m²",
        required=True,
        position=1,
    ),
    AttributeDefinition(
        product_type_id=1,
        key="weave",
        label="Weave",
        kind=AttributeKind.ENUM,
        allowed_values=["plain", "twill", "satin"],
        position=2,
    ),
    AttributeDefinition(
        product_type_id=1, key="organic", label="Organic", kind=AttributeKind.BOOLEAN, position=3
    ),
    AttributeDefinition(
        product_type_id=1,
        key="composition",
        label="Composition",
        kind=AttributeKind.TEXT,
        position=4,
    ),
    AttributeDefinition(
        product_type_id=1,
        key="certifications",
        label="Certifications",
        kind=AttributeKind.MULTI_ENUM,
        allowed_values=["GOTS", "OEKO-TEX", "BCI"],
        position=5,
    ),
]


def typed(specs: dict[str, Any]) -> dict[str, tuple[type, Any]]:
    """Specs with each value's type, so 220 and 220.0 do not compare equal."""
    return {key: (type(value), value) for key, value in specs.items()}


@pytest.mark.parametrize(
    ("specs", "expected"),
    [
        ({"gsm": 220}, {"gsm": 220}),
        ({"gsm": 220.0}, {"gsm": 220}),
        ({"gsm": Decimal("220.00")}, {"gsm": 220}),
        ({"gsm": 180.5}, {"gsm": 180.5}),
        ({"gsm": Decimal("180.5")}, {"gsm": 180.5}),
        ({"gsm": 0}, {"gsm": 0}),
        ({"gsm": 220, "weave": "satin"}, {"gsm": 220, "weave": "satin"}),
        ({"gsm": 220, "organic": True}, {"gsm": 220, "organic": True}),
        ({"gsm": 220, "organic": False}, {"gsm": 220, "organic": False}),
        ({"gsm": 220, "composition": "100% cotton"}, {"gsm": 220, "composition": "100% cotton"}),
        (
            {"gsm": 220, "composition": "x" * MAX_TEXT_SPEC_LENGTH},
            {"gsm": 220, "composition": "x" * MAX_TEXT_SPEC_LENGTH},
        ),
        ({"gsm": 220, "certifications": ["GOTS"]}, {"gsm": 220, "certifications": ["GOTS"]}),
        (
            {"gsm": 220, "certifications": ["BCI", "GOTS", "OEKO-TEX"]},
            {"gsm": 220, "certifications": ["BCI", "GOTS", "OEKO-TEX"]},
        ),
        # optional attributes may be missing or null; null ones are dropped
        ({"gsm": 220, "weave": None, "organic": None}, {"gsm": 220}),
    ],
)
def test_valid_specs_are_accepted_and_normalised(
    specs: dict[str, Any], expected: dict[str, Any]
) -> None:
    # given specs that fit the fabric type, when validated
    normalised = validate_specs(FABRIC, specs)
    # then they come back normalised, with whole numbers as int
    assert typed(normalised) == typed(expected)


def test_normalised_specs_follow_attribute_order_without_changing_the_input() -> None:
    specs = {"certifications": ["GOTS"], "organic": False, "gsm": 150.0, "weave": "plain"}
    normalised = validate_specs(FABRIC, specs)
    assert list(normalised) == ["gsm", "weave", "organic", "certifications"]
    assert specs["gsm"] == 150.0
    assert type(specs["gsm"]) is float


@pytest.mark.parametrize(
    ("specs", "field"),
    [
        # number: exactly a finite number, no strings, no booleans
        ({"gsm": "220"}, "specs.gsm"),
        ({"gsm": True}, "specs.gsm"),
        ({"gsm": False}, "specs.gsm"),
        ({"gsm": math.nan}, "specs.gsm"),
        ({"gsm": math.inf}, "specs.gsm"),
        ({"gsm": -math.inf}, "specs.gsm"),
        ({"gsm": Decimal("NaN")}, "specs.gsm"),
        ({"gsm": 10**400}, "specs.gsm"),
        ({"gsm": [220]}, "specs.gsm"),
        # required: missing or null
        ({}, "specs.gsm"),
        ({"weave": "twill"}, "specs.gsm"),
        ({"gsm": None}, "specs.gsm"),
        # enum: one of the allowed values
        ({"gsm": 220, "weave": "denim"}, "specs.weave"),
        ({"gsm": 220, "weave": "Twill"}, "specs.weave"),
        ({"gsm": 220, "weave": ["twill"]}, "specs.weave"),
        # boolean: true or false only
        ({"gsm": 220, "organic": "yes"}, "specs.organic"),
        ({"gsm": 220, "organic": 1}, "specs.organic"),
        # text: non-empty, bounded
        ({"gsm": 220, "composition": ""}, "specs.composition"),
        ({"gsm": 220, "composition": "   "}, "specs.composition"),
        ({"gsm": 220, "composition": 100}, "specs.composition"),
        ({"gsm": 220, "composition": "x" * (MAX_TEXT_SPEC_LENGTH + 1)}, "specs.composition"),
        # multi_enum: a non-empty list of distinct allowed values
        ({"gsm": 220, "certifications": []}, "specs.certifications"),
        ({"gsm": 220, "certifications": "GOTS"}, "specs.certifications"),
        ({"gsm": 220, "certifications": ["GOTS", "GOTS"]}, "specs.certifications"),
        ({"gsm": 220, "certifications": ["GOTS", "ISO 9001"]}, "specs.certifications"),
        # unknown attribute
        ({"gsm": 220, "colour": "navy"}, "specs.colour"),
    ],
)
def test_invalid_specs_are_refused_naming_the_attribute(specs: dict[str, Any], field: str) -> None:
    # given specs that break one rule, when validated, then the error names the attribute
    with pytest.raises(CatalogRuleError) as raised:
        validate_specs(FABRIC, specs)
    assert raised.value.field == field
    assert str(raised.value).startswith(f"{field}: ")


@pytest.mark.parametrize("specs", [["gsm", 220], "gsm=220", None])
def test_specs_that_are_not_an_object_are_refused(specs: Any) -> None:
    with pytest.raises(CatalogRuleError) as raised:
        validate_specs(FABRIC, specs)
    assert raised.value.field == "specs"


def test_a_type_without_attributes_accepts_only_empty_specs() -> None:
    assert validate_specs([], {}) == {}
    with pytest.raises(CatalogRuleError) as raised:
        validate_specs([], {"gsm": 220})
    assert raised.value.field == "specs.gsm"


def product(**overrides: Any) -> Product:
    fields: dict[str, Any] = {
        "product_type_id": 1,
        "category_id": 1,
        "name": "Cotton poplin",
        "slug": "cotton-poplin",
        "hs_code": "520832",
        "country_of_origin": "IN",
        "incoterms": ["FOB", "CIF"],
        "specs": {"gsm": 120},
        **overrides,
    }
    return Product(**fields)


def test_valid_product_is_normalised_in_place() -> None:
    # given a product with a dotted HS code and a float whole number in its specs
    item = product(hs_code="5208.32", specs={"gsm": 120.0, "weave": "plain"})
    # when checked
    check_product(item, FABRIC)
    # then both are stored in their canonical form
    assert item.hs_code == "520832"
    assert typed(item.specs) == typed({"gsm": 120, "weave": "plain"})


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("520832", "520832"),
        ("5208.32", "520832"),
        ("8482 10 10", "84821010"),
        ("8482.10.10.00", "8482101000"),
    ],
)
def test_hs_code_is_stored_as_digits(given: str, stored: str) -> None:
    item = product(hs_code=given)
    check_product(item, FABRIC)
    assert item.hs_code == stored


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"slug": "Cotton-Poplin"}, "slug"),
        ({"slug": "cotton poplin"}, "slug"),
        ({"slug": "cotton--poplin"}, "slug"),
        ({"slug": "-cotton"}, "slug"),
        ({"slug": ""}, "slug"),
        ({"slug": "a" * 121}, "slug"),
        ({"hs_code": "52083"}, "hsCode"),
        ({"hs_code": "5208321"}, "hsCode"),
        ({"hs_code": "52083A"}, "hsCode"),
        ({"hs_code": "52-08-32"}, "hsCode"),
        ({"hs_code": "84821010001"}, "hsCode"),
        ({"country_of_origin": "XX"}, "countryOfOrigin"),
        ({"country_of_origin": "in"}, "countryOfOrigin"),
        ({"country_of_origin": "IND"}, "countryOfOrigin"),
        ({"incoterms": ["FOB", "FOT"]}, "incoterms"),
        ({"incoterms": ["fob"]}, "incoterms"),
        ({"incoterms": ["DAT"]}, "incoterms"),
        ({"incoterms": ["FOB", "CIF", "FOB"]}, "incoterms"),
        ({"specs": {"gsm": "heavy"}}, "specs.gsm"),
    ],
)
def test_invalid_product_is_refused_with_the_api_field_name(
    overrides: dict[str, Any], field: str
) -> None:
    with pytest.raises(CatalogRuleError) as raised:
        check_product(product(**overrides), FABRIC)
    assert raised.value.field == field


def test_product_with_every_incoterm_and_none_is_accepted() -> None:
    every = ["EXW", "FCA", "CPT", "CIP", "DAP", "DPU", "DDP", "FAS", "FOB", "CFR", "CIF"]
    for incoterms in (every, []):
        item = product(incoterms=incoterms)
        check_product(item, FABRIC)
        assert item.incoterms == incoterms


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"sku": ""}, "sku"),
        ({"sku": " PPL-WHT"}, "sku"),
        ({"sku": "PPL-WHT\n"}, "sku"),
        ({"sku": "S" * 65}, "sku"),
        ({"cost_price": Decimal("2.10"), "cost_currency": "XYZ"}, "costCurrency"),
        ({"cost_price": Decimal("2.10"), "cost_currency": "usd"}, "costCurrency"),
    ],
)
def test_invalid_variant_is_refused(overrides: dict[str, Any], field: str) -> None:
    variant = Variant(**{"product_id": 1, "sku": "PPL-WHT", **overrides})
    with pytest.raises(CatalogRuleError) as raised:
        check_variant(variant)
    assert raised.value.field == field


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"sku": "S" * 64},
        {"sku": "PPL WHT 150"},
        {"cost_price": Decimal("2.10"), "cost_currency": "EUR"},
    ],
)
def test_valid_variant_is_accepted(overrides: dict[str, Any]) -> None:
    variant = Variant(**{"product_id": 1, "sku": "PPL-WHT", **overrides})
    check_variant(variant)
    assert variant.sku == overrides.get("sku", "PPL-WHT")


# Through the ORM: the before_flush hook applies the same rules to every write.


async def test_flush_refuses_a_new_product_with_bad_specs_and_writes_nothing(
    db: Database,
) -> None:
    async with db.session() as session:
        # given a fabric type, and a valid and an invalid product added together
        fabric = await make_fabric_type(session)
        category = await make_category(session)
        assert fabric.id is not None
        assert category.id is not None
        base = {"product_type_id": fabric.id, "category_id": category.id}
        session.add(product(**base, slug="valid-poplin", specs={"gsm": 120}))
        session.add(product(**base, slug="bad-poplin", specs={"gsm": 120, "weave": "denim"}))
        # when the session flushes, then the rule error names the attribute
        with pytest.raises(CatalogRuleError) as raised:
            await session.flush()
        assert raised.value.field == "specs.weave"
        # and neither product was written
        written = await session.scalar(
            select(func.count()).where(col(Product.product_type_id) == fabric.id)
        )
        assert written == 0


async def test_flush_refuses_updating_specs_to_a_bad_value(db: Database) -> None:
    async with db.session() as session:
        # given a stored product
        fabric = await make_fabric_type(session)
        category = await make_category(session)
        item = await make_product(
            session, product_type=fabric, category=category, specs={"gsm": 220}
        )
        # when its specs are changed to a text weight and flushed
        item.specs = {"gsm": "heavy"}
        with pytest.raises(CatalogRuleError) as raised:
            await session.flush()
        # then the error names the attribute and the stored specs are unchanged
        assert raised.value.field == "specs.gsm"
        stored = await session.scalar(select(col(Product.specs)).where(col(Product.id) == item.id))
        assert stored == {"gsm": 220}


async def test_flush_stores_normalised_specs_and_hs_code(db: Database) -> None:
    async with db.session() as session:
        fabric = await make_fabric_type(session)
        category = await make_category(session)
        item = await make_product(
            session,
            product_type=fabric,
            category=category,
            hs_code="5208.32",
            specs={"gsm": 220.0, "certifications": ["GOTS"]},
        )
        row = (
            await session.execute(
                select(col(Product.hs_code), col(Product.specs)).where(col(Product.id) == item.id)
            )
        ).one()
        assert row.hs_code == "520832"
        assert typed(row.specs) == typed({"gsm": 220, "certifications": ["GOTS"]})


async def test_flush_refuses_unknown_currencies_on_variants_and_price_tiers(db: Database) -> None:
    async with db.session() as session:
        fabric = await make_fabric_type(session)
        category = await make_category(session)
        item = await make_product(session, product_type=fabric, category=category)
        variant = await make_variant(session, product=item)
        assert item.id is not None
        assert variant.id is not None
        # given a variant costed in a currency that does not exist
        session.add(
            Variant(
                product_id=item.id,
                sku="PPL-XYZ",
                cost_price=Decimal("1.00"),
                cost_currency="XYZ",
            )
        )
        with pytest.raises(CatalogRuleError) as raised:
            await session.flush()
        assert raised.value.field == "costCurrency"
        session.expunge_all()
        # given a price tier in a currency that does not exist
        session.add(
            PriceTier(
                variant_id=variant.id, currency="ABC", min_quantity=1, unit_price=Decimal("1")
            )
        )
        with pytest.raises(CatalogRuleError) as raised:
            await session.flush()
        assert raised.value.field == "currency"
