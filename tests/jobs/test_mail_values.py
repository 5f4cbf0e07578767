"""How figures read in a buyer's mail: the same in every language, rounded as the currency
is, and a date nobody gave yet shown as such rather than invented."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

from jobs.mail.mail_values import MailLine, day, lines_block, moment, money, unit_price


def test_amounts_take_the_currency_minor_unit_and_group_thousands() -> None:
    assert money(Decimal("12500"), "USD") == "12,500.00 USD"
    assert money(Decimal("1234.5"), "JPY") == "1,235 JPY"
    assert money(Decimal("0.1235"), "BHD") == "0.124 BHD"


def test_unit_prices_keep_their_quoted_decimals() -> None:
    assert unit_price(Decimal("2.5000"), "EUR") == "2.50 EUR"
    assert unit_price(Decimal("3.8575"), "USD") == "3.8575 USD"
    assert unit_price(Decimal("120"), "JPY") == "120 JPY"


def test_days_and_moments_are_iso_in_utc_and_unknown_ones_a_dash() -> None:
    istanbul = timezone(timedelta(hours=3))
    assert moment(datetime(2026, 12, 2, 9, 30, tzinfo=istanbul)) == "2026-12-02 06:30 UTC"
    assert moment("2027-01-03T08:00:00+00:00") == "2027-01-03 08:00 UTC"
    assert moment(None) == "-"
    assert moment(datetime(2026, 12, 31, 23, 59, tzinfo=UTC)) == "2026-12-31 23:59 UTC"
    assert day(date(2027, 1, 15)) == "2027-01-15"
    assert day(None) == "-"


def test_lines_read_priced_or_as_quantities() -> None:
    priced = MailLine("TWL-1", "Bath towel", 1200, Decimal("4.2"), Decimal("5040"))
    carried = MailLine("TWL-2", "Hand towel", 300)
    assert lines_block([priced, carried], "USD") == (
        "- TWL-1 Bath towel: 1,200 x 4.20 USD = 5,040.00 USD\n- TWL-2 Hand towel: 300"
    )
