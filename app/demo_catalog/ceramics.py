"""Demo ceramics: tableware sets (the body picks its HS code) and floor and wall tiles."""

from __future__ import annotations

from app.demo_catalog.structure import BOOLEAN, ENUM, NUMBER, DemoAttribute, DemoType, Usd

# The tables below are laid out by hand as tables; the formatter would put one item per line.
# fmt: off

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
