"""What a valid client company and contact look like: plain functions, no GraphQL, no I/O.

Each check takes values keyed by column, returns them normalised (trimmed, codes in upper
case) together with every problem found, each naming the API field at fault, so a form can
show all of them at once. The database's CHECK constraints back the same rules up.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from core.outcomes import Issue, UserErrorCode
from models.clients import MAIL_TOPIC_COLUMNS, MAX_NET_DAYS, BalanceDueOn, MailTopic
from resolvers.checks import Checker

MAX_CREDIT_LIMIT = Decimal("99999999999999.99")  # Numeric(16, 2)


@dataclass(frozen=True)
class CompanyDetails:
    """A company's details as a mutation gives them; None leaves a field as it is."""

    name: str | None = None
    country: str | None = None
    tax_id: str | None = None
    preferred_currency: str | None = None
    preferred_incoterm: str | None = None
    preferred_language: str | None = None


@dataclass(frozen=True)
class ContactDetails:
    """A contact person's details as a mutation gives them; None leaves a field as it is."""

    name: str | None = None
    email: str | None = None
    phone: str | None = None
    position: str | None = None
    # The topics whose mail the contact receives, all of them (an empty set: none).
    mail_topics: frozenset[MailTopic] | None = None


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
    "preferred_language": "preferredLanguage",
}


def _missing(
    checker: Checker, given: Mapping[str, Any], required: Sequence[str], names: dict[str, str]
) -> None:
    for column in required:
        if given.get(column) is None:
            checker.fail((names[column],), UserErrorCode.REQUIRED, "is required")


def _texts(
    checker: Checker,
    given: Mapping[str, Any],
    fields: Mapping[str, tuple[str, int]],
    values: dict[str, Any],
) -> None:
    """Each free-text field given, trimmed; only the name is required to be non-empty."""
    for column, (api_name, longest) in fields.items():
        if given.get(column) is not None:
            before = len(checker.issues)
            cleaned = checker.text(
                (api_name,), str(given[column]), longest, required=column == "name"
            )
            if len(checker.issues) == before:
                values[column] = cleaned


def _kept(checker: Checker, values: dict[str, Any], column: str, check: Callable[[], Any]) -> None:
    """Keep the cleaned value of `check` unless it found an issue."""
    before = len(checker.issues)
    cleaned = check()
    if len(checker.issues) == before:
        values[column] = cleaned


def check_company_details(
    given: Mapping[str, Any], *, required: Sequence[str] = (), at: tuple[str, ...] = ("input",)
) -> tuple[dict[str, Any], list[Issue]]:
    """Name, country, tax id and preferences; keys that are absent or None are left alone."""
    checker = Checker(at)
    values: dict[str, Any] = {}
    _missing(checker, given, required, COMPANY_API_NAMES)
    _texts(checker, given, COMPANY_TEXT, values)
    if given.get("country") is not None:
        _kept(
            checker, values, "country", lambda: checker.country(("country",), str(given["country"]))
        )
    if given.get("preferred_currency") is not None:
        currency = str(given["preferred_currency"])
        _kept(
            checker,
            values,
            "preferred_currency",
            lambda: checker.currency(("preferredCurrency",), currency),
        )
    if given.get("preferred_incoterm") is not None:
        incoterm = str(given["preferred_incoterm"])
        _kept(
            checker,
            values,
            "preferred_incoterm",
            lambda: checker.incoterm(("preferredIncoterm",), incoterm),
        )
    if given.get("preferred_language") is not None:
        language = str(given["preferred_language"])
        _kept(
            checker,
            values,
            "preferred_language",
            lambda: checker.language(("preferredLanguage",), language),
        )
    return values, checker.issues


def check_credit_terms(
    *,
    credit_limit: Decimal,
    credit_currency: str,
    advance_percent: int,
    balance_due_on: str,
    net_days: int,
) -> tuple[dict[str, Any], list[Issue]]:
    """The credit limit and payment terms finance grants a company, checked together."""
    checker = Checker(())
    values: dict[str, Any] = {}
    try:
        amount = Decimal(credit_limit)
        exact = amount.is_finite() and amount == amount.quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError):
        exact = False
    if not exact:
        checker.fail(
            ("creditLimit",), UserErrorCode.INVALID_AMOUNT, "must be an amount with 2 decimals"
        )
    elif not Decimal(0) <= amount <= MAX_CREDIT_LIMIT:
        checker.fail(
            ("creditLimit",), UserErrorCode.OUT_OF_RANGE, f"must be from 0 to {MAX_CREDIT_LIMIT}"
        )
    else:
        values["credit_limit"] = amount.quantize(Decimal("0.01"))
    _kept(
        checker,
        values,
        "credit_currency",
        lambda: checker.currency(("creditCurrency",), credit_currency),
    )
    _kept(
        checker,
        values,
        "advance_percent",
        lambda: checker.in_range(("paymentTerms", "advancePercent"), advance_percent, 0, 100),
    )
    if balance_due_on not in {event.value for event in BalanceDueOn}:
        checker.fail(
            ("paymentTerms", "balanceDueOn"),
            UserErrorCode.OUT_OF_RANGE,
            "must be one of " + ", ".join(event.value for event in BalanceDueOn),
        )
    else:
        values["balance_due_on"] = BalanceDueOn(balance_due_on)
    _kept(
        checker,
        values,
        "net_days",
        lambda: checker.in_range(("paymentTerms", "netDays"), net_days, 0, MAX_NET_DAYS),
    )
    return values, checker.issues


def check_contact_details(
    given: Mapping[str, Any], *, required: Sequence[str] = (), at: tuple[str, ...] = ("input",)
) -> tuple[dict[str, Any], list[Issue]]:
    """A contact person's name, email, phone, position and the mails it receives (one flag
    column per topic); absent or None keys are left alone."""
    checker = Checker(at)
    values: dict[str, Any] = {}
    _missing(checker, given, required, {column: api for column, (api, _) in CONTACT_TEXT.items()})
    _texts(checker, given, CONTACT_TEXT, values)
    if values.get("email"):
        email = values.pop("email")
        _kept(checker, values, "email", lambda: checker.email(("email",), email))
    topics = given.get("mail_topics")
    if topics is not None:
        values.update({column: topic in topics for topic, column in MAIL_TOPIC_COLUMNS.items()})
    return values, checker.issues
