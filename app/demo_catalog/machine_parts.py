"""Demo machine parts: bearings (a designation picks its ISO 15 dimensions) and metric fasteners."""

from __future__ import annotations

from app.demo_catalog.structure import ENUM, NUMBER, TEXT, DemoAttribute, DemoType, Usd

# The tables below are laid out by hand as tables; the formatter would put one item per line.
# fmt: off

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
