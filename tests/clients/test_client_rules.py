"""The rules of client records, as plain functions: every problem found at once, by field."""

from __future__ import annotations

from decimal import Decimal

from core.outcomes import UserErrorCode
from models.clients import BalanceDueOn
from resolvers.clients.rules import check_company_details, check_contact_details, check_credit_terms


def test_company_details_are_trimmed_and_codes_upper_cased() -> None:
    values, issues = check_company_details(
        {"name": " Anatolia Tekstil ", "country": "tr", "preferred_currency": "try"},
        required=("name", "country"),
    )
    assert issues == []
    assert values == {"name": "Anatolia Tekstil", "country": "TR", "preferred_currency": "TRY"}


def test_every_bad_company_field_is_named_with_its_code() -> None:
    _, issues = check_company_details(
        {
            "name": "x" * 201,
            "tax_id": "y" * 65,
            "country": "UK",  # the ISO code is GB
            "preferred_currency": "EURO",
            "preferred_incoterm": "FOB Shanghai",
        }
    )
    assert [(issue.field, issue.code) for issue in issues] == [
        (("input", "name"), UserErrorCode.TOO_LONG),
        (("input", "taxId"), UserErrorCode.TOO_LONG),
        (("input", "country"), UserErrorCode.INVALID_COUNTRY),
        (("input", "preferredCurrency"), UserErrorCode.INVALID_CURRENCY),
        (("input", "preferredIncoterm"), UserErrorCode.INVALID_INCOTERM),
    ]


def test_a_new_company_needs_a_name_and_a_country_but_a_patch_needs_nothing() -> None:
    _, issues = check_company_details({"tax_id": "1"}, required=("name", "country"))
    assert [(issue.field, issue.code) for issue in issues] == [
        (("input", "name"), UserErrorCode.REQUIRED),
        (("input", "country"), UserErrorCode.REQUIRED),
    ]
    assert check_company_details({"name": None, "country": None}) == ({}, [])


def test_credit_terms_are_checked_together_and_normalised() -> None:
    values, issues = check_credit_terms(
        credit_limit=Decimal("25000"),
        credit_currency="eur",
        advance_percent=100,
        balance_due_on="delivery",
        net_days=0,
    )
    assert issues == []
    assert values == {
        "credit_limit": Decimal("25000.00"),
        "credit_currency": "EUR",
        "advance_percent": 100,
        "balance_due_on": BalanceDueOn.DELIVERY,
        "net_days": 0,
    }


def test_bad_credit_terms_name_each_field() -> None:
    for limit, code in (
        (Decimal("-1"), UserErrorCode.OUT_OF_RANGE),
        (Decimal("0.001"), UserErrorCode.INVALID_AMOUNT),
        (Decimal("NaN"), UserErrorCode.INVALID_AMOUNT),
        (Decimal("1E+20"), UserErrorCode.OUT_OF_RANGE),
    ):
        _, issues = check_credit_terms(
            credit_limit=limit,
            credit_currency="USD",
            advance_percent=0,
            balance_due_on="invoice",
            net_days=30,
        )
        assert [(issue.field, issue.code) for issue in issues] == [(("creditLimit",), code)]
    _, issues = check_credit_terms(
        credit_limit=Decimal(0),
        credit_currency="XXX",
        advance_percent=-5,
        balance_due_on="on a good day",
        net_days=366,
    )
    assert [issue.field for issue in issues] == [
        ("creditCurrency",),
        ("paymentTerms", "advancePercent"),
        ("paymentTerms", "balanceDueOn"),
        ("paymentTerms", "netDays"),
    ]


def test_contact_emails_are_normalised_and_checked() -> None:
    values, issues = check_contact_details(
        {"name": "Mehmet Demir", "email": " Mehmet@Anatolia.example "}, required=("name",)
    )
    assert issues == []
    assert values == {"name": "Mehmet Demir", "email": "mehmet@anatolia.example"}
    values, issues = check_contact_details({"email": "mehmet at anatolia"})
    assert values == {}
    assert [(issue.field, issue.code) for issue in issues] == [
        (("input", "email"), UserErrorCode.INVALID_EMAIL)
    ]
    assert check_contact_details({"email": ""}) == ({"email": ""}, [])
