"""What a valid product looks like as a mutation gives it: plain functions, no GraphQL, no I/O.

`check_product_details` returns the values keyed by column, normalised (trimmed text, bare HS
code digits, upper-case country), with every problem found, each at the API path at fault.
Specs are checked against the product type in the write transaction (`check_specs`), by the
one rule the flush hook applies too (`models.catalog.rules.validate_specs`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from core.outcomes import Issue, UserErrorCode
from models.catalog import AttributeDefinition, AttributeKind
from models.catalog.rules import CatalogRuleError, validate_specs
from models.reference import is_slug, normalise_hs_code
from resolvers.checks import Checker
from resolvers.outcomes import pk_of

MAX_NAME = 200
MAX_DESCRIPTION = 20_000
# Quantities in units: far above any real order, well inside a 32-bit column.
MAX_QUANTITY = 1_000_000_000
MAX_LEAD_TIME_DAYS = 3_650


@dataclass(frozen=True)
class SpecValue:
    """One spec as given: its attribute key and exactly one value."""

    key: str
    text: str | None = None
    number: float | None = None
    boolean: bool | None = None
    values: list[str] | None = None


@dataclass(frozen=True)
class ProductDetails:
    """A product's fields as a mutation gives them; None leaves a field as it is."""

    name: str | None = None
    slug: str | None = None
    description: str | None = None
    category_id: str | None = None
    product_type_id: str | None = None
    specs: list[SpecValue] | None = None
    hs_code: str | None = None
    country_of_origin: str | None = None
    moq: int | None = None
    lead_time_days: int | None = None
    incoterms: list[str] | None = None


@dataclass
class CheckedProduct:
    """Column values to write (specs still raw: the type decides their kinds), and issues."""

    values: dict[str, Any] = field(default_factory=dict)
    raw_specs: dict[str, Any] | None = None
    issues: list[Issue] = field(default_factory=list)


def check_product_details(
    details: ProductDetails, *, required: Sequence[str] = ()
) -> CheckedProduct:
    checker = Checker()
    out = CheckedProduct()
    for name in required:
        if getattr(details, name) is None:
            checker.fail((_api(name),), UserErrorCode.REQUIRED, "is required")
    if details.name is not None:
        out.values["name"] = checker.text(("name",), details.name, MAX_NAME, required=True)
    if details.slug is not None:
        out.values["slug"] = details.slug.strip()
        if not is_slug(out.values["slug"]):
            checker.fail(
                ("slug",),
                UserErrorCode.INVALID_SLUG,
                "must be lowercase letters, digits and single hyphens, at most 120 characters",
            )
    if details.description is not None:
        out.values["description"] = checker.text(
            ("description",), details.description, MAX_DESCRIPTION, required=False
        )
    for column, given in (
        ("category_id", details.category_id),
        ("product_type_id", details.product_type_id),
    ):
        if given is not None:
            out.values[column] = _reference(checker, column, given)
    if details.hs_code is not None:
        hs_code = normalise_hs_code(details.hs_code)
        if hs_code is None:
            checker.fail(("hsCode",), UserErrorCode.INVALID_HS_CODE, "must be 6, 8 or 10 digits")
        out.values["hs_code"] = hs_code
    if details.country_of_origin is not None:
        out.values["country_of_origin"] = checker.country(
            ("countryOfOrigin",), details.country_of_origin
        )
    if details.moq is not None:
        out.values["moq"] = checker.in_range(("moq",), details.moq, 1, MAX_QUANTITY)
    if details.lead_time_days is not None:
        out.values["lead_time_days"] = checker.in_range(
            ("leadTimeDays",), details.lead_time_days, 0, MAX_LEAD_TIME_DAYS
        )
    if details.incoterms is not None:
        if len(set(details.incoterms)) != len(details.incoterms):
            checker.fail(("incoterms",), UserErrorCode.DUPLICATE_ITEM, "lists a rule twice")
        out.values["incoterms"] = [checker.incoterm(("incoterms",), t) for t in details.incoterms]
    if details.specs is not None:
        out.raw_specs = _raw_specs(checker, details.specs)
    out.issues = checker.issues
    return out


def check_specs(
    attributes: Sequence[AttributeDefinition], raw: dict[str, Any]
) -> tuple[dict[str, Any], list[Issue]]:
    """The specs normalised for their type, or the issue of the first one that does not fit.

    An ENUM value arrives as a one-item `values` list, as `ProductSpec` shows it."""
    kinds = {attribute.key: AttributeKind(attribute.kind) for attribute in attributes}
    shaped = {
        key: value[0]
        if kinds.get(key) is AttributeKind.ENUM and isinstance(value, list) and len(value) == 1
        else value
        for key, value in raw.items()
    }
    try:
        return validate_specs(attributes, shaped), []
    except CatalogRuleError as wrong:
        path = ("input", *wrong.field.split(".", 1))
        return {}, [Issue(path, UserErrorCode.INVALID_SPEC, wrong.message)]


def _raw_specs(checker: Checker, specs: list[SpecValue]) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    for spec in specs:
        given = [
            value
            for value in (spec.text, spec.number, spec.boolean, spec.values)
            if value is not None
        ]
        if spec.key in raw:
            checker.fail(("specs", spec.key), UserErrorCode.DUPLICATE_ITEM, "is given twice")
        elif len(given) != 1:
            checker.fail(
                ("specs", spec.key),
                UserErrorCode.INVALID,
                "must have exactly one of text, number, boolean or values",
            )
        else:
            raw[spec.key] = given[0]
    return raw


def _reference(checker: Checker, column: str, global_id: str) -> int | None:
    type_name = "Category" if column == "category_id" else "ProductType"
    pk = pk_of(global_id, type_name)
    if pk is None:
        checker.fail((_api(column),), UserErrorCode.NOT_FOUND, f"no {type_name} has this id")
    return pk


def _api(column: str) -> str:
    head, *rest = column.split("_")
    return head + "".join(word.capitalize() for word in rest)
