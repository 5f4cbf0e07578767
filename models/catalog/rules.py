"""Write-time rules of the catalog that a database CHECK cannot express.

`validate_specs` is the one function that decides whether a product's specs fit its type;
the ORM flush hook, the demo seeder and (later) the admin API all call it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from models.catalog import AttributeDefinition, AttributeKind, Product, Variant
from models.reference import COUNTRY_CODES, CURRENCY_CODES, Incoterm, is_slug, normalise_hs_code

MAX_TEXT_SPEC_LENGTH = 500


class CatalogRuleError(ValueError):
    """A catalog write broke a rule; `field` names the offending field (`specs.gsm`, `hsCode`)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def validate_specs(
    attributes: Sequence[AttributeDefinition], specs: Mapping[str, Any]
) -> dict[str, Any]:
    """Check `specs` against a product type's attributes and return them normalised.

    Unknown keys and missing required attributes are errors; values must have the attribute's
    kind exactly (no string-to-number coercion), so a filter on them later means what it says.
    """
    if not isinstance(specs, Mapping):
        raise CatalogRuleError("specs", "must be an object keyed by attribute")
    by_key = {attribute.key: attribute for attribute in attributes}
    for key in specs:
        if key not in by_key:
            raise CatalogRuleError(f"specs.{key}", "is not an attribute of this product type")
    normalised: dict[str, Any] = {}
    for attribute in sorted(attributes, key=lambda a: (a.position, a.key)):
        value = specs.get(attribute.key)
        if value is None:
            if attribute.required:
                raise CatalogRuleError(f"specs.{attribute.key}", "is required")
            continue
        normalised[attribute.key] = _check_value(attribute, value)
    return normalised


def _check_value(attribute: AttributeDefinition, value: Any) -> Any:
    field = f"specs.{attribute.key}"
    kind = AttributeKind(attribute.kind)
    if kind is AttributeKind.TEXT:
        if not isinstance(value, str) or not value.strip():
            raise CatalogRuleError(field, "must be a non-empty text")
        if len(value) > MAX_TEXT_SPEC_LENGTH:
            raise CatalogRuleError(field, f"must be at most {MAX_TEXT_SPEC_LENGTH} characters")
        return value
    if kind is AttributeKind.NUMBER:
        return _number(field, value)
    if kind is AttributeKind.BOOLEAN:
        if not isinstance(value, bool):
            raise CatalogRuleError(field, "must be true or false")
        return value
    if kind is AttributeKind.ENUM:
        if value not in attribute.allowed_values:
            raise CatalogRuleError(field, f"must be one of {', '.join(attribute.allowed_values)}")
        return value
    if not isinstance(value, list) or not value:
        raise CatalogRuleError(field, "must be a non-empty list of values")
    unknown = [item for item in value if item not in attribute.allowed_values]
    if unknown:
        raise CatalogRuleError(field, f"has values outside {', '.join(attribute.allowed_values)}")
    if len(set(value)) != len(value):
        raise CatalogRuleError(field, "lists a value twice")
    return value


def _number(field: str, value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise CatalogRuleError(field, "must be a number")
    try:
        as_float = float(value)
    except OverflowError:  # an int beyond float's range, such as 10**400 read from JSON
        raise CatalogRuleError(field, "must be a finite number") from None
    if not math.isfinite(as_float):
        raise CatalogRuleError(field, "must be a finite number")
    return int(value) if as_float.is_integer() else as_float


def check_product(product: Product, attributes: Sequence[AttributeDefinition]) -> None:
    """Validate and normalise a product in place before it is written."""
    if not is_slug(product.slug):
        raise CatalogRuleError("slug", "must be lowercase letters, digits and single hyphens")
    hs_code = normalise_hs_code(product.hs_code)
    if hs_code is None:
        raise CatalogRuleError("hsCode", "must be an HS code of 6, 8 or 10 digits")
    product.hs_code = hs_code
    if product.country_of_origin not in COUNTRY_CODES:
        raise CatalogRuleError("countryOfOrigin", "must be an ISO 3166-1 alpha-2 country code")
    known = {term.value for term in Incoterm}
    if any(term not in known for term in product.incoterms):
        raise CatalogRuleError("incoterms", "must be Incoterms 2020 rules (EXW, FCA, FOB, ...)")
    if len(set(product.incoterms)) != len(product.incoterms):
        raise CatalogRuleError("incoterms", "lists a rule twice")
    product.specs = validate_specs(attributes, product.specs)


def check_currency(field: str, currency: str | None) -> None:
    if currency is not None and currency not in CURRENCY_CODES:
        raise CatalogRuleError(field, "must be an ISO 4217 currency code")


def check_variant(variant: Variant) -> None:
    if not variant.sku or len(variant.sku) > 64 or variant.sku != variant.sku.strip():
        raise CatalogRuleError("sku", "must be 1 to 64 characters without surrounding spaces")
    check_currency("costCurrency", variant.cost_currency)
