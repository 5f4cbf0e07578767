"""Money arithmetic: Decimal only, and one rounding rule.

The rule: amounts are rounded to the currency's minor unit (ISO 4217: 2 decimals for most,
0 for JPY or KRW, 3 for BHD or KWD) with ROUND_HALF_UP, at these points and nowhere else:

- a line total, once: unit price (as stored, up to 4 decimals) times quantity;
- an order total is the sum of its (already rounded) line totals, so it never drifts from
  what the lines show;
- a conversion between currencies, once: amount times the stored rate, rounded in the
  target currency.

Floats never appear: GraphQL carries money as decimal strings.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

# ISO 4217 currencies whose minor unit is not 2 decimals (the rest use 2).
_MINOR_UNITS = {
    **dict.fromkeys(
        "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF".split(), 0
    ),
    **dict.fromkeys("BHD IQD JOD KWD LYD OMR TND".split(), 3),
    **dict.fromkeys("CLF UYW".split(), 4),
}
# Unit prices and rates keep more precision than amounts; see the column definitions.
UNIT_PRICE_PLACES = 4
# The largest amount a money column (Numeric(18, 4)) holds.
MAX_AMOUNT = Decimal("99999999999999.9999")
RATE_PLACES = 10


def minor_unit(currency: str) -> int:
    """Decimal places of `currency`'s minor unit."""
    return _MINOR_UNITS.get(currency.upper(), 2)


def round_money(amount: Decimal, currency: str) -> Decimal:
    """`amount` rounded half-up to `currency`'s minor unit."""
    return amount.quantize(Decimal(1).scaleb(-minor_unit(currency)), rounding=ROUND_HALF_UP)


def line_total(unit_price: Decimal, quantity: int, currency: str) -> Decimal:
    return round_money(unit_price * quantity, currency)


def convert(amount: Decimal, rate: Decimal, to_currency: str) -> Decimal:
    """`amount` times `rate` (units of the target per unit of the source), rounded once."""
    return round_money(amount * rate, to_currency)


def has_too_many_places(amount: Decimal, places: int) -> bool:
    exponent = amount.as_tuple().exponent
    return isinstance(exponent, int) and -exponent > places
