"""Demo leather goods: bags, wallets and belts, whose colour spec is also their variant axis."""

from __future__ import annotations

from app.demo_catalog.structure import ENUM, MULTI_ENUM, NUMBER, TEXT, DemoAttribute, DemoType, Usd

# The tables below are laid out by hand as tables; the formatter would put one item per line.
# fmt: off

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
