"""How the demo catalog's tables are written: categories, attributes, product types, prices.

A product type lists the attributes of its specs and a few "families" of real-sounding goods.
Family and default values follow one rule: a tuple means "pick one"; a picked mapping is merged
in, so values that must agree (a bearing designation and its dimensions, a spice's region and
country) travel together. Keys that are attributes of the type become specs; a few reserved
keys steer the draft (`category`, `hs_code`, `origin`, `price`, `options`, `title`); all other
keys are words for the name and description.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from models.catalog import AttributeKind


@dataclass(frozen=True)
class DemoCategory:
    slug: str
    name: str
    parent: str | None = None
    description: str = ""


@dataclass(frozen=True)
class DemoAttribute:
    key: str
    label: str
    kind: AttributeKind
    unit: str | None = None
    required: bool = False
    filterable: bool = False
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Usd:
    """A range of unit prices in US dollars (not a tuple: a tuple would mean "pick one")."""

    low: float
    high: float


@dataclass(frozen=True)
class DemoType:
    """A product type, the attributes of its specs, and how to draft products of it.

    `options` maps a variant axis to its values, or to the key of a multi-value spec whose
    values become the axis (a bag listed in black and tan comes in black and in tan).
    """

    slug: str
    name: str
    description: str
    sku_prefix: str
    share: int  # relative share of the demo products
    attributes: tuple[DemoAttribute, ...]
    title: str  # name template; families may override it with "title"
    blurb: str  # description template
    defaults: Mapping[str, Any]
    families: tuple[Mapping[str, Any], ...]
    words: Mapping[str, Mapping[Any, str]] = field(default_factory=dict)
    price_factors: Mapping[str, Mapping[Any, float]] = field(default_factory=dict)
    unit: str = "piece"
    moq: tuple[int, ...] = (100,)
    lead_time_days: tuple[int, ...] = (30,)
    incoterms: tuple[str, ...] = ("EXW", "FOB", "CIF")
    units_per_carton: tuple[int, ...] = (1,)
    unit_kg: float = 1.0
    unit_m3: float = 0.001


TEXT, NUMBER, BOOLEAN = AttributeKind.TEXT, AttributeKind.NUMBER, AttributeKind.BOOLEAN
ENUM, MULTI_ENUM = AttributeKind.ENUM, AttributeKind.MULTI_ENUM
