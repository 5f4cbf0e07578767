"""What a mail to the buyer says (`BuyerMail`), and how its figures appear, the same in every
language: amounts with their ISO currency code, days and moments in ISO form (UTC), and
lines as one row each.

Values go into templates as text; the templates translate the words around them, never the
figures, so a German mail and an English one state exactly the same amounts and dates.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from core.global_id import encode_global_id
from models.inquiries import Lead
from models.money import minor_unit, round_money

if TYPE_CHECKING:
    from jobs.mail.deal_terms import DealTerms

# What a mail shows for a date or moment nobody has given yet (an ETA not yet known).
NOT_KNOWN = "-"


@dataclass(frozen=True)
class BuyerMail:
    """What one event tells the buyer: a template, its values (all but the recipient's name
    and, for a quote or an order, its `deal` in the recipient's language), and to whom: the
    contacts of `company_id`, or a guest's `lead`."""

    template: str
    values: dict[str, object]
    company_id: int | None = None
    lead: Lead | None = None
    deal: DealTerms | None = None


@dataclass(frozen=True)
class MailLine:
    """One line of a quote, order or shipment as the buyer reads it."""

    sku: str
    name: str
    quantity: int
    unit_price: Decimal | None = None
    line_total: Decimal | None = None


def money(amount: Decimal, currency: str) -> str:
    """12,500.00 USD: rounded to the currency's minor unit."""
    places = minor_unit(currency)
    return f"{round_money(amount, currency):,.{places}f} {currency}"


def unit_price(amount: Decimal, currency: str) -> str:
    """A unit price keeps the decimals it was quoted with (up to 4), at least the currency's."""
    places = max(minor_unit(currency), _places(amount.normalize()))
    return f"{amount:,.{places}f} {currency}"


def _places(amount: Decimal) -> int:
    exponent = amount.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def day(value: date | str | None) -> str:
    if value is None:
        return NOT_KNOWN
    return value if isinstance(value, str) else value.isoformat()


def moment(value: datetime | str | None) -> str:
    """2026-12-02 06:30 UTC; a payload's ISO string is read first."""
    if value is None or value == "":
        return NOT_KNOWN
    parsed = datetime.fromisoformat(value) if isinstance(value, str) else value
    return parsed.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def text_or_dash(value: str | None) -> str:
    return value.strip() if value and value.strip() else NOT_KNOWN


def lines_block(lines: Iterable[MailLine], currency: str) -> str:
    """One row per line: `- SKU Name: 1,200 x 4.20 USD = 5,040.00 USD` (priced lines) or
    `- SKU Name: 1,200` (what a shipment carries)."""
    rows = []
    for line in lines:
        row = f"- {line.sku} {line.name}: {line.quantity:,}"
        if line.unit_price is not None and line.line_total is not None:
            row += (
                f" x {unit_price(line.unit_price, currency)} = {money(line.line_total, currency)}"
            )
        rows.append(row)
    return "\n".join(rows)


def quote_link(app_url: str, quote_id: int) -> str:
    """Where the storefront shows the quote to its company's users."""
    return f"{app_url}/account/quotes/{encode_global_id('Quote', quote_id)}"


def order_link(app_url: str, order_id: int) -> str:
    return f"{app_url}/account/orders/{encode_global_id('Order', order_id)}"
