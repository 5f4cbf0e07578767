"""The demo's product types, in the order the seeder inserts them and the drafter weighs them."""

from __future__ import annotations

from app.demo_catalog.ceramics import TABLEWARE, TILE
from app.demo_catalog.leather_goods import LEATHER_GOOD
from app.demo_catalog.machine_parts import BEARING, FASTENER
from app.demo_catalog.spices import SPICE
from app.demo_catalog.structure import DemoType
from app.demo_catalog.textiles import FABRIC, HOME_TEXTILE

PRODUCT_TYPES: tuple[DemoType, ...] = (
    FABRIC,
    HOME_TEXTILE,
    SPICE,
    BEARING,
    FASTENER,
    LEATHER_GOOD,
    TABLEWARE,
    TILE,
)
