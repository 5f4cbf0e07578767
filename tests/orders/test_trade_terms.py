"""The charge and payment-terms rules as plain functions: every problem named by its path."""

from __future__ import annotations

from decimal import Decimal

import pytest

from models.clients import BalanceDueOn, PaymentTerms
from models.orders import ChargeKind
from resolvers.checks import Checker
from resolvers.orders.trade_terms import (
    Charge,
    ChargeRequest,
    PaymentTermsRequest,
    charges_total,
    check_charges,
    check_payment_terms,
    missing_charges,
)

FREIGHT = Charge(ChargeKind.FREIGHT, Decimal("1200.00"), "")
INSURANCE = Charge(ChargeKind.INSURANCE, Decimal("35.50"), "")


def _problems(checker: Checker) -> list[tuple[list[str], str]]:
    return [(list(issue.field or ()), issue.code.value) for issue in checker.issues]


def test_well_formed_charges_are_kept_in_order_and_summed() -> None:
    checker = Checker()
    charges = check_charges(
        checker,
        ("charges",),
        [
            ChargeRequest("freight", Decimal("1200")),
            ChargeRequest("other", Decimal("40.25"), "  Pre-shipment inspection "),
            ChargeRequest("other", Decimal("15"), "Certificate of origin"),
        ],
        "USD",
    )
    assert checker.issues == []
    assert charges == [
        Charge(ChargeKind.FREIGHT, Decimal("1200"), ""),
        Charge(ChargeKind.OTHER, Decimal("40.25"), "Pre-shipment inspection"),
        Charge(ChargeKind.OTHER, Decimal("15"), "Certificate of origin"),
    ]
    assert charges_total(charges) == Decimal("1255.25")


def test_each_malformed_charge_is_named_by_its_path() -> None:
    checker = Checker()
    check_charges(
        checker,
        ("charges",),
        [
            ChargeRequest("freight", Decimal("10.001")),  # finer than cents
            ChargeRequest("insurance", Decimal("0")),
            ChargeRequest("other", Decimal("5"), "   "),  # an OTHER charge says what it is
            ChargeRequest("freight", Decimal("20")),  # a second freight
            ChargeRequest("handling", Decimal("5")),
        ],
        "USD",
    )
    assert _problems(checker) == [
        (["input", "charges", "0", "amount"], "INVALID_AMOUNT"),
        (["input", "charges", "1", "amount"], "OUT_OF_RANGE"),
        (["input", "charges", "2", "description"], "REQUIRED"),
        (["input", "charges", "3", "kind"], "DUPLICATE_ITEM"),
        (["input", "charges", "4", "kind"], "INVALID"),
    ]


def test_amounts_follow_the_currency_minor_unit() -> None:
    yen, dinar = Checker(), Checker()
    check_charges(yen, ("charges",), [ChargeRequest("freight", Decimal("1200.5"))], "JPY")
    check_charges(dinar, ("charges",), [ChargeRequest("freight", Decimal("12.005"))], "KWD")
    assert _problems(yen) == [(["input", "charges", "0", "amount"], "INVALID_AMOUNT")]
    assert dinar.issues == []


def test_more_than_ten_charges_are_refused_whole() -> None:
    checker = Checker()
    many = [ChargeRequest("other", Decimal("1"), f"fee {n}") for n in range(11)]
    assert check_charges(checker, ("charges",), many, "USD") == []
    assert _problems(checker) == [(["input", "charges"], "TOO_MANY_ITEMS")]


@pytest.mark.parametrize(
    ("incoterm", "charges", "missing"),
    [
        ("FOB", [], []),
        ("EXW", [], []),
        ("CFR", [], ["FREIGHT"]),
        ("DDP", [INSURANCE], ["FREIGHT"]),
        ("CIF", [FREIGHT], ["INSURANCE"]),
        ("CIP", [], ["FREIGHT", "INSURANCE"]),
        ("CIF", [FREIGHT, INSURANCE], []),
    ],
)
def test_the_incoterm_names_the_charges_the_seller_pays(
    incoterm: str, charges: list[Charge], missing: list[str]
) -> None:
    issues = missing_charges(("input", "charges"), incoterm, charges)
    assert {issue.code.value for issue in issues} <= {"CHARGE_REQUIRED"}
    assert [issue.field for issue in issues] == [("input", "charges")] * len(missing)
    assert [next(kind for kind in missing if kind in issue.message) for issue in issues] == missing


def test_payment_terms_in_range_or_each_part_refused() -> None:
    good, bad = Checker(), Checker()
    terms = check_payment_terms(good, ("paymentTerms",), PaymentTermsRequest(30, "delivery", 45))
    assert terms == PaymentTerms(30, BalanceDueOn.DELIVERY, 45)
    assert check_payment_terms(bad, ("paymentTerms",), PaymentTermsRequest(101, "x", 366)) is None
    assert _problems(bad) == [
        (["input", "paymentTerms", "advancePercent"], "OUT_OF_RANGE"),
        (["input", "paymentTerms", "netDays"], "OUT_OF_RANGE"),
        (["input", "paymentTerms", "balanceDueOn"], "OUT_OF_RANGE"),
    ]
