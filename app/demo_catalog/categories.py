"""The demo category tree: five trades and their subcategories; products go in the leaves."""

from __future__ import annotations

from app.demo_catalog.structure import DemoCategory

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
