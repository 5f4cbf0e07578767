"""The one rule checker: collects every violation of an input under its path, in one pass.

Each check returns the cleaned value (trimmed, upper-cased code, normalised email) and
records an issue when the value breaks the rule, so a caller learns all that is wrong at once.
Domains keep their own rules; the shapes shared by every domain (text, codes, amounts,
quantities, list sizes) are written once here.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from auth.emails import InvalidEmail, normalise_email
from core.outcomes import Issue, UserErrorCode
from models.money import UNIT_PRICE_PLACES, has_too_many_places
from models.reference import COUNTRY_CODES, CURRENCY_CODES, LANGUAGE_CODES, Incoterm

Path = tuple[str, ...]

INCOTERMS = frozenset(term.value for term in Incoterm)


class Checker:
    """Issues found so far, each at `at` + the path of the value at fault."""

    def __init__(self, at: Path = ("input",)) -> None:
        self.at = at
        self.issues: list[Issue] = []

    def fail(self, where: Path, code: UserErrorCode, message: str) -> None:
        self.issues.append(Issue((*self.at, *where), code, message))

    def text(self, where: Path, value: str, longest: int, *, required: bool) -> str:
        cleaned = value.strip()
        if required and not cleaned:
            self.fail(where, UserErrorCode.REQUIRED, "must not be empty")
        elif len(cleaned) > longest:
            self.fail(where, UserErrorCode.TOO_LONG, f"must be at most {longest} characters")
        return cleaned

    def country(self, where: Path, value: str) -> str:
        cleaned = value.strip().upper()
        if cleaned not in COUNTRY_CODES:
            self.fail(
                where,
                UserErrorCode.INVALID_COUNTRY,
                "must be an ISO 3166-1 alpha-2 country code such as DE",
            )
        return cleaned

    def currency(self, where: Path, value: str) -> str:
        cleaned = value.strip().upper()
        if cleaned not in CURRENCY_CODES:
            self.fail(
                where,
                UserErrorCode.INVALID_CURRENCY,
                "must be an ISO 4217 currency code such as USD",
            )
        return cleaned

    def language(self, where: Path, value: str) -> str:
        cleaned = value.strip().lower()
        if cleaned not in LANGUAGE_CODES:
            self.fail(
                where,
                UserErrorCode.INVALID_LANGUAGE,
                "must be an ISO 639-1 language code such as de",
            )
        return cleaned

    def incoterm(self, where: Path, value: str) -> str:
        if value not in INCOTERMS:
            self.fail(
                where,
                UserErrorCode.INVALID_INCOTERM,
                "must be an Incoterms 2020 rule (EXW, FCA, FOB, ...)",
            )
        return value

    def email(self, where: Path, value: str) -> str:
        try:
            return normalise_email(value)
        except InvalidEmail:
            self.fail(where, UserErrorCode.INVALID_EMAIL, "is not an email address")
            return value

    def unit_price(self, where: Path, amount: Decimal, most: Decimal) -> None:
        if not amount.is_finite() or has_too_many_places(amount, UNIT_PRICE_PLACES):
            self.fail(
                where,
                UserErrorCode.INVALID_AMOUNT,
                f"must be a decimal amount with at most {UNIT_PRICE_PLACES} decimals",
            )
        elif not Decimal(0) < amount <= most:
            self.fail(where, UserErrorCode.OUT_OF_RANGE, f"must be above 0 and at most {most}")

    def in_range(self, where: Path, value: int, least: int, most: int) -> int:
        if not least <= value <= most:
            self.fail(where, UserErrorCode.OUT_OF_RANGE, f"must be from {least} to {most}")
        return value

    def not_before(self, where: Path, day: date, today: date) -> None:
        if day < today:
            self.fail(where, UserErrorCode.DATE_IN_PAST, f"must be {today} or later")

    def item_count(self, where: Path, count: int, most: int) -> None:
        if count == 0:
            self.fail(where, UserErrorCode.NO_ITEMS, "must name at least one item")
        elif count > most:
            self.fail(where, UserErrorCode.TOO_MANY_ITEMS, f"must name at most {most} items")
