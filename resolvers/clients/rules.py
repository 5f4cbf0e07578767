"""What a valid client company and contact look like: plain functions, no GraphQL, no I/O.

Each check takes values keyed by column, returns them normalised (trimmed, codes in upper
case) together with every problem found, each naming the API field at fault, so a form can
show all of them at once. The database's CHECK constraints back the same rules up.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from auth.emails import InvalidEmail, normalise_email
from models.clients import BalanceDueOn
from models.reference import COUNTRY_CODES, CURRENCY_CODES, Incoterm
from resolvers.outcomes import Issue

MAX_CREDIT_LIMIT = Decimal("99999999999999.99")  # Numeric(16, 2)
MAX_NET_DAYS = 365


class ClientErrorCode(StrEnum):
    """Why a change to a client record was refused; stable, for clients to branch on."""

    REQUIRED = "REQUIRED"
    TOO_LONG = "TOO_LONG"
    INVALID_COUNTRY = "INVALID_COUNTRY"
    INVALID_CURRENCY = "INVALID_CURRENCY"
    INVALID_INCOTERM = "INVALID_INCOTERM"
    INVALID_EMAIL = "INVALID_EMAIL"
    INVALID_AMOUNT = "INVALID_AMOUNT"
    OUT_OF_RANGE = "OUT_OF_RANGE"
    NOT_FOUND = "NOT_FOUND"
    CONFLICT = "CONFLICT"


# Column -> (API field name, longest length) of the free-text fields.
COMPANY_TEXT = {"name": ("name", 200), "tax_id": ("taxId", 64)}
CONTACT_TEXT = {
    "name": ("name", 200),
    "email": ("email", 320),
    "phone": ("phone", 64),
    "position": ("position", 120),
}
COMPANY_API_NAMES = {
    **{column: api for column, (api, _) in COMPANY_TEXT.items()},
    "country": "country",
    "preferred_currency": "preferredCurrency",
    "preferred_incoterm": "preferredIncoterm",
}


class _Checker:
    def __init__(self, at: tuple[str, ...]) -> None:
        self.at = at
        self.issues: list[Issue] = []
        self.values: dict[str, Any] = {}

    def fail(self, api_name: str, code: ClientErrorCode, message: str) -> None:
        self.issues.append(Issue((*self.at, *api_name.split(".")), code, message))

    def text(self, column: str, value: Any, api_name: str, longest: int, required: bool) -> None:
        cleaned = str(value).strip()
        if required and not cleaned:
            self.fail(api_name, ClientErrorCode.REQUIRED, "must not be empty")
        elif len(cleaned) > longest:
            self.fail(api_name, ClientErrorCode.TOO_LONG, f"must be at most {longest} characters")
        else:
            self.values[column] = cleaned

    def country(self, column: str, value: Any, api_name: str) -> None:
        cleaned = str(value).strip().upper()
        if cleaned in COUNTRY_CODES:
            self.values[column] = cleaned
        else:
            self.fail(
                api_name,
                ClientErrorCode.INVALID_COUNTRY,
                "must be an ISO 3166-1 alpha-2 country code such as DE",
            )

    def currency(self, column: str, value: Any, api_name: str) -> None:
        cleaned = str(value).strip().upper()
        if cleaned in CURRENCY_CODES:
            self.values[column] = cleaned
        else:
            self.fail(
                api_name,
                ClientErrorCode.INVALID_CURRENCY,
                "must be an ISO 4217 currency code such as USD",
            )

    def missing(
        self, given: Mapping[str, Any], required: Sequence[str], names: dict[str, str]
    ) -> None:
        for column in required:
            if given.get(column) is None:
                self.fail(names[column], ClientErrorCode.REQUIRED, "is required")


def check_company_details(
    given: Mapping[str, Any], *, required: Sequence[str] = (), at: tuple[str, ...] = ("input",)
) -> tuple[dict[str, Any], list[Issue]]:
    """Name, country, tax id and preferences; keys that are absent or None are left alone."""
    checker = _Checker(at)
    checker.missing(given, required, COMPANY_API_NAMES)
    for column, (api_name, longest) in COMPANY_TEXT.items():
        if given.get(column) is not None:
            checker.text(column, given[column], api_name, longest, required=column == "name")
    if given.get("country") is not None:
        checker.country("country", given["country"], "country")
    if given.get("preferred_currency") is not None:
        checker.currency("preferred_currency", given["preferred_currency"], "preferredCurrency")
    incoterm = given.get("preferred_incoterm")
    if incoterm is not None:
        if str(incoterm) not in {term.value for term in Incoterm}:
            checker.fail(
                "preferredIncoterm",
                ClientErrorCode.INVALID_INCOTERM,
                "must be an Incoterms 2020 rule (EXW, FCA, FOB, ...)",
            )
        else:
            checker.values["preferred_incoterm"] = str(incoterm)
    return checker.values, checker.issues


def check_credit_terms(
    *,
    credit_limit: Decimal,
    credit_currency: str,
    advance_percent: int,
    balance_due_on: str,
    net_days: int,
) -> tuple[dict[str, Any], list[Issue]]:
    """The credit limit and payment terms finance grants a company, checked together."""
    checker = _Checker(())
    try:
        amount = Decimal(credit_limit)
        exact = amount.is_finite() and amount == amount.quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError):
        exact = False
    if not exact:
        checker.fail(
            "creditLimit", ClientErrorCode.INVALID_AMOUNT, "must be an amount with 2 decimals"
        )
    elif not Decimal(0) <= amount <= MAX_CREDIT_LIMIT:
        checker.fail(
            "creditLimit", ClientErrorCode.OUT_OF_RANGE, f"must be from 0 to {MAX_CREDIT_LIMIT}"
        )
    else:
        checker.values["credit_limit"] = amount.quantize(Decimal("0.01"))
    checker.currency("credit_currency", credit_currency, "creditCurrency")
    if not 0 <= advance_percent <= 100:
        checker.fail(
            "paymentTerms.advancePercent", ClientErrorCode.OUT_OF_RANGE, "must be from 0 to 100"
        )
    else:
        checker.values["advance_percent"] = advance_percent
    if balance_due_on not in {event.value for event in BalanceDueOn}:
        checker.fail(
            "paymentTerms.balanceDueOn",
            ClientErrorCode.OUT_OF_RANGE,
            "must be one of " + ", ".join(event.value for event in BalanceDueOn),
        )
    else:
        checker.values["balance_due_on"] = BalanceDueOn(balance_due_on)
    if not 0 <= net_days <= MAX_NET_DAYS:
        checker.fail(
            "paymentTerms.netDays",
            ClientErrorCode.OUT_OF_RANGE,
            f"must be from 0 to {MAX_NET_DAYS}",
        )
    else:
        checker.values["net_days"] = net_days
    return checker.values, checker.issues


def check_contact_details(
    given: Mapping[str, Any], *, required: Sequence[str] = (), at: tuple[str, ...] = ("input",)
) -> tuple[dict[str, Any], list[Issue]]:
    """A contact person's name, email, phone and position; absent or None keys are left alone."""
    checker = _Checker(at)
    checker.missing(given, required, {column: api for column, (api, _) in CONTACT_TEXT.items()})
    for column, (api_name, longest) in CONTACT_TEXT.items():
        if given.get(column) is not None:
            checker.text(column, given[column], api_name, longest, required=column == "name")
    email = checker.values.get("email")
    if email:
        try:
            checker.values["email"] = normalise_email(email)
        except InvalidEmail:
            del checker.values["email"]
            checker.fail("email", ClientErrorCode.INVALID_EMAIL, "is not an email address")
    return checker.values, checker.issues
