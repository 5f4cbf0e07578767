"""Drafting a demo product: the tables in, one product with variants and price tiers out.

`draft_product(rng, ordinal)` touches no database and no global state, so the same seed always
drafts the same catalog and `app.cli.seed_commands` only has to insert it.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from app.demo_catalog.product_types import PRODUCT_TYPES
from app.demo_catalog.structure import DemoType, Usd
from app.demo_catalog.trade import (
    COUNTRY_NAMES,
    DEFAULT_PRICE_USD,
    EXPORT_CURRENCIES,
    HOME_CURRENCY,
    PACK_FACTORS,
    QUANTITY_BREAKS,
    STATUSES,
    USD_RATES,
)
from models.catalog import ProductStatus


@dataclass(frozen=True)
class TierDraft:
    currency: str
    min_quantity: int
    unit_price: Decimal


@dataclass(frozen=True)
class VariantDraft:
    sku: str
    name: str
    option_values: dict[str, str]
    units_per_carton: int
    carton_weight_kg: Decimal
    carton_volume_m3: Decimal
    stock_on_hand: int
    stock_reserved: int
    cost_price: Decimal
    cost_currency: str
    tiers: tuple[TierDraft, ...]


@dataclass(frozen=True)
class ProductDraft:
    type_slug: str
    category_slug: str
    name: str
    slug: str
    description: str
    hs_code: str
    country_of_origin: str
    moq: int
    lead_time_days: int
    incoterms: list[str]
    specs: dict[str, Any]
    status: ProductStatus
    variants: tuple[VariantDraft, ...]


_TYPE_SHARES = [demo_type.share for demo_type in PRODUCT_TYPES]


def draft_product(rng: random.Random, ordinal: int) -> ProductDraft:
    """Draft product number `ordinal`; the ordinal makes its slug and SKUs unique."""
    demo_type = rng.choices(PRODUCT_TYPES, weights=_TYPE_SHARES)[0]
    values = _resolve(rng, {**demo_type.defaults, **rng.choice(demo_type.families)})
    attribute_keys = {attribute.key for attribute in demo_type.attributes}
    specs = {key: value for key, value in values.items() if key in attribute_keys}
    per_carton = rng.choice(demo_type.units_per_carton)
    plain = {key: _word(value) for key, value in values.items()}
    plain |= {"country": COUNTRY_NAMES[values["origin"]], "per_carton": str(per_carton)}
    # Names use the type's words ("2RS" reads "-2RS" after a designation); descriptions don't.
    named = plain | {
        key: table[values[key]]
        for key, table in demo_type.words.items()
        if key in values and values[key] in table
    }
    name = _fill(values.get("title", demo_type.title), named)
    factor = 1.0
    for key, factors in demo_type.price_factors.items():
        factor *= factors.get(values.get(key), 1.0)
    price: Usd = values.get("price", DEFAULT_PRICE_USD)
    currencies = ["USD", *rng.sample(EXPORT_CURRENCIES, rng.choice((1, 1, 2)))]
    home = HOME_CURRENCY.get(values["origin"])
    if home and rng.random() < 0.7:
        currencies.append(home)
    pricing = _Pricing(
        base_usd=rng.uniform(price.low, price.high) * factor,
        moq=rng.choice(demo_type.moq),
        breaks=rng.choice(QUANTITY_BREAKS),
        currencies=tuple(currencies),
        cost_currency=home if home in currencies else "USD",
        per_carton=per_carton,
    )
    prefix = f"{demo_type.sku_prefix}-{ordinal:06d}"
    variants = tuple(
        _variant(rng, demo_type, f"{prefix}-{number:02d}", option_values, pricing)
        for number, option_values in enumerate(_option_sets(rng, values, specs), start=1)
    )
    return ProductDraft(
        type_slug=demo_type.slug,
        category_slug=values["category"],
        name=name,
        slug=f"{slugify(name)[:100].rstrip('-')}-{ordinal}",
        description=_fill(demo_type.blurb, plain),
        hs_code=values["hs_code"],
        country_of_origin=values["origin"],
        moq=pricing.moq,
        lead_time_days=rng.choice(demo_type.lead_time_days),
        incoterms=[term for term in demo_type.incoterms if rng.random() < 0.6] or ["FOB"],
        specs=specs,
        status=rng.choice(STATUSES),
        variants=variants,
    )


def _resolve(rng: random.Random, table: Mapping[str, Any]) -> dict[str, Any]:
    """Pick one of every tuple; merge picked mappings (a designation with its dimensions)."""
    values: dict[str, Any] = {}
    for key, value in table.items():
        picked = rng.choice(value) if isinstance(value, tuple) else value
        if isinstance(picked, Mapping) and key != "options":
            values.update(_resolve(rng, picked))
        else:
            values[key] = picked
    return values


def _option_sets(
    rng: random.Random, values: Mapping[str, Any], specs: Mapping[str, Any]
) -> list[dict[str, str]]:
    """One to four option combinations; an axis named by a string takes a spec's values."""
    combos: list[dict[str, str]] = [{}]
    for axis, choices in values.get("options", {}).items():
        pool = specs[choices] if isinstance(choices, str) else choices
        if axis == "colour" and not isinstance(choices, str):
            pool = rng.sample(pool, min(len(pool), rng.randint(1, 3)))
        combos = [{**combo, axis: str(choice)} for combo in combos for choice in pool]
    return sorted(rng.sample(combos, min(len(combos), rng.randint(1, 4))), key=str)


@dataclass(frozen=True)
class _Pricing:
    """What the variants of one product share: base price, MOQ, breaks, currencies, carton."""

    base_usd: float
    moq: int
    breaks: tuple[int, ...]
    currencies: tuple[str, ...]
    cost_currency: str
    per_carton: int


def _variant(
    rng: random.Random,
    demo_type: DemoType,
    sku: str,
    option_values: dict[str, str],
    pricing: _Pricing,
) -> VariantDraft:
    # A 25 kg sack is 25 selling units of the type's base unit: price, weight and MOQ scale.
    pack = 1.0
    for value in option_values.values():
        pack *= PACK_FACTORS.get(value, 1.0)
    units_per_carton = max(1, round(pricing.per_carton / pack))
    unit_usd = pricing.base_usd * pack * rng.uniform(0.96, 1.06)
    # A bigger pack starts its ladder at fewer units; never above the MOQ, or a buyer
    # ordering the MOQ would find no price (the rule setPriceTiers enforces).
    first = min(pricing.moq, _two_figures(pricing.moq / pack))
    discounts = [0.0, *sorted(rng.uniform(0.03, 0.2) for _ in pricing.breaks[1:])]
    tiers: list[TierDraft] = []
    for currency in pricing.currencies:
        previous: Decimal | None = None
        for step, discount in zip(pricing.breaks, discounts, strict=True):
            price = _money(Decimal(unit_usd * (1 - discount)) * USD_RATES[currency])
            if previous is not None and price >= previous:  # rounding must not flatten a break
                price = previous - _quantum(previous)
            tiers.append(TierDraft(currency, first * step, price))
            previous = price
    lowest = min(tier.unit_price for tier in tiers if tier.currency == pricing.cost_currency)
    carton_kg = demo_type.unit_kg * pack * units_per_carton * rng.uniform(0.9, 1.1) + 0.4
    carton_m3 = demo_type.unit_m3 * pack * units_per_carton * rng.uniform(0.9, 1.15)
    stock = rng.choice((0, rng.randint(1, 40), rng.randint(40, 800))) * units_per_carton
    return VariantDraft(
        sku=sku,
        name=" / ".join(option_values.values()) or "Standard",
        option_values=option_values,
        units_per_carton=units_per_carton,
        carton_weight_kg=Decimal(f"{carton_kg:.3f}"),
        carton_volume_m3=max(Decimal("0.0001"), Decimal(f"{carton_m3:.4f}")),
        stock_on_hand=stock,
        stock_reserved=rng.randint(0, stock // 5) if stock else 0,
        cost_price=(lowest * Decimal(f"{rng.uniform(0.55, 0.85):.2f}")).quantize(Decimal("0.0001")),
        cost_currency=pricing.cost_currency,
        tiers=tuple(tiers),
    )


def _two_figures(quantity: float) -> int:
    """Round a minimum quantity to two significant figures: 385 towels read as 390."""
    scale: int = 10 ** max(0, len(str(round(quantity))) - 2)
    return max(1, round(quantity / scale) * scale)


def _quantum(price: Decimal) -> Decimal:
    # Whole cents from one unit of currency up; four places below, for screws by the piece.
    return Decimal("0.01") if price >= 1 else Decimal("0.0001")


def _money(price: Decimal) -> Decimal:
    return price.quantize(_quantum(price), rounding=ROUND_HALF_UP)


def _word(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if not isinstance(value, str | int | float):  # variant options, a price range
        return ""
    return f"{value:g}" if isinstance(value, float) else str(value)


def _fill(template: str, words: Mapping[str, str]) -> str:
    """Fill a template twice (a family word may itself be a template), then tidy spaces."""
    for _ in range(2):
        template = template.format_map(_Blank(words))
    return " ".join(template.replace(" ,", ",").split())


class _Blank(dict[str, str]):
    """Template words; a missing optional spec reads as nothing instead of raising KeyError."""

    def __missing__(self, key: str) -> str:
        return ""


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
