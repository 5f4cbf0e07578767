"""Trade facts the demo draws on: countries of origin, currencies and their demo rates, pack
sizes, and the price, status and quantity-break defaults of a drafted product."""

from __future__ import annotations

from decimal import Decimal

from app.demo_catalog.structure import Usd
from models.catalog import ProductStatus

# The tables below are laid out by hand as tables; the formatter would put one item per line.
# fmt: off

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

# Defaults of the drafted products: price in USD per selling unit, and status shares.
DEFAULT_PRICE_USD = Usd(2.0, 6.0)
STATUSES = (ProductStatus.ACTIVE,) * 92 + (ProductStatus.DRAFT,) * 5 + (ProductStatus.ARCHIVED,) * 3
QUANTITY_BREAKS = ((1, 5, 20), (1, 3, 10), (1, 10, 50), (1, 4, 12, 40))
