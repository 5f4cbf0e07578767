"""The demo import-export catalog behind `tradeql seed-demo`: data tables and a pure drafter.

The tables describe what a trader in Mumbai, Izmir or Shenzhen lists: a category tree, product
types whose specs differ as much as fabric and bearings do, and for each type a few "families"
of real-sounding goods with their HS codes, origins, variant options and price ranges.

`draft_product(rng, ordinal)` turns the tables into one product with variants and price tiers,
touching no database, so the same seed always drafts the same catalog and
`app.cli.seed_commands` only has to insert it.

Family and default values follow one rule: a tuple means "pick one"; a picked mapping is merged
in, so values that must agree (a bearing designation and its dimensions, a spice's region and
country) travel together. Keys that are attributes of the type become specs; a few reserved
keys steer the draft (`category`, `hs_code`, `origin`, `price`, `options`, `title`); all other
keys are words for the name and description.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from models.catalog import AttributeKind, ProductStatus

# --------------------------------------------------------------------------------------------
# Structure
# --------------------------------------------------------------------------------------------


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

# The tables below are laid out by hand as tables; the formatter would put one item per line.
# fmt: off

# Parents come before their children, so the seeder can insert in this order.
CATEGORIES: tuple[DemoCategory, ...] = (
    DemoCategory("textiles", "Textiles", None, "Fabrics by the metre and finished home textiles."),
    DemoCategory("woven-fabrics", "Woven fabrics", "textiles", "Poplin, twill, canvas, denim."),
    DemoCategory("knits", "Knits", "textiles", "Jersey, interlock, pique and terry knits."),
    DemoCategory("home-textiles", "Home textiles", "textiles", "Towels and bed linen."),
    DemoCategory("towels", "Towels", "home-textiles", "Terry and waffle towels."),
    DemoCategory("bed-linen", "Bed linen", "home-textiles", "Percale and sateen sheet sets."),
    DemoCategory("spices-herbs", "Spices & herbs", None, "Whole and ground spices, dried herbs."),
    DemoCategory("whole-spices", "Whole spices", "spices-herbs", "Pepper, cardamom, cumin."),
    DemoCategory("ground-spices", "Ground spices", "spices-herbs", "Powders, steam-sterilised."),
    DemoCategory("leather-goods", "Leather goods", None, "Bags and belts from tanned hides."),
    DemoCategory("bags", "Bags", "leather-goods", "Messengers, totes, briefcases, wallets."),
    DemoCategory("belts", "Belts", "leather-goods", "Dress, casual and jeans belts."),
    DemoCategory("machine-parts", "Machine parts", None, "Bearings and industrial fasteners."),
    DemoCategory("bearings", "Bearings", "machine-parts", "Ball and roller bearings."),
    DemoCategory("fasteners", "Fasteners", "machine-parts", "Bolts and screws to DIN and ISO."),
    DemoCategory("ceramics", "Ceramics", None, "Tableware and floor and wall tiles."),
    DemoCategory("tableware", "Tableware", "ceramics", "Dinner sets, mugs and bowls."),
    DemoCategory("tiles", "Tiles", "ceramics", "Porcelain and vitrified tiles."),
)

COUNTRY_NAMES = {
    "BD": "Bangladesh", "CN": "China", "DE": "Germany", "EG": "Egypt", "ES": "Spain",
    "GT": "Guatemala", "ID": "Indonesia", "IN": "India", "IT": "Italy", "JP": "Japan",
    "LK": "Sri Lanka", "MG": "Madagascar", "PK": "Pakistan", "PT": "Portugal", "TR": "Türkiye",
    "TW": "Taiwan", "TZ": "Tanzania", "VN": "Vietnam",
}

# Demo exchange rates per US dollar; tiers in other currencies are converted with these.
USD_RATES = {
    "USD": Decimal("1"), "EUR": Decimal("0.92"), "GBP": Decimal("0.79"), "AED": Decimal("3.6725"),
    "INR": Decimal("83.4"), "TRY": Decimal("32.6"), "CNY": Decimal("7.24"),
}
EXPORT_CURRENCIES = ("EUR", "GBP", "AED")
# A supplier quotes in its home currency too, and books its costs in it.
HOME_CURRENCY = {"IN": "INR", "TR": "TRY", "CN": "CNY"}

# How many base selling units one option value holds: prices, weights and MOQs scale by it.
PACK_FACTORS = {
    "1 kg pouch": 1.0, "5 kg bag": 5.0, "25 kg PP sack": 25.0, "50 kg jute bag": 50.0,
    "box of 100": 1.0, "box of 500": 5.0, "box of 1,000": 10.0,
    "Hand 50x90 cm": 0.45, "Bath 70x140 cm": 1.0, "Bath sheet 90x160 cm": 1.4,
    "Single": 0.8, "Double": 1.0, "Queen": 1.15, "King": 1.3,
}

# --------------------------------------------------------------------------------------------
# Product types
# --------------------------------------------------------------------------------------------

COLOURS = ("Natural", "White", "Black", "Navy", "Olive", "Indigo", "Khaki", "Sand", "Charcoal")

FABRIC = DemoType(
    slug="fabric",
    name="Fabric",
    description="Woven and knitted fabric sold by the metre in rolls.",
    sku_prefix="FAB",
    share=20,
    attributes=(
        DemoAttribute("gsm", "Weight", NUMBER, "g/m²", required=True, filterable=True),
        DemoAttribute("weave", "Weave / knit", ENUM, required=True, filterable=True, values=(
            "plain", "twill", "satin", "oxford", "canvas", "denim", "jersey", "interlock",
            "pique", "french terry")),
        DemoAttribute("composition", "Composition", TEXT, required=True),
        DemoAttribute("width_cm", "Usable width", NUMBER, "cm", filterable=True),
        DemoAttribute("finish", "Finish", ENUM, filterable=True, values=(
            "greige", "bleached", "piece-dyed", "yarn-dyed", "printed")),
        DemoAttribute("organic", "GOTS organic", BOOLEAN, filterable=True),
    ),
    title="{gsm} GSM {organic}{quality}",
    blurb="{composition} {weave} fabric, {gsm} g/m², {width_cm} cm usable width, {finish}. "
    "{made} in {country}; sold by the metre in rolls of {per_carton} m.",
    defaults={"organic": (True, False, False), "origin": ("IN", "IN", "PK", "BD", "CN", "TR"),
              "made": "Woven", "options": {"colour": COLOURS}},
    families=(
        {"quality": "Cotton Poplin", "category": "woven-fabrics", "weave": "plain",
         "composition": "100% cotton", "gsm": (110, 120, 135), "width_cm": (147, 150),
         "finish": "piece-dyed", "hs_code": "5208.32"},
        {"quality": "Printed Cotton Voile", "category": "woven-fabrics", "weave": "plain",
         "composition": "100% cotton", "gsm": (70, 80, 90), "width_cm": (112, 147),
         "finish": "printed", "hs_code": "5208.51", "price": Usd(1.6, 2.8)},
        {"quality": "Cotton Twill", "category": "woven-fabrics", "weave": "twill",
         "composition": "100% cotton", "gsm": (220, 240, 260, 280), "width_cm": (147, 150, 160),
         "finish": ("piece-dyed", {"finish": "greige", "hs_code": "5209.12",
                                   "options": {"colour": ("Greige",)}}),
         "hs_code": "5209.32"},
        {"quality": "Cotton Canvas", "category": "woven-fabrics", "weave": "canvas",
         "composition": "100% cotton", "gsm": (300, 340, 400), "width_cm": (150, 160),
         "finish": "piece-dyed", "hs_code": "5209.31", "price": Usd(3.2, 5.5)},
        {"quality": "Cotton Denim", "category": "woven-fabrics", "weave": "denim",
         "composition": ("100% cotton", "98% cotton, 2% elastane"), "gsm": (300, 340, 400),
         "width_cm": (147, 150), "finish": "yarn-dyed", "hs_code": "5209.42",
         "options": {"colour": ("Indigo", "Black", "Ecru")}, "price": Usd(3.0, 5.0)},
        {"quality": "Cotton Oxford", "category": "woven-fabrics", "weave": "oxford",
         "composition": "100% cotton", "gsm": (130, 145, 160), "width_cm": (147, 150),
         "finish": "yarn-dyed", "hs_code": "5208.42"},
        {"quality": "Linen Plain Weave", "category": "woven-fabrics", "weave": "plain",
         "composition": "100% linen", "gsm": (150, 180, 200), "width_cm": (140, 150),
         "finish": "piece-dyed", "hs_code": "5309.29", "origin": ("CN", "IN", "EG"),
         "price": Usd(5.5, 9.0)},
        {"quality": "Poly-Cotton Poplin", "category": "woven-fabrics", "weave": "plain",
         "composition": "65% polyester, 35% cotton", "gsm": (110, 120), "organic": False,
         "width_cm": (147, 160), "finish": "piece-dyed", "hs_code": "5513.21",
         "price": Usd(1.1, 1.8)},
        {"quality": "Cotton Single Jersey", "category": "knits", "made": "Knitted",
         "weave": "jersey", "composition": "100% cotton", "gsm": (140, 160, 180),
         "width_cm": (180, 185), "finish": "piece-dyed", "hs_code": "6006.22"},
        {"quality": "Cotton Lycra Jersey", "category": "knits", "made": "Knitted",
         "weave": "jersey", "composition": "92% cotton, 8% elastane", "gsm": (180, 200, 220),
         "organic": False, "width_cm": (160, 170), "finish": "piece-dyed", "hs_code": "6004.10"},
        {"quality": "Cotton Interlock", "category": "knits", "made": "Knitted",
         "weave": "interlock", "composition": "100% cotton", "gsm": (180, 200, 220),
         "width_cm": (180, 185), "finish": ("piece-dyed", "bleached"), "hs_code": "6006.22"},
        {"quality": "Pique Knit", "category": "knits", "made": "Knitted",
         "weave": "pique", "composition": "100% cotton", "gsm": (200, 220, 240),
         "width_cm": (180, 185), "finish": "piece-dyed", "hs_code": "6006.22"},
        {"quality": "Cotton French Terry", "category": "knits", "made": "Knitted",
         "weave": "french terry", "composition": ("100% cotton", "80% cotton, 20% polyester"),
         "gsm": (260, 280, 320), "width_cm": (180, 185), "finish": "piece-dyed",
         "hs_code": "6001.21"},
    ),
    words={"organic": {True: "Organic ", False: ""}},
    unit="metre",
    moq=(1_000, 1_500, 3_000, 5_000),
    lead_time_days=(21, 30, 45, 60),
    incoterms=("EXW", "FCA", "FOB", "CFR", "CIF"),
    units_per_carton=(50, 60, 100),
    unit_kg=0.3,
    unit_m3=0.0012,
)

HOME_TEXTILE = DemoType(
    slug="home-textile",
    name="Home textile",
    description="Finished towels and bed linen, packed per piece or set.",
    sku_prefix="HTX",
    share=8,
    attributes=(
        DemoAttribute("composition", "Composition", TEXT, required=True),
        DemoAttribute("construction", "Construction", ENUM, required=True, filterable=True,
                      values=("terry", "waffle", "percale", "sateen", "jacquard")),
        DemoAttribute("gsm", "Weight", NUMBER, "g/m²", filterable=True),
        DemoAttribute("thread_count", "Thread count", NUMBER, filterable=True),
        DemoAttribute("organic", "GOTS organic", BOOLEAN, filterable=True),
        DemoAttribute("oeko_tex", "OEKO-TEX Standard 100", BOOLEAN, filterable=True),
    ),
    title="{organic}{quality}",
    blurb="{composition}, {construction} construction. Made in {country}, "
    "packed {per_carton} to a carton.",
    defaults={"organic": (True, False, False), "oeko_tex": (True, True, False),
              "origin": ("IN", "IN", "PK", "TR", "BD", "CN")},
    families=(
        {"category": "towels", "construction": "terry", "gsm": (450, 500, 550, 600, 700),
         "quality": ("{gsm} GSM Cotton Bath Towel", "{gsm} GSM Zero-Twist Cotton Towel"),
         "composition": "100% cotton", "hs_code": "6302.60",
         "options": {"size": ("Hand 50x90 cm", "Bath 70x140 cm", "Bath sheet 90x160 cm")}},
        {"category": "towels", "construction": "waffle", "gsm": (280, 320, 360),
         "quality": "{gsm} GSM Waffle Weave Towel", "composition": "100% cotton",
         "hs_code": "6302.91", "options": {"size": ("Hand 50x90 cm", "Bath 70x140 cm")}},
        {"category": "bed-linen", "construction": ("percale", "sateen"),
         "thread_count": (200, 300, 400, 600), "quality": "{thread_count} TC Cotton Sheet Set",
         "composition": ("100% cotton", "100% long-staple cotton"), "hs_code": "6302.31",
         "options": {"size": ("Single", "Double", "Queen", "King")}, "price": Usd(9.0, 24.0)},
        {"category": "bed-linen", "construction": "jacquard", "thread_count": (300, 400),
         "quality": "{thread_count} TC Jacquard Duvet Cover Set", "organic": False,
         "composition": "60% cotton, 40% polyester", "hs_code": "6302.32",
         "options": {"size": ("Double", "Queen", "King")}, "price": Usd(12.0, 28.0)},
    ),
    words={"organic": {True: "Organic ", False: ""}},
    moq=(300, 500, 1_000),
    lead_time_days=(30, 45, 60),
    incoterms=("EXW", "FOB", "CFR", "CIF", "DAP"),
    units_per_carton=(12, 24, 36),
    unit_kg=0.9,
    unit_m3=0.004,
)

SPICE = DemoType(
    slug="spice",
    name="Spice",
    description="Whole and ground spices and dried herbs, sold by weight.",
    sku_prefix="SPC",
    share=15,
    attributes=(
        DemoAttribute("grade", "Grade", ENUM, required=True, filterable=True, values=(
            "Grade 1", "Grade 2", "FAQ", "Bold", "Extra Bold", "Machine Cleaned",
            "Sortex Cleaned")),
        DemoAttribute("moisture_pct", "Moisture", NUMBER, "%", required=True, filterable=True),
        DemoAttribute("origin_region", "Origin region", TEXT, required=True),
        DemoAttribute("steam_sterilised", "Steam sterilised", BOOLEAN, filterable=True),
        DemoAttribute("purity_pct", "Purity", NUMBER, "%"),
    ),
    title="{region} {quality} {grade}",
    blurb="{quality} from {origin_region}, {country}. {grade}, moisture at most "
    "{moisture_pct}%, purity {purity_pct}%. Packed for export in food-grade liners.",
    defaults={"steam_sterilised": (True, False, False), "purity_pct": (99, 99.5),
              "moisture_pct": (10, 11, 12), "grade": ("Grade 1", "Grade 2", "FAQ"),
              "options": {"pack": ("1 kg pouch", "5 kg bag", "25 kg PP sack")}},
    families=(
        {"quality": "Black Pepper", "category": "whole-spices", "hs_code": "0904.11",
         "grade": ("Grade 1", "Bold", "Extra Bold", "FAQ"), "moisture_pct": (11, 11.5, 12),
         "region": ({"region": "Malabar", "origin_region": "Malabar Coast, Kerala",
                     "origin": "IN"},
                    {"region": "Tellicherry", "origin_region": "Thalassery, Kerala",
                     "origin": "IN"},
                    {"region": "Vietnamese", "origin_region": "Dak Nong, Central Highlands",
                     "origin": "VN"},
                    {"region": "Lampung", "origin_region": "Lampung, Sumatra", "origin": "ID"}),
         "price": Usd(5.5, 8.5)},
        {"quality": "Black Pepper Powder", "category": "ground-spices", "hs_code": "0904.12",
         "region": "Malabar", "origin_region": "Kerala", "origin": "IN",
         "grade": "Sortex Cleaned", "steam_sterilised": True, "price": Usd(7.0, 10.0)},
        {"quality": "Turmeric Fingers", "category": "whole-spices", "hs_code": "0910.30",
         "region": ({"region": "Alleppey", "origin_region": "Alappuzha, Kerala"},
                    {"region": "Erode", "origin_region": "Erode, Tamil Nadu"},
                    {"region": "Salem", "origin_region": "Salem, Tamil Nadu"}),
         "origin": "IN", "price": Usd(1.6, 2.8)},
        {"quality": ("Turmeric Powder (Curcumin 3%)", "Turmeric Powder (Curcumin 5%)"),
         "category": "ground-spices", "hs_code": "0910.30", "region": "Erode",
         "origin_region": "Erode, Tamil Nadu", "origin": "IN", "grade": "Machine Cleaned",
         "price": Usd(2.2, 3.6)},
        {"quality": ("Sannam S4 Dried Red Chilli", "Teja S17 Dried Red Chilli"),
         "category": "whole-spices", "hs_code": "0904.21", "region": "Guntur",
         "origin_region": "Guntur, Andhra Pradesh", "origin": "IN", "moisture_pct": (10, 11),
         "price": Usd(2.4, 3.8)},
        {"quality": "Kashmiri Chilli Powder", "category": "ground-spices", "hs_code": "0904.22",
         "region": "Byadgi", "origin_region": "Byadgi, Karnataka", "origin": "IN",
         "grade": "Sortex Cleaned", "price": Usd(3.5, 5.5)},
        {"quality": ("Cumin Seeds Europe Quality", "Cumin Seeds Singapore Quality"),
         "category": "whole-spices", "hs_code": "0909.31", "grade": ("Machine Cleaned",
                                                                      "Sortex Cleaned"),
         "region": ({"region": "Unjha", "origin_region": "Unjha, Gujarat", "origin": "IN"},
                    {"region": "Anatolian", "origin_region": "Konya, Central Anatolia",
                     "origin": "TR"}),
         "price": Usd(3.0, 4.6)},
        {"quality": "Ground Cumin", "category": "ground-spices", "hs_code": "0909.32",
         "region": "Unjha", "origin_region": "Unjha, Gujarat", "origin": "IN",
         "price": Usd(3.6, 5.2)},
        {"quality": ("Green Cardamom 7 mm", "Green Cardamom 8 mm"),
         "category": "whole-spices", "hs_code": "0908.31", "grade": ("Bold", "Extra Bold"),
         "region": ({"region": "Idukki", "origin_region": "Idukki, Kerala", "origin": "IN"},
                    {"region": "Cobán", "origin_region": "Alta Verapaz", "origin": "GT"}),
         "price": Usd(18.0, 32.0), "options": {"pack": ("1 kg pouch", "5 kg bag")}},
        {"quality": "Cinnamon Quills C5", "category": "whole-spices", "hs_code": "0906.11",
         "region": "Ceylon", "origin_region": "Southern Province", "origin": "LK",
         "price": Usd(9.0, 14.0)},
        {"quality": "Whole Cloves", "category": "whole-spices", "hs_code": "0907.10",
         "region": ({"region": "Zanzibar", "origin_region": "Pemba Island", "origin": "TZ"},
                    {"region": "Madagascar", "origin_region": "Analanjirofo", "origin": "MG"}),
         "price": Usd(7.0, 11.0)},
        {"quality": "Coriander Seeds", "category": "whole-spices", "hs_code": "0909.21",
         "region": "Rajasthan", "origin_region": "Kota, Rajasthan", "origin": "IN",
         "price": Usd(1.1, 1.9),
         "options": {"pack": ("5 kg bag", "25 kg PP sack", "50 kg jute bag")}},
        {"quality": ("Dried Oregano Leaves", "Sumac Flakes"), "category": "whole-spices",
         "hs_code": "0910.99", "region": "Aegean", "origin_region": "Izmir, Aegean Region",
         "origin": "TR", "moisture_pct": (8, 9, 10), "price": Usd(3.8, 6.5)},
    ),
    words={"grade": {"FAQ": "FAQ", "Machine Cleaned": "", "Sortex Cleaned": "Sortexed"}},
    unit="kg",
    moq=(500, 1_000, 2_000, 5_000),
    lead_time_days=(7, 10, 14, 21),
    incoterms=("EXW", "FOB", "CFR", "CIF", "CIP"),
    units_per_carton=(20, 25),
    unit_kg=1.02,
    unit_m3=0.0025,
)

BALL_BEARINGS = tuple(
    {"designation": d, "bore_mm": b, "outer_diameter_mm": o, "width_mm": w}
    for d, b, o, w in (
        ("608", 8, 22, 7), ("6000", 10, 26, 8), ("6001", 12, 28, 8), ("6002", 15, 32, 9),
        ("6004", 20, 42, 12), ("6005", 25, 47, 12), ("6200", 10, 30, 9), ("6201", 12, 32, 10),
        ("6202", 15, 35, 11), ("6203", 17, 40, 12), ("6204", 20, 47, 14), ("6205", 25, 52, 15),
        ("6206", 30, 62, 16), ("6207", 35, 72, 17), ("6208", 40, 80, 18), ("6302", 15, 42, 13),
        ("6303", 17, 47, 14), ("6304", 20, 52, 15), ("6305", 25, 62, 17), ("6306", 30, 72, 19),
    )
)
TAPERED_BEARINGS = tuple(
    {"designation": d, "bore_mm": b, "outer_diameter_mm": o, "width_mm": w}
    for d, b, o, w in (
        ("30204", 20, 47, 15.25), ("30205", 25, 52, 16.25), ("30206", 30, 62, 17.25),
        ("30207", 35, 72, 18.25), ("32205", 25, 52, 19.25), ("32206", 30, 62, 21.25),
    )
)

BEARING = DemoType(
    slug="bearing",
    name="Bearing",
    description="Rolling bearings to ISO 15 dimensions.",
    sku_prefix="BRG",
    share=15,
    attributes=(
        DemoAttribute("bore_mm", "Bore (d)", NUMBER, "mm", required=True, filterable=True),
        DemoAttribute("outer_diameter_mm", "Outer diameter (D)", NUMBER, "mm", required=True,
                      filterable=True),
        DemoAttribute("width_mm", "Width (B)", NUMBER, "mm", required=True, filterable=True),
        DemoAttribute("tolerance", "Tolerance class", ENUM, filterable=True,
                      values=("P0", "P6", "P5", "P4")),
        DemoAttribute("seal", "Seal", ENUM, filterable=True, values=("open", "ZZ", "2RS")),
        DemoAttribute("material", "Material", ENUM, required=True, filterable=True,
                      values=("chrome steel", "stainless steel", "ceramic hybrid")),
    ),
    title="{material}{designation}{seal} {kind} {tolerance}",
    blurb="{kind} {designation}: {bore_mm} x {outer_diameter_mm} x {width_mm} mm, "
    "{material}, tolerance class {tolerance}. Made in {country}; boxed singly, "
    "{per_carton} to a carton.",
    defaults={"tolerance": ("P0", "P0", "P6", "P5", "P4"),
              "material": ("chrome steel", "chrome steel", "stainless steel", "ceramic hybrid"),
              "origin": ("CN", "CN", "IN", "TW", "JP", "DE")},
    families=(
        {"kind": "Deep Groove Ball Bearing", "category": "bearings", "hs_code": "8482.10",
         "size": BALL_BEARINGS, "seal": ("open", "ZZ", "2RS", "2RS"),
         "options": {"clearance": ("C0", "C3")}},
        {"kind": "Tapered Roller Bearing", "category": "bearings", "hs_code": "8482.20",
         "size": TAPERED_BEARINGS, "seal": "open", "material": "chrome steel",
         "price": Usd(2.5, 9.0)},
    ),
    words={"seal": {"open": "", "ZZ": "-ZZ", "2RS": "-2RS"}, "tolerance": {"P0": ""},
           "material": {"chrome steel": "", "stainless steel": "S",
                        "ceramic hybrid": "Hybrid Ceramic "}},
    price_factors={"tolerance": {"P6": 1.25, "P5": 1.8, "P4": 3.0},
                   "material": {"stainless steel": 2.6, "ceramic hybrid": 9.0}},
    moq=(100, 200, 500, 1_000),
    lead_time_days=(7, 15, 30, 45),
    incoterms=("EXW", "FCA", "FOB", "CIP", "DAP"),
    units_per_carton=(50, 100, 200),
    unit_kg=0.11,
    unit_m3=0.00012,
)

FASTENER = DemoType(
    slug="fastener",
    name="Fastener",
    description="Metric bolts and screws to DIN and ISO standards, sold by the box.",
    sku_prefix="FST",
    share=12,
    attributes=(
        DemoAttribute("thread", "Thread", ENUM, required=True, filterable=True, values=(
            "M4", "M5", "M6", "M8", "M10", "M12", "M16", "M20")),
        DemoAttribute("length_mm", "Length", NUMBER, "mm", required=True, filterable=True),
        DemoAttribute("property_class", "Property class", ENUM, required=True, filterable=True,
                      values=("4.8", "8.8", "10.9", "12.9", "A2-70", "A4-80")),
        DemoAttribute("head", "Head", ENUM, filterable=True, values=(
            "hex", "socket cap", "countersunk", "flange")),
        DemoAttribute("finish", "Finish", ENUM, filterable=True, values=(
            "plain", "zinc plated", "hot-dip galvanised", "black oxide", "passivated")),
        DemoAttribute("standard", "Standard", TEXT),
    ),
    title="{thread} x {length_mm} {kind} {standard} {property_class} {finish}",
    blurb="{kind}, {thread} x {length_mm} mm, property class {property_class}, {finish}, "
    "to {standard}. Made in {country}.",
    defaults={"thread": ("M6", "M8", "M10", "M12", "M16"), "length_mm": (20, 25, 30, 40, 50, 60),
              "origin": ("CN", "CN", "IN", "TW", "VN"),
              "options": {"pack": ("box of 100", "box of 500", "box of 1,000")}},
    families=(
        {"kind": "Hex Bolt", "category": "fasteners", "hs_code": "7318.15", "head": "hex",
         "standard": ("DIN 933", "ISO 4017"), "property_class": ("8.8", "10.9"),
         "finish": ("zinc plated", "hot-dip galvanised", "plain"),
         "thread": ("M8", "M10", "M12", "M16", "M20"), "length_mm": (30, 40, 50, 60, 80, 100)},
        {"kind": "Socket Cap Screw", "category": "fasteners", "hs_code": "7318.15",
         "head": "socket cap", "standard": ("DIN 912", "ISO 4762"), "property_class": "12.9",
         "finish": "black oxide", "thread": ("M4", "M5", "M6", "M8", "M10")},
        {"kind": "Stainless Hex Bolt", "category": "fasteners", "hs_code": "7318.15",
         "head": "hex", "standard": "ISO 4017", "property_class": ("A2-70", "A4-80"),
         "finish": "passivated", "price": Usd(9.0, 40.0)},
        {"kind": "Countersunk Screw", "category": "fasteners", "hs_code": "7318.15",
         "head": "countersunk", "standard": "DIN 7991", "property_class": "10.9",
         "finish": ("zinc plated", "black oxide"), "thread": ("M4", "M5", "M6", "M8")},
        {"kind": "Flange Bolt", "category": "fasteners", "hs_code": "7318.15",
         "head": "flange", "standard": "DIN 6921", "property_class": ("8.8", "10.9"),
         "finish": "zinc plated"},
    ),
    words={"property_class": {"8.8": "Grade 8.8", "10.9": "Grade 10.9", "12.9": "Grade 12.9",
                              "4.8": "Grade 4.8"},
           "finish": {"plain": "", "zinc plated": "Zinc Plated", "passivated": "",
                      "hot-dip galvanised": "HDG", "black oxide": "Black Oxide"}},
    price_factors={"thread": {"M4": 0.4, "M5": 0.5, "M6": 0.6, "M12": 1.6, "M16": 3.0,
                              "M20": 5.0}},
    unit="box",
    moq=(50, 100, 200),
    lead_time_days=(10, 20, 30),
    incoterms=("EXW", "FCA", "FOB", "CIF", "DAP"),
    units_per_carton=(10, 20),
    unit_kg=1.2,
    unit_m3=0.0009,
)

LEATHER_COLOURS = ("black", "dark brown", "tan", "cognac", "burgundy", "navy", "olive")

LEATHER_GOOD = DemoType(
    slug="leather-good",
    name="Leather good",
    description="Bags, wallets and belts cut and stitched from tanned hides.",
    sku_prefix="LTH",
    share=12,
    attributes=(
        DemoAttribute("leather_type", "Leather", ENUM, required=True, filterable=True,
                      values=("full-grain", "top-grain", "nubuck", "suede")),
        DemoAttribute("colours", "Colours", MULTI_ENUM, required=True, filterable=True,
                      values=LEATHER_COLOURS),
        DemoAttribute("tanning", "Tanning", ENUM, filterable=True,
                      values=("vegetable", "chrome", "chrome-free")),
        DemoAttribute("hardware", "Hardware", ENUM, values=(
            "solid brass", "nickel", "antique brass", "gunmetal")),
        DemoAttribute("strap_width_mm", "Strap width", NUMBER, "mm"),
        DemoAttribute("lining", "Lining", TEXT),
    ),
    title="{leather_type} {tanning} Leather {kind}",
    blurb="{kind} in {leather_type} {tanning} leather with {hardware} hardware. "
    "Available in {colours}. Made in {country}.",
    defaults={"leather_type": ("full-grain", "full-grain", "top-grain", "nubuck", "suede"),
              "tanning": ("vegetable", "chrome", "chrome", "chrome-free"),
              "hardware": ("solid brass", "nickel", "antique brass", "gunmetal"),
              "colours": (["black", "dark brown"], ["tan", "cognac"], ["black", "tan", "cognac"],
                          ["burgundy", "navy"], ["dark brown", "olive", "black"]),
              "origin": ("IN", "IN", "PK", "IT", "TR", "BD"),
              "options": {"colour": "colours"}},
    families=(
        {"kind": ("Messenger Bag", "Laptop Briefcase"), "category": "bags", "hs_code": "4202.11",
         "lining": ("cotton canvas", "padded polyester"), "price": Usd(35.0, 95.0)},
        {"kind": ("Tote Bag", "Crossbody Bag", "Hobo Bag"), "category": "bags",
         "hs_code": "4202.21", "lining": ("cotton twill", "suede"), "price": Usd(22.0, 70.0)},
        {"kind": ("Backpack", "Weekender Duffle"), "category": "bags", "hs_code": "4202.91",
         "lining": "cotton canvas", "price": Usd(40.0, 120.0)},
        {"kind": ("Bifold Wallet", "Card Holder"), "category": "bags", "hs_code": "4202.31",
         "price": Usd(5.0, 18.0)},
        {"kind": "Belt", "category": "belts", "hs_code": "4203.30",
         "title": "{strap_width_mm} mm {leather_type} {tanning} Leather {style} Belt",
         "style": ("Dress", "Casual", "Jeans"), "strap_width_mm": (30, 35, 38, 40),
         "leather_type": ("full-grain", "top-grain"), "price": Usd(6.0, 22.0),
         "options": {"colour": "colours", "size": ("85 cm", "95 cm", "105 cm")}},
    ),
    words={"leather_type": {"full-grain": "Full-Grain", "top-grain": "Top-Grain",
                            "nubuck": "Nubuck", "suede": "Suede"},
           "tanning": {"vegetable": "Vegetable-Tanned", "chrome": "",
                       "chrome-free": "Chrome-Free"}},
    price_factors={"leather_type": {"full-grain": 1.3, "suede": 0.9},
                   "tanning": {"vegetable": 1.2}},
    moq=(50, 100, 200, 300),
    lead_time_days=(30, 45, 60),
    incoterms=("EXW", "FOB", "CIF", "DAP", "DDP"),
    units_per_carton=(10, 20, 40),
    unit_kg=0.8,
    unit_m3=0.006,
)

TABLEWARE = DemoType(
    slug="tableware",
    name="Tableware",
    description="Ceramic dinner sets, mugs and bowls.",
    sku_prefix="TBW",
    share=10,
    attributes=(
        DemoAttribute("body", "Body", ENUM, required=True, filterable=True, values=(
            "stoneware", "porcelain", "bone china", "earthenware")),
        DemoAttribute("glaze", "Glaze", ENUM, filterable=True, values=(
            "glossy", "matte", "reactive", "satin", "crackle")),
        DemoAttribute("pieces", "Pieces", NUMBER, "pcs", required=True, filterable=True),
        DemoAttribute("dishwasher_safe", "Dishwasher safe", BOOLEAN, filterable=True),
        DemoAttribute("microwave_safe", "Microwave safe", BOOLEAN, filterable=True),
        DemoAttribute("lead_free", "Lead and cadmium compliant", BOOLEAN),
    ),
    title="{pieces}-Piece {glaze} Glaze {body} {kind}",
    blurb="{pieces}-piece {kind} in {body} with a {glaze} glaze. Fired in {country}, "
    "gift-boxed, {per_carton} sets to a master carton.",
    defaults={"glaze": ("glossy", "matte", "reactive", "satin", "crackle"),
              "dishwasher_safe": (True, True, False), "microwave_safe": (True, False),
              "lead_free": True, "origin": ("IN", "CN", "PT", "TR", "VN"),
              "body": ({"body": "stoneware", "hs_code": "6912.00"},
                       {"body": "earthenware", "hs_code": "6912.00"},
                       {"body": "porcelain", "hs_code": "6911.10"},
                       {"body": "bone china", "hs_code": "6911.10"}),
              "options": {"colour": ("White", "Ivory", "Sage", "Slate Blue", "Terracotta")}},
    families=(
        {"kind": "Dinner Set", "category": "tableware", "pieces": (16, 18, 20, 24, 30),
         "price": Usd(18.0, 60.0)},
        {"kind": "Mug Set", "category": "tableware", "pieces": (4, 6), "price": Usd(6.0, 16.0)},
        {"kind": "Serving Bowl Set", "category": "tableware", "pieces": (3, 5),
         "price": Usd(9.0, 24.0)},
        {"kind": "Tea Set", "category": "tableware", "pieces": (15, 17),
         "price": Usd(14.0, 40.0)},
    ),
    words={"glaze": {"glossy": "Glossy", "matte": "Matte", "reactive": "Reactive",
                     "satin": "Satin", "crackle": "Crackle"},
           "body": {"stoneware": "Stoneware", "porcelain": "Porcelain",
                    "bone china": "Bone China", "earthenware": "Earthenware"}},
    price_factors={"body": {"porcelain": 1.3, "bone china": 2.2, "earthenware": 0.8}},
    moq=(100, 200, 500),
    lead_time_days=(30, 45, 60),
    incoterms=("EXW", "FOB", "CFR", "CIF"),
    units_per_carton=(2, 4, 6),
    unit_kg=5.5,
    unit_m3=0.03,
)

TILE = DemoType(
    slug="tile",
    name="Tile",
    description="Floor and wall tiles, sold by the box.",
    sku_prefix="TIL",
    share=8,
    attributes=(
        DemoAttribute("size", "Size", ENUM, required=True, filterable=True, values=(
            "300x300 mm", "300x600 mm", "600x600 mm", "600x1200 mm", "800x800 mm")),
        DemoAttribute("body", "Body", ENUM, required=True, filterable=True, values=(
            "porcelain", "glazed vitrified", "ceramic")),
        DemoAttribute("finish", "Surface", ENUM, filterable=True, values=(
            "polished", "glossy", "matt", "satin", "structured")),
        DemoAttribute("thickness_mm", "Thickness", NUMBER, "mm"),
        DemoAttribute("water_absorption_pct", "Water absorption", NUMBER, "%", filterable=True),
        DemoAttribute("pei_class", "PEI abrasion class", ENUM, values=(
            "PEI II", "PEI III", "PEI IV", "PEI V")),
        DemoAttribute("rectified", "Rectified edges", BOOLEAN, filterable=True),
    ),
    title="{size} {finish} {body} Tile, {design}",
    blurb="Tile in {body}, {size}, {thickness_mm} mm thick, {finish} surface, water absorption "
    "{water_absorption_pct}%. Pressed and fired in {country}, {per_carton} boxes to a pallet.",
    defaults={"design": ("Carrara White", "Statuario", "Onyx Grey", "Travertine Beige",
                         "Concrete Grey", "Oak Wood-Look", "Terrazzo"),
              "rectified": (True, True, False), "pei_class": ("PEI III", "PEI IV", "PEI V"),
              "origin": ("IN", "IN", "CN", "ES", "IT", "TR", "VN"),
              "options": {"grade": ("Premium", "Commercial")}},
    families=(
        {"category": "tiles", "hs_code": "6907.21", "body": ("porcelain", "glazed vitrified"),
         "water_absorption_pct": (0.1, 0.2, 0.3, 0.5), "thickness_mm": (9, 10, 20),
         "size": ("600x600 mm", "600x1200 mm", "800x800 mm"),
         "finish": ("polished", "glossy", "matt", "structured"), "price": Usd(9.0, 28.0)},
        {"category": "tiles", "hs_code": "6907.22", "body": "ceramic",
         "water_absorption_pct": (3, 6), "thickness_mm": (8, 9), "size": "300x300 mm",
         "finish": ("matt", "structured"), "pei_class": ("PEI III", "PEI IV")},
        {"category": "tiles", "hs_code": "6907.23", "body": "ceramic",
         "water_absorption_pct": (12, 15), "thickness_mm": (7, 8), "size": "300x600 mm",
         "finish": ("glossy", "satin"), "pei_class": "PEI II", "price": Usd(5.0, 12.0)},
    ),
    words={"finish": {"polished": "Polished", "glossy": "Glossy", "matt": "Matt",
                      "satin": "Satin", "structured": "Structured"},
           "body": {"porcelain": "Porcelain", "glazed vitrified": "Glazed Vitrified",
                    "ceramic": "Ceramic"}},
    unit="box",
    moq=(200, 500, 1_000),
    lead_time_days=(15, 20, 30),
    incoterms=("EXW", "FOB", "CFR", "CIF"),
    units_per_carton=(32, 40, 48),
    unit_kg=28.0,
    unit_m3=0.022,
)

PRODUCT_TYPES: tuple[DemoType, ...] = (
    FABRIC, HOME_TEXTILE, SPICE, BEARING, FASTENER, LEATHER_GOOD, TABLEWARE, TILE,
)

# Defaults of the drafted products: price in USD per selling unit, and status shares.
DEFAULT_PRICE_USD = Usd(2.0, 6.0)
STATUSES = (ProductStatus.ACTIVE,) * 92 + (ProductStatus.DRAFT,) * 5 + (ProductStatus.ARCHIVED,) * 3
QUANTITY_BREAKS = ((1, 5, 20), (1, 3, 10), (1, 10, 50), (1, 4, 12, 40))

# fmt: on

# --------------------------------------------------------------------------------------------
# Drafting: tables in, one product out. No database, no global state.
# --------------------------------------------------------------------------------------------


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
    first = _two_figures(pricing.moq / pack)
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
