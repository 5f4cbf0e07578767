"""The inquiry and quote rules as plain functions: every rule names the input field at fault."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from core.global_id import encode_global_id
from models.catalog import Product, ProductStatus, Variant
from models.clients import DEFAULT_TERMS
from models.inquiries import Quote, QuoteLine
from resolvers.inquiries.quote_rules import (
    QuotedTerms,
    QuoteLineRequest,
    QuoteRequest,
    check_quote,
    quote_changes,
)
from resolvers.inquiries.rules import (
    CheckedItem,
    GuestDetails,
    InquirySubmission,
    ItemRequest,
    check_items_in_catalog,
    check_submission,
)

TODAY = date(2026, 6, 1)
# The terms of the previous revision in the revision tests: nothing changes there.
SAME_TERMS = QuotedTerms("FOB", "Nhava Sheva", DEFAULT_TERMS)
PRODUCT = encode_global_id("Product", 7)
VARIANT = encode_global_id("Variant", 70)
GUEST = GuestDetails("Demir Tekstil", "Ayşe Demir", "ayse@demir.example", "TR")
ITEM = ItemRequest(PRODUCT, VARIANT, 100)
VALID = InquirySubmission(GUEST, [ITEM], "CIF", "Hamburg", TODAY, "")


def _problems(submission: InquirySubmission, *, guest_required: bool = True) -> list[Any]:
    _, issues = check_submission(submission, today=TODAY, guest_required=guest_required)
    return [(list(issue.field or ()), issue.code.value) for issue in issues]


def test_a_valid_submission_comes_back_trimmed_and_normalised() -> None:
    given = replace(
        VALID,
        guest=GuestDetails(" Demir Tekstil ", "Ayşe", " AYSE@Demir.example ", "tr"),
        named_place="  Hamburg ",
        items=[ItemRequest(PRODUCT, None, 100, Decimal("2.40"), "usd")],
    )
    checked, issues = check_submission(given, today=TODAY, guest_required=True)
    assert issues == []
    assert checked.guest == GuestDetails("Demir Tekstil", "Ayşe", "ayse@demir.example", "TR")
    assert checked.named_place == "Hamburg"
    assert checked.items == [CheckedItem(0, 7, None, 100, Decimal("2.40"), "USD")]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"guest": None}, (["input", "guest"], "GUEST_DETAILS_REQUIRED")),
        (
            {"guest": replace(GUEST, company_name=" ")},
            (["input", "guest", "companyName"], "REQUIRED"),
        ),
        (
            {"guest": replace(GUEST, contact_name="x" * 201)},
            (["input", "guest", "contactName"], "TOO_LONG"),
        ),
        ({"guest": replace(GUEST, email="ayse@")}, (["input", "guest", "email"], "INVALID_EMAIL")),
        (
            {"guest": replace(GUEST, country="XX")},
            (["input", "guest", "country"], "INVALID_COUNTRY"),
        ),
        ({"incoterm": "FOQ"}, (["input", "incoterm"], "INVALID_INCOTERM")),
        ({"named_place": " "}, (["input", "namedPlace"], "REQUIRED")),
        ({"named_place": "x" * 201}, (["input", "namedPlace"], "TOO_LONG")),
        ({"required_by": TODAY - timedelta(days=1)}, (["input", "requiredBy"], "DATE_IN_PAST")),
        ({"message": "x" * 5_001}, (["input", "message"], "TOO_LONG")),
        ({"items": []}, (["input", "items"], "NO_ITEMS")),
        (
            {
                "items": [
                    replace(ITEM, variant_id=encode_global_id("Variant", n)) for n in range(1, 52)
                ]
            },
            (["input", "items"], "TOO_MANY_ITEMS"),
        ),
        (
            {"items": [replace(ITEM, product_id=VARIANT)]},
            (["input", "items", "0", "productId"], "NOT_FOUND"),
        ),
        (
            {"items": [replace(ITEM, variant_id="nonsense")]},
            (["input", "items", "0", "variantId"], "NOT_FOUND"),
        ),
        (
            {"items": [replace(ITEM, quantity=0)]},
            (["input", "items", "0", "quantity"], "OUT_OF_RANGE"),
        ),
        (
            {"items": [replace(ITEM, target_price=Decimal("-1"), target_currency="USD")]},
            (["input", "items", "0", "targetPrice", "amount"], "OUT_OF_RANGE"),
        ),
        (
            {"items": [replace(ITEM, target_price=Decimal("1.23456"), target_currency="USD")]},
            (["input", "items", "0", "targetPrice", "amount"], "INVALID_AMOUNT"),
        ),
        (
            {"items": [replace(ITEM, target_price=Decimal("1.2"), target_currency="XYZ")]},
            (["input", "items", "0", "targetPrice", "currency"], "INVALID_CURRENCY"),
        ),
        ({"items": [ITEM, ITEM]}, (["input", "items", "1"], "DUPLICATE_ITEM")),
    ],
)
def test_each_rule_names_its_field(changes: dict[str, Any], expected: tuple[Any, str]) -> None:
    assert _problems(replace(VALID, **changes)) == [expected]


def test_client_users_give_no_guest_details() -> None:
    assert _problems(VALID, guest_required=False) == [
        (["input", "guest"], "GUEST_DETAILS_NOT_ALLOWED")
    ]
    assert _problems(replace(VALID, guest=None), guest_required=False) == []


def test_the_catalog_rules() -> None:
    product = Product(
        id=7,
        name="Twill",
        slug="twill",
        moq=100,
        status=ProductStatus.ACTIVE,
        product_type_id=1,
        category_id=1,
        hs_code="520832",
        country_of_origin="IN",
    )
    archived = Product(
        id=8,
        name="Poplin",
        slug="poplin",
        moq=1,
        status=ProductStatus.ARCHIVED,
        product_type_id=1,
        category_id=1,
        hs_code="520832",
        country_of_origin="IN",
    )
    variants = {
        70: Variant(id=70, product_id=7, sku="A"),
        80: Variant(id=80, product_id=8, sku="B"),
    }
    items = [
        CheckedItem(0, 7, 70, 100, None, None),
        CheckedItem(1, 7, None, 99, None, None),
        CheckedItem(2, 8, 80, 10, None, None),
        CheckedItem(3, 7, 80, 100, None, None),
        CheckedItem(4, 7, 71, 100, None, None),
    ]
    issues = check_items_in_catalog(items, {7: product, 8: archived}, variants)
    assert [(list(i.field or ()), i.code.value) for i in issues] == [
        (["input", "items", "1", "quantity"], "BELOW_MOQ"),
        (["input", "items", "2", "productId"], "NOT_FOUND"),
        (["input", "items", "3", "variantId"], "VARIANT_NOT_OF_PRODUCT"),
        (["input", "items", "4", "variantId"], "NOT_FOUND"),
    ]


def _quote(*lines: tuple[int, int, str], **changes: Any) -> QuoteRequest:
    request = QuoteRequest(
        [QuoteLineRequest(encode_global_id("Variant", v), q, Decimal(p)) for v, q, p in lines],
        "EUR",
        TODAY,
        30,
        "",
    )
    return replace(request, **changes)


def test_quote_totals_are_rounded_once_per_line() -> None:
    checked, issues = check_quote(_quote((1, 3, "0.3333"), (2, 7, "1.005")), today=TODAY)
    assert issues == []
    assert [line.line_total for line in checked.lines] == [Decimal("1.00"), Decimal("7.04")]
    assert checked.total == Decimal("8.04")


def test_quote_rules_name_their_fields() -> None:
    _, issues = check_quote(
        _quote((1, 1, "1"), (1, 1, "1"), (0, 0, "1.00001"), lead_time_days=731),
        today=TODAY,
    )
    assert [(list(i.field or ()), i.code.value) for i in issues] == [
        (["input", "leadTimeDays"], "OUT_OF_RANGE"),
        (["input", "lines", "1", "variantId"], "DUPLICATE_ITEM"),
        (["input", "lines", "2", "quantity"], "OUT_OF_RANGE"),
        (["input", "lines", "2", "unitPrice"], "INVALID_AMOUNT"),
        (["input", "lines", "2", "variantId"], "NOT_FOUND"),
    ]
    _, too_large = check_quote(_quote((1, 10_000_000, "9999999999")), today=TODAY)
    assert [(list(i.field or ()), i.code.value) for i in too_large] == [
        (["input", "lines", "0"], "OUT_OF_RANGE")
    ]


def test_a_revision_records_only_what_changed() -> None:
    previous = Quote(
        id=1,
        inquiry_id=1,
        revision=1,
        currency="EUR",
        valid_until=TODAY,
        lead_time_days=30,
        incoterm="FOB",
        named_place="Nhava Sheva",
        notes="",
        total=Decimal("300.0000"),
    )
    lines = [
        QuoteLine(
            quote_id=1,
            variant_id=1,
            quantity=100,
            unit_price=Decimal("1.0000"),
            line_total=Decimal("100.0000"),
        ),
        QuoteLine(
            quote_id=1,
            variant_id=2,
            quantity=100,
            unit_price=Decimal("2.0000"),
            line_total=Decimal("200.0000"),
        ),
    ]
    same, _ = check_quote(_quote((1, 100, "1.00"), (2, 100, "2")), today=TODAY)
    assert quote_changes(previous, lines, [], same, SAME_TERMS, {}) == {"fields": {}, "lines": []}
    assert quote_changes(None, [], [], same, SAME_TERMS, {}) == {}
    moved, _ = check_quote(_quote((2, 100, "1.90"), (3, 5, "4")), today=TODAY)
    assert quote_changes(previous, lines, [], moved, SAME_TERMS, {1: "A", 2: "B", 3: "C"}) == {
        "fields": {"total": ["300.00", "210.00"]},
        "lines": [
            {
                "variantId": 1,
                "sku": "A",
                "change": "removed",
                "quantity": [100, None],
                "unitPrice": ["1.0000", None],
            },
            {
                "variantId": 2,
                "sku": "B",
                "change": "changed",
                "quantity": [100, 100],
                "unitPrice": ["2.0000", "1.9000"],
            },
            {
                "variantId": 3,
                "sku": "C",
                "change": "added",
                "quantity": [None, 5],
                "unitPrice": [None, "4.0000"],
            },
        ],
    }
