"""What a valid variant and price ladder look like as a mutation gives them: plain functions.

Each check returns the values keyed by column, normalised, with every problem found at the
API path at fault. The database's CHECK constraints back the same rules up.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from core.outcomes import Issue, UserErrorCode
from models.money import UNIT_PRICE_PLACES, has_too_many_places
from resolvers.catalog.product_rules import MAX_QUANTITY
from resolvers.checks import Checker, Path

MAX_SKU = 64
MAX_VARIANT_NAME = 200
MAX_OPTIONS = 20
MAX_OPTION_NAME = 64
MAX_OPTION_VALUE = 120
MAX_UNITS_PER_CARTON = 1_000_000
MAX_TIERS = 50
# Decimal places of the columns: carton_weight_kg Numeric(10, 3), carton_volume_m3 (10, 4).
WEIGHT_PLACES = 3
VOLUME_PLACES = 4


@dataclass(frozen=True)
class CostPrice:
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class VariantDetails:
    """A variant's fields as a mutation gives them; None leaves a field as it is."""

    sku: str | None = None
    name: str | None = None
    option_values: list[tuple[str, str]] | None = None
    units_per_carton: int | None = None
    carton_weight_kg: Decimal | None = None
    carton_volume_m3: Decimal | None = None
    cost: CostPrice | None = None


@dataclass(frozen=True)
class Tier:
    min_quantity: int
    unit_price: Decimal


def check_variant_details(
    details: VariantDetails, *, required: tuple[str, ...] = ()
) -> tuple[dict[str, Any], list[Issue]]:
    checker = Checker()
    values: dict[str, Any] = {}
    if "sku" in required and details.sku is None:
        checker.fail(("sku",), UserErrorCode.REQUIRED, "is required")
    if details.sku is not None:
        values["sku"] = checker.text(("sku",), details.sku, MAX_SKU, required=True)
    if details.name is not None:
        values["name"] = checker.text(("name",), details.name, MAX_VARIANT_NAME, required=False)
    if details.option_values is not None:
        values["option_values"] = _options(checker, details.option_values)
    if details.units_per_carton is not None:
        values["units_per_carton"] = checker.in_range(
            ("unitsPerCarton",), details.units_per_carton, 1, MAX_UNITS_PER_CARTON
        )
    for column, api, places, given in (
        ("carton_weight_kg", "cartonWeightKg", WEIGHT_PLACES, details.carton_weight_kg),
        ("carton_volume_m3", "cartonVolumeM3", VOLUME_PLACES, details.carton_volume_m3),
    ):
        if given is not None:
            _measure(checker, (api,), given, places, positive=True)
            values[column] = given
    if details.cost is not None:
        _measure(
            checker, ("cost", "amount"), details.cost.amount, UNIT_PRICE_PLACES, positive=False
        )
        values["cost_price"] = details.cost.amount
        values["cost_currency"] = checker.currency(("cost", "currency"), details.cost.currency)
    return values, checker.issues


def check_ladder(
    currency: str, tiers: list[Tier], most: Decimal
) -> tuple[str, list[Tier], list[Issue]]:
    """The currency normalised and the tiers, ascending by minimum quantity, each priced
    above zero with at most 4 decimals; an empty ladder removes the currency's prices."""
    checker = Checker(at=())
    code = checker.currency(("currency",), currency)
    if len(tiers) > MAX_TIERS:
        checker.fail(
            ("tiers",), UserErrorCode.TOO_MANY_ITEMS, f"must hold at most {MAX_TIERS} tiers"
        )
    for index, tier in enumerate(tiers):
        where = ("tiers", str(index))
        checker.in_range((*where, "minQuantity"), tier.min_quantity, 1, MAX_QUANTITY)
        checker.unit_price((*where, "unitPrice"), tier.unit_price, most)
        if index and tier.min_quantity <= tiers[index - 1].min_quantity:
            checker.fail(
                (*where, "minQuantity"),
                UserErrorCode.NOT_ASCENDING,
                f"must be above the previous tier's {tiers[index - 1].min_quantity}",
            )
    return code, tiers, checker.issues


def first_tier_issues(tiers: list[Tier], moq: int) -> list[Issue]:
    """A ladder must price what a buyer can order: it starts at or below the product's MOQ."""
    if tiers and tiers[0].min_quantity > moq:
        return [
            Issue(
                ("tiers", "0", "minQuantity"),
                UserErrorCode.TIER_ABOVE_MOQ,
                f"must be at most the product's MOQ of {moq}, so that its MOQ has a price",
            )
        ]
    return []


def _options(checker: Checker, options: list[tuple[str, str]]) -> dict[str, str]:
    if len(options) > MAX_OPTIONS:
        checker.fail(
            ("optionValues",), UserErrorCode.TOO_MANY_ITEMS, f"must hold at most {MAX_OPTIONS}"
        )
    cleaned: dict[str, str] = {}
    for index, (name, value) in enumerate(options):
        where = ("optionValues", str(index))
        key = checker.text((*where, "name"), name, MAX_OPTION_NAME, required=True)
        text = checker.text((*where, "value"), value, MAX_OPTION_VALUE, required=True)
        if key in cleaned:
            checker.fail((*where, "name"), UserErrorCode.DUPLICATE_ITEM, "names an option twice")
        cleaned[key] = text
    return cleaned


def _measure(
    checker: Checker, where: Path, amount: Decimal, places: int, *, positive: bool
) -> None:
    if not amount.is_finite() or has_too_many_places(amount, places):
        checker.fail(where, UserErrorCode.INVALID_AMOUNT, f"must have at most {places} decimals")
    elif amount < 0 or (positive and amount == 0):
        bound = "above 0" if positive else "0 or more"
        checker.fail(where, UserErrorCode.OUT_OF_RANGE, f"must be {bound}")
